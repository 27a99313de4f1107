import assert from "node:assert/strict";
import { analyze, type AnalyzeOptions } from "./analyze.ts";
import { DEJAVU_FONT_FILES } from "./render.ts";
import { type TrialRecord, trialRows } from "./trials.ts";
import { type FakeTrial, fakeTrial, fakeTrials, learnerConfig } from "./_fake_results.ts";
import { byClass, parseXml, pngSize } from "./_testing.ts";

const FONTS = { fontFiles: DEJAVU_FONT_FILES };

function text(files: Map<string, string | Uint8Array>, name: string): string {
  const v = files.get(name);
  assert.equal(typeof v, "string", name);
  return v as string;
}

// Final accuracy (epoch 3) of each setting for seed 0; seeds 1 and 2 add 0.01 and 0.02, so over
// seeds the mean is base + 0.01 and the sample std is exactly 0.01.
const BASE: Record<string, number> = {
  "bp/0.1": 0.9,
  "bp/0.01": 0.7,
  "fa/0.1": 0.8,
  "fa/0.01": 0.85,
};

function fixture(): Promise<TrialRecord[]> {
  const list: FakeTrial[] = [];
  for (const [key, base] of Object.entries(BASE)) {
    const [rule, lr] = key.split("/") as [string, string];
    for (const seed of [0, 1, 2]) {
      const final = base + 0.01 * seed;
      list.push({
        config: learnerConfig(
          "grid",
          rule,
          Number(lr),
          seed,
          rule === "bp" ? [4, 8, 3] : [4, 8, 8, 3],
        ),
        metrics: [0, 1, 2, 3].map((epoch) => ({
          epoch,
          test_loss: 1 - final * epoch / 3,
          test_accuracy: 0.1 + (final - 0.1) * epoch / 3,
        })),
      });
    }
  }
  list.push({
    config: learnerConfig("grid", "fa", 10, 0),
    metrics: [{ epoch: 0, test_loss: 1, test_accuracy: 0.1 }, {
      epoch: 1,
      test_loss: null,
      test_accuracy: null,
    }],
    state: "diverged",
    error: "Loss is not finite at epoch 1",
  });
  return fakeTrials(list);
}

Deno.test("analyze makes figures, tables with hand-computed statistics, best settings and a report", async () => {
  const trials = await fixture();
  const out = "results/_out";
  const result = await analyze({
    trials,
    y: ["test_accuracy", "test_loss"],
    group: ["rule.name", "optimizer.lr"],
    states: ["done"],
    bestBy: ["rule.name"],
    out,
    pngWidth: 800,
    ...FONTS,
  });
  // In the order they were made: tables, then each figure's SVG and PNG, then the report.
  assert.deepEqual([...result.files.keys()], [
    "table.md",
    "table.csv",
    "best.md",
    "best.csv",
    "line-test_accuracy.svg",
    "line-test_accuracy.png",
    "line-test_loss.svg",
    "line-test_loss.png",
    "report.html",
  ]);
  assert.equal(result.rows.length, 12 * 4);
  const byKey = new Map(result.table.map((r) => [`${r["rule.name"]}/${r["optimizer.lr"]}`, r]));
  assert.equal(byKey.size, 4);
  for (const [key, base] of Object.entries(BASE)) {
    const r = byKey.get(key)!;
    assert.equal(r.final_test_accuracy_n, 3);
    assert.ok(Math.abs((r.final_test_accuracy_mean as number) - (base + 0.01)) < 1e-9, key);
    assert.ok(Math.abs((r.final_test_accuracy_std as number) - 0.01) < 1e-9, key);
    assert.ok(Math.abs((r.final_test_accuracy_sem as number) - 0.01 / Math.sqrt(3)) < 1e-9, key);
    assert.ok(Math.abs((r.final_test_accuracy_min as number) - base) < 1e-9, key);
    assert.ok(Math.abs((r.final_test_accuracy_max as number) - (base + 0.02)) < 1e-9, key);
    assert.ok(Math.abs((r.final_test_loss_mean as number) - (1 - base - 0.01)) < 1e-9, key);
  }
  // Best learning rate per rule by mean final accuracy: bp → 0.1 (0.91), fa → 0.01 (0.86).
  assert.deepEqual(result.best!.map((r) => [r["rule.name"], r["optimizer.lr"]]), [["bp", 0.1], [
    "fa",
    0.01,
  ]]);
  const csv = text(result.files, "table.csv");
  assert.ok(
    csv.startsWith("rule.name,optimizer.lr,final_test_accuracy_n,final_test_accuracy_mean,"),
  );
  assert.equal(csv.trimEnd().split("\r\n").length, 5);
  const md = text(result.files, "best.md");
  assert.match(md, /\| bp \| 0\.1 \| 3 \| 0\.91 \| 0\.01 \|/);
  // One line per setting in each figure; PNG at the asked width.
  const svg = parseXml(text(result.files, "line-test_accuracy.svg"));
  assert.equal(byClass(svg, "mark-line").length, 4);
  assert.equal(result.figures[0]!.svg, text(result.files, result.figures[0]!.svgFile));
  const png = result.files.get(result.figures[1]!.pngFile);
  assert.ok(png instanceof Uint8Array);
  assert.equal(pngSize(png).width, 800);
  const html = text(result.files, "report.html");
  assert.equal(html.match(/<svg /g)?.length, 2);
  // Each figure's caption names its file under `out`.
  assert.ok(html.includes("test_accuracy: results/_out/line-test_accuracy.svg"));
  assert.ok(
    /13 trials loaded \(12 done, 1 diverged\); 48 rows after filtering/.test(html),
    "report: " + /13 trials loaded \(12 done, 1 diverged\); 48 rows after filtering/.source,
  );
  assert.ok(
    /Loss is not finite at epoch 1/.test(html),
    "report: " + /Loss is not finite at epoch 1/.source,
  );
  assert.ok(
    /Config columns that vary: network.sizes, optimizer.lr, rule.name/.test(html),
    "report: " + /Config columns that vary: network.sizes, optimizer.lr, rule.name/.source,
  );
});

