// pc/fig4i (Song et al. 2024, Fig. 4i): the configs state the paper's protocol; without CIFAR-10
// the figure reports "not run" with the download command and exits cleanly; on a CIFAR-format
// fixture the configs resolve, the images reach the network as RGB rows in channel-major order
// (matching input_shape [3, 32, 32]), and a tiny run of the conv PC network and of the BP baseline
// trains end to end; the analysis picks the best α per rule and judges PC < BP in full mode.
import assert from "node:assert/strict";
import { join } from "node:path";
import { expandTrials, readMetrics, runTrial, type TrialConfig } from "@plasticity/runner";
import { CIFAR_RECORD, loadDataset } from "@plasticity/datasets";
import { FIGURES } from "@plasticity/reproduce/registry";
import {
  type AnalysisContext,
  experimentConfigs,
  reproduceFigure,
  type Row,
  selectPanels,
} from "@plasticity/reproduce";
import { missingData } from "../../apps/reproduce/_data.ts";
import { FILES, PAPER_4I } from "../../apps/reproduce/figures/pc/fig4i/figure.ts";

const FIG = FIGURES.find((f) => f.id === "pc/fig4i")!;
const PAPER_SEEDS = [1482555873, 698841058, 2283198659];
const PAPER_LR = [0.00025, 0.0001, 0.000075, 0.00005, 0.000025, 0.00001];

/** The fixture's byte of record i, channel c, pixel p: distinct per channel and class. */
const pixel = (i: number, c: number, p: number) => ((i % 10) * 20 + c * 70 + (p % 17)) % 256;