Deno.test("analyze draws scatter and bar charts of per-trial values against a config column", async () => {
  const trials = await fixture();
  const scatter = await analyze({
    trials,
    chart: "scatter",
    x: "network.depth",
    y: "test_accuracy",
    group: "rule.name",
    reduce: "mean",
    where: { state: "done" },
    out: "_scatter",
    ...FONTS,
  });
  // Grouped by depth then rule: bp at depth 2, fa at depth 3 (6 trials each).
  assert.deepEqual(
    scatter.table.map((r) => [r["network.depth"], r["rule.name"], r.mean_test_accuracy_n]),
    [
      [2, "bp", 6],
      [3, "fa", 6],
    ],
  );
  // Mean over epochs 0..3 of a straight line from 0.1 to f is (0.1 + f)/2; bp's f average 0.81.
  assert.ok(
    Math.abs((scatter.table[0]!.mean_test_accuracy_mean as number) - (0.1 + 0.81) / 2) < 1e-9,
  );
  const bars = await analyze({
    trials,
    chart: "bar",
    x: "optimizer.lr",
    y: "test_error",
    group: "rule.name",
    states: ["done"],
    bestBy: [],
    out: "_bars",
    ...FONTS,
  });
  // test_error is derived as 1 − accuracy; best overall setting has the smallest mean final error.
  assert.deepEqual([bars.best![0]!["rule.name"], bars.best![0]!["optimizer.lr"]], ["bp", 0.1]);
  const svg = parseXml(text(bars.files, bars.figures[0]!.svgFile));
  assert.equal(byClass(svg, "mark-rect")[0]!.children.filter((c) => c.name === "path").length, 4);
});

Deno.test("analyze names a missing column and what is there", async () => {
  const trials = await fixture();
  const base: AnalyzeOptions = { trials, y: "test_loss", out: "_x", ...FONTS };
  await assert.rejects(
    () => analyze({ ...base, y: "accuracy" }),
    /Column "accuracy" not found in the rows: expected one of .*test_accuracy/,
  );
  await assert.rejects(
    () => analyze({ ...base, where: { "rule.name": "kp" } }),
    /No rows left to analyse/,
  );
  await assert.rejects(
    () => analyze({ ...base, chart: "pie" as "bar" }),
    /Unknown chart "pie": expected one of line, scatter, bar, point/,
  );
  await assert.rejects(
    () =>
      analyze({
        rows: [{ trial: "a", epoch: 0, loss: 1 }, { epoch: 1, loss: 0.5 }],
        y: "loss",
        out: "_x",
        ...FONTS,
      }),
    /Row 1 has no "trial" column/,
  );
  await assert.rejects(
    () => analyze({ y: "loss", out: "_x", ...FONTS }),
    /^Error: No trials given: expected trial records or rows$/,
  );
});

Deno.test("analyze plots simulation records against simulated time and notes pooled settings", async () => {
  // angle(t) = a·exp(−t) per seed, a = 80, 90, 100 → mean 90·exp(−t), sample std 10·exp(−t).
  const list: FakeTrial[] = [];
  for (const [seed, a] of [[0, 80], [1, 90], [2, 100]] as const) {
    for (const eta of [0.1, 0.2]) {
      list.push({
        config: {
          name: "pal",
          kind: "simulation",
          seed,
          simulation: { name: "microcircuit", params: { eta } },
        },
        metrics: [0, 0.5, 1, 1.5].map((t) => ({ t, angle: a * Math.exp(-t) })),
      });
    }
  }
  const trials = await fakeTrials(list);
  const out = "_out";
  const result = await analyze({ trials, x: "t", y: "angle", out, band: "sem", ...FONTS });
  // Final (t = 1.5) over the six trials: values 80, 80, 90, 90, 100, 100 times e^−1.5.
  const r = result.table[0]!;
  assert.equal(r.final_angle_n, 6);
  assert.ok(Math.abs((r.final_angle_mean as number) - 90 * Math.exp(-1.5)) < 1e-9);
  // Sample std of 80,80,90,90,100,100: Σ(dev²) = 2·(100+0+100) = 400, /5 → √80.
  assert.ok(Math.abs((r.final_angle_std as number) - Math.sqrt(80) * Math.exp(-1.5)) < 1e-9);
  assert.deepEqual(result.notes, [
    "Note: some groups pool trials that differ in simulation.params.eta, not only in seed; add it to the grouping to separate them.",
  ]);
  const svg = parseXml(result.figures[0]!.svg);
  assert.equal(byClass(svg, "mark-line").length, 1);
  const xTitle = byClass(svg, "role-axis-title").map((n) => n.children[0]?.text ?? n.text);
  assert.ok(xTitle.some((t) => t.includes("Simulated time t")), JSON.stringify(xTitle));
  const grouped = await analyze({
    trials,
    x: "t",
    y: "angle",
    group: "simulation.params.eta",
    out,
    ...FONTS,
  });
  assert.deepEqual(grouped.notes, []);
  assert.equal(grouped.table.length, 2);
});

// Seeds 0 and 1 of one setting, read from a results root at one commit; the final test loss of
// seed s is finals[s] (a straight line from 1 at epoch 0 to it at epoch 2).
async function rootTrials(root: string, commit: string, finals: number[]): Promise<TrialRecord[]> {
  return await Promise.all(finals.map(async (final, seed) => {
    const t = await fakeTrial({
      config: learnerConfig("tiny", "bp", 0.1, seed),
      metrics: [0, 1, 2].map((epoch) => ({ epoch, test_loss: 1 - (1 - final) * epoch / 2 })),
    }, root);
    return { ...t, meta: { ...t.meta, "git_commit": commit } };
  }));
}