/** Writes the six CIFAR-10 batch files (10 000 records of 3073 bytes each) into `dir`. */
function writeCifarFixture(dir: string): void {
  const records = 10000, bytes = new Uint8Array(records * CIFAR_RECORD);
  for (let i = 0; i < records; i++) {
    const o = i * CIFAR_RECORD;
    bytes[o] = i % 10;
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 1024; p++) bytes[o + 1 + c * 1024 + p] = pixel(i, c, p);
    }
  }
  Deno.mkdirSync(dir, { recursive: true });
  for (const f of [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`).concat("test_batch.bin")) {
    Deno.writeFileSync(join(dir, f), bytes);
  }
}

interface Resolved {
  rule: Record<string, unknown> & { name: string };
  network: { "input_shape": number[]; "output_activation": string; layers: unknown[] };
  optimizer: { name: string; lr: number; "weight_decay": number };
  dataset: Record<string, unknown>;
  epochs: number;
  "batch_size": number;
  seed: number;
}

Deno.test("pc/fig4i: the configs state the paper's CNN protocol (nature_cnn_v2 base-ppc / base-rbp)", async () => {
  const exps = await experimentConfigs(FIG, "full", selectPanels(FIG, undefined));
  assert.deepEqual(exps.map((e) => e.file), [FILES.PC, FILES.BP]);
  for (const e of exps) {
    const r = e.raw as unknown as Resolved & { seeds: number[]; grid: Record<string, number[]> };
    assert.deepEqual(r.network.input_shape, [3, 32, 32]);
    assert.equal(r.network.layers.length, 5);
    assert.equal(r.batch_size, 200);
    assert.equal(r.epochs, 80);
    assert.deepEqual(r.seeds, PAPER_SEEDS);
    assert.deepEqual(r.grid["optimizer.lr"], PAPER_LR);
    assert.equal(r.optimizer.name, "adam");
    assert.equal(r.rule.l2, 0.01);
    assert.equal(r.dataset.name, "cifar10");
    assert.equal(r.dataset.grayscale, undefined, "the CNN keeps RGB");
  }
  const pc = exps[0]!.raw as unknown as Resolved, bp = exps[1]!.raw as unknown as Resolved;
  assert.deepEqual([pc.rule.T, pc.rule.gamma, pc.rule.decay, pc.rule.update_p_at], [
    16,
    0.5,
    0.5,
    "all",
  ]);
  assert.equal(bp.rule.name, "pc-bp");
  assert.equal(bp.rule.repeat, 16, "T = 16 Adam steps per batch");
  assert.equal(bp.network.output_activation, "relu", "the BP config's ReLU after linear_1");
});

Deno.test("pc/fig4i: without CIFAR-10 it is not run with the download command; on a fixture it runs RGB images end to end", async () => {
  const empty = await Deno.makeTempDir({ prefix: "fig4i-nodata-" });
  const withData = await Deno.makeTempDir({ prefix: "fig4i-cifar-" });
  const out = await Deno.makeTempDir({ prefix: "fig4i-out-" });
  const before = Deno.env.get("PLASTICITY_DATA");
  try {
    const exps = await experimentConfigs(FIG, "quick", selectPanels(FIG, undefined));
    for (const e of exps) {
      assert.match((await missingData(e.raw, empty))!, /deno task data download cifar10/);
    }
    Deno.env.set("PLASTICITY_DATA", empty);
    const r = await reproduceFigure(FIG, { mode: "quick", outRoot: out, log: () => {} });
    assert.equal(r.failures.length, 0);
    assert.equal(r.trials.total, 0);
    assert.equal(r.skipped.length, 2);
    assert.ok(r.outcomes.length > 0 && r.outcomes.every((o) => o.verdict === "not run"));
    assert.match(
      Deno.readTextFileSync(join(r.outDir, "summary.md")),
      /deno task data download cifar10/,
    );

    writeCifarFixture(join(withData, "cifar10", "cifar-10-batches-bin"));
    Deno.env.set("PLASTICITY_DATA", withData);
    for (const mode of ["full", "quick"] as const) {
      for (const e of await experimentConfigs(FIG, mode, selectPanels(FIG, undefined))) {
        assert.equal(await missingData(e.raw, withData), undefined);
        const trials = await expandTrials(e.raw);
        assert.equal(trials.length, mode === "full" ? 18 : 1, `${mode} ${e.file}`);
      }
    }
    // The rows the network gets: 3072 values per image, channel-major (R plane, G, B), ÷255.
    const d = await loadDataset("cifar10", { per_class: 2, test_per_class: 1, normalize: "unit" }, {
      seed: 0,
      dataDir: withData,
      log: () => {},
    });
    assert.equal(d.train.inputDim, 3072);
    assert.equal(d.train.n, 20);
    for (let n = 0; n < 3; n++) {
      const cls = d.train.y.subarray(n * 10, n * 10 + 10).indexOf(1);
      for (const [c, p] of [[0, 0], [1, 5], [2, 1023], [2, 16]]) {
        const got = d.train.x[n * 3072 + c! * 1024 + p!]!;
        assert.ok(
          Math.abs(got - pixel(cls, c!, p!) / 255) < 1e-6,
          `image ${n} channel ${c} pixel ${p}`,
        );
      }
    }
    // A tiny run of each config on the fixture: 20 images, batches of 10, T = 3 for PC.
    for (const e of await experimentConfigs(FIG, "quick", selectPanels(FIG, undefined))) {
      const raw = structuredClone(e.raw) as Record<string, unknown>;
      Object.assign(raw, {
        epochs: 1,
        batch_size: 10,
        dataset: { ...(raw.dataset as object), per_class: 2, test_per_class: 2 },
        backend: "js",
      });
      const rule = raw.rule as Record<string, unknown>;
      if (rule.name === "pc") rule.T = 3;
      else rule.repeat = 2;
      const [trial] = await expandTrials(raw);
      const dir = join(out, e.file);
      const res = await runTrial(trial!.config as TrialConfig, dir, { log: () => {} });
      assert.equal(res.state, "done", `${e.file}: ${res.error ?? ""}`);
      const rows = readMetrics(dir);
      const last = rows[rows.length - 1]!;
      assert.equal(last.epoch, 1);
      assert.ok(
        Number.isFinite(last.test_accuracy) && Number.isFinite(last.train_loss),
        JSON.stringify(last),
      );
    }
  } finally {
    if (before === undefined) Deno.env.delete("PLASTICITY_DATA");
    else Deno.env.set("PLASTICITY_DATA", before);
    for (const d of [empty, withData, out]) await Deno.remove(d, { recursive: true });
  }
});

/** Rows of one trial: test accuracy per epoch 0…n. */
function trial(id: string, rule: string, lr: number, seed: number, accs: number[]): Row[] {
  return accs.map((a, epoch) => ({
    trial: id,
    state: "done",
    "rule.name": rule,
    "optimizer.lr": lr,
    seed,
    epoch,
    test_accuracy: a,
  } as Row));
}

function ctx(mode: "quick" | "full", rows: Record<string, Row[]>): AnalysisContext {
  return {
    mode,
    panels: new Set(["4i"]),
    note: () => "test",
    rows: (file) => Promise.resolve(rows[file] ?? []),
  };
}

Deno.test("pc/fig4i analysis: minimum over epochs ≥ 1, best α per rule by the mean over seeds, PC < BP judged in full mode", async () => {
  const rows = {
    [FILES.PC]: [
      ...trial("p1", "pc", 1e-4, 1, [0.95, 0.6, 0.71, 0.7]), // min error 0.29
      ...trial("p2", "pc", 1e-4, 2, [0.95, 0.6, 0.72, 0.69]), // 0.28
      ...trial("p3", "pc", 1e-5, 1, [0.95, 0.5, 0.6]), // 0.4
    ],
    [FILES.BP]: [
      ...trial("b1", "pc-bp", 1e-4, 1, [0.99, 0.68, 0.69]), // 0.31
      ...trial("b2", "pc-bp", 5e-5, 1, [0.99, 0.6, 0.65]), // 0.35
    ],
  };
  const full = await FIG.analyse(ctx("full", rows));
  const [cmp, pcLearns, bpLearns] = full.outcomes;
  assert.equal(cmp!.verdict, "met");
  assert.ok(cmp!.ours.startsWith("0.285 (α 0.0001"), cmp!.ours);
  assert.ok(cmp!.paper.includes(String(PAPER_4I.PC)) && cmp!.paper.includes(String(PAPER_4I.BP)));
  assert.equal(pcLearns!.verdict, "met");
  assert.equal(bpLearns!.verdict, "met");
  assert.deepEqual(full.charts.map((c) => c.name), ["4i", "4i_curves"]);
  assert.equal(full.tables[0]!.rows.length, 4);
  // BP ahead: not met in full mode, information in quick mode.
  const swapped = {
    [FILES.PC]: trial("p", "pc", 1e-4, 1, [0.9, 0.6]),
    [FILES.BP]: trial("b", "pc-bp", 1e-4, 1, [0.9, 0.7]),
  };
  assert.equal((await FIG.analyse(ctx("full", swapped))).outcomes[0]!.verdict, "not met");
  assert.equal((await FIG.analyse(ctx("quick", swapped))).outcomes[0]!.verdict, "info");
});