Deno.test("analyze keeps trials with the same id from two results roots apart", async () => {
  // The same two configs (same trial ids) in root A at commit c1 and in root B at commit c2.
  const a = await rootTrials("/root-a", "c1", [0.2, 0.4]);
  const b = await rootTrials("/root-b", "c2", [0.6, 1.0]);
  assert.deepEqual(a.map((t) => t.id), b.map((t) => t.id));
  const trials = [...a, ...b];
  const byCommit = await analyze({
    trials,
    y: "test_loss",
    group: "meta.git_commit",
    out: "_x",
    ...FONTS,
  });
  assert.equal(byCommit.rows.length, 4 * 3);
  // c1: 0.2, 0.4 → mean 0.3, s = √((0.1² + 0.1²)/1) = √0.02; c2: 0.6, 1.0 → mean 0.8, s = √0.08.
  assert.deepEqual(byCommit.table.map((r) => [r["meta.git_commit"], r.final_test_loss_n]), [
    ["c1", 2],
    ["c2", 2],
  ]);
  assert.ok(Math.abs((byCommit.table[0]!.final_test_loss_mean as number) - 0.3) < 1e-12);
  assert.ok(Math.abs((byCommit.table[0]!.final_test_loss_std as number) - Math.sqrt(0.02)) < 1e-12);
  assert.ok(Math.abs((byCommit.table[1]!.final_test_loss_mean as number) - 0.8) < 1e-12);
  assert.ok(Math.abs((byCommit.table[1]!.final_test_loss_std as number) - Math.sqrt(0.08)) < 1e-12);
  assert.ok(
    !text(byCommit.files, "table.csv").split("\r\n").slice(1, 3).some((l) => l.includes(",,")),
  );
  assert.deepEqual(byCommit.notes, []);
  // Bars per experiment: each commit keeps its column and its two trials.
  const bars = await analyze({
    trials,
    chart: "bar",
    x: "experiment",
    y: "test_loss",
    group: "meta.git_commit",
    out: "_x",
    ...FONTS,
  });
  assert.deepEqual(
    bars.table.map((r) => [r.experiment, r["meta.git_commit"], r.final_test_loss_n]),
    [["tiny", "c1", 2], ["tiny", "c2", 2]],
  );
  // Pooled, all four finals count (mean 0.55), and a note says two folders hold the same configs.
  const pooled = await analyze({ trials, y: "test_loss", out: "_x", ...FONTS });
  assert.equal(pooled.table[0]!.final_test_loss_n, 4);
  assert.ok(Math.abs((pooled.table[0]!.final_test_loss_mean as number) - 0.55) < 1e-12);
  assert.equal(pooled.notes.length, 1);
  assert.match(pooled.notes[0]!, /same config from different folders \(2 trial ids, e\.g\. /);
});

Deno.test("analyze leaves unfinished trials out by default and says how many", async () => {
  // Final test loss per seed: done 0.2 and 0.4, diverged (ends in null), running 0.9 and 0.8,
  // failed 0.95, no status.json (unknown) 0.99.
  const curve = (
    final: number | null,
  ) => [{ epoch: 0, test_loss: 1 }, { epoch: 1, test_loss: final }];
  const trials = await fakeTrials([
    { seed: 0, final: 0.2, state: "done" },
    { seed: 1, final: 0.4, state: "done" },
    { seed: 2, final: null, state: "diverged" },
    { seed: 3, final: 0.9, state: "running" },
    { seed: 4, final: 0.8, state: "running" },
    { seed: 5, final: 0.95, state: "failed" },
    { seed: 6, final: 0.99, state: "unknown" },
  ].map(({ seed, final, state }): FakeTrial => ({
    config: learnerConfig("grid", "bp", 0.1, seed),
    metrics: curve(final),
    ...(state === "unknown" ? { noStatus: true } : { state }),
  })));
  const base: AnalyzeOptions = { trials, y: "test_loss", out: "_x", ...FONTS };
  const note =
    "Left out 4 unfinished trials (running 2, failed 1, unknown 1): only done and diverged trials count; use --include-unfinished to keep them";
  const r = await analyze(base);
  assert.deepEqual(r.leftOut, { total: 4, byState: { running: 2, failed: 1, unknown: 1 } });
  // The diverged trial is a finished result: its rows are in; its null final is skipped (n = 2).
  assert.deepEqual([...new Set(r.rows.map((x) => x.state))].sort(), ["diverged", "done"]);
  assert.equal(r.table[0]!.final_test_loss_n, 2);
  assert.ok(Math.abs((r.table[0]!.final_test_loss_mean as number) - 0.3) < 1e-12);
  assert.ok(text(r.files, "table.md").includes(note));
  assert.ok(text(r.files, "report.html").includes(note));
  // Kept when asked: n = 2 + 4.
  const all = await analyze({ ...base, includeUnfinished: true });
  assert.deepEqual(all.leftOut, { total: 0, byState: {} });
  assert.equal(all.table[0]!.final_test_loss_n, 6);
  assert.ok(!text(all.files, "table.md").includes("Left out"));
  assert.ok(text(all.files, "report.html").includes("Includes 4 unfinished trials"));
  // Named states are kept as named.
  const running = await analyze({ ...base, states: ["running"] });
  assert.equal(running.leftOut.total, 0);
  assert.equal(running.table[0]!.final_test_loss_n, 2);
  assert.ok(Math.abs((running.table[0]!.final_test_loss_mean as number) - 0.85) < 1e-12);
  // Rows from trialRows follow the same rule, counting trials, not rows.
  const fromRows = await analyze({ rows: trialRows(trials), y: "test_loss", out: "_x", ...FONTS });
  assert.deepEqual(fromRows.leftOut, r.leftOut);
  assert.equal(fromRows.table[0]!.final_test_loss_n, 2);
  // Nothing finished: the error says what was left out.
  await assert.rejects(
    () =>
      analyze({ ...base, trials: trials.filter((t) => !["done", "diverged"].includes(t.state)) }),
    /^Error: No rows left to analyse: left out 4 unfinished trials \(running 2, failed 1, unknown 1\)/,
  );
});

Deno.test("analyze says a line chart needs a numeric x", async () => {
  await assert.rejects(
    () =>
      analyze({
        rows: [{ trial: "a", experiment: "e", epoch: 0, loss: 1 }],
        x: "experiment",
        y: "loss",
        out: "_x",
        ...FONTS,
      }),
    /^Error: Column "experiment" holds no numbers: expected a numeric x such as epoch or t for a line chart, or chart bar or point/,
  );
});
