// BioTorch (Sanfiz & Akrout 2021, jsalbert/biotorch) Benchmarks.md, MNIST and Fashion MNIST: LeNet
// trained by backpropagation, feedback alignment, direct feedback alignment and the three
// sign-symmetry rules; test error per epoch and the best epoch's error beside BioTorch's published
// numbers, one panel per dataset.
import { numberOf, type Row, summarize } from "@plasticity/analysis";
import { chart, colorScale } from "../../../_charts.ts";
import type { Chart, DataTable, FigureDefinition, FigureOutput } from "../../../types.ts";
import { type Outcome, verdictOf } from "../../../verdict.ts";

const SOURCE = "BioTorch Benchmarks.md (top-1 error %, best validation epoch)";

/** The rules in legend order, with their config names. */
export const RULES: readonly { label: string; name: string }[] = [
  { label: "BP", name: "bp" },
  { label: "uSF", name: "usf" },
  { label: "brSF", name: "brsf" },
  { label: "frSF", name: "frsf" },
  { label: "FA", name: "fa" },
  { label: "DFA", name: "dfa" },
];

/** BioTorch's MNIST top-1 errors in % (Benchmarks.md), LeNet, 100 epochs, best validation epoch. */
export const BIOTORCH_MNIST: Record<string, number> = {
  BP: 0.91,
  FA: 1.7,
  DFA: 1.61,
  uSF: 0.94,
  brSF: 0.91,
  frSF: 0.97,
};

/** BioTorch's Fashion MNIST top-1 errors in % (Benchmarks.md), LeNet, 100 epochs, best validation epoch. */
export const BIOTORCH_FASHION_MNIST: Record<string, number> = {
  BP: 9.2,
  FA: 13.06,
  DFA: 12.81,
  uSF: 9.69,
  brSF: 10.02,
  frSF: 9.61,
};

/** A dataset of the benchmark: its panel, its three configs and BioTorch's errors on it. */
export interface LenetDataset {
  /** Panel id, also the table's and chart's name. */
  panel: string;
  /** The dataset as BioTorch's table names it. */
  label: string;
  /** Configs: BP and the sign rules, FA, DFA. */
  files: readonly string[];
  /** BioTorch's top-1 error in % per rule label. */
  published: Record<string, number>;
}

/** The two datasets of BioTorch's LeNet table, in its column order. */
export const DATASETS: readonly LenetDataset[] = [
  {
    panel: "mnist",
    label: "MNIST",
    files: ["lenet.yaml", "lenet_fa.yaml", "lenet_dfa.yaml"],
    published: BIOTORCH_MNIST,
  },
  {
    panel: "fashion-mnist",
    label: "Fashion MNIST",
    files: ["lenet_fmnist.yaml", "lenet_fmnist_fa.yaml", "lenet_fmnist_dfa.yaml"],
    published: BIOTORCH_FASHION_MNIST,
  },
];

const COLORS: Record<string, string> = {
  BP: "#1f77b4",
  uSF: "#2ca02c",
  brSF: "#17becf",
  frSF: "#bcbd22",
  FA: "#7f7f7f",
  DFA: "#ff7f0e",
};

/** Epochs of quick mode. */
export const QUICK_EPOCHS = 6;

/** Training images per class in quick mode (6 epochs of 10 000 images: about 940 steps of 64). */
export const QUICK_PER_CLASS = 1000;

/** Relative tolerance of "≈" between two errors: their difference within 25 % of their mean. */
export const APPROX_RELATIVE = 0.25;

/** The label of a row's rule (`BP`, `uSF`, …), or `undefined` for another rule. */
function labelOf(r: Row): string | undefined {
  return RULES.find((x) => x.name === r["rule.name"])?.label;
}

/** A rule's result: test error per epoch (mean over seeds) and per-seed best and final errors. */
export interface RuleResult {
  /** `BP`, `uSF`, … */
  label: string;
  /** Mean test error over seeds per epoch (epoch 0: before training). */
  curve: { epoch: number; error: number }[];
  /** Per seed: the smallest test error over epochs ≥ 1 (BioTorch's best validation epoch). */
  best: number[];
  /** Per seed: the test error of the last epoch. */
  final: number[];
  /** Test images each error was measured on. */
  testSize: number;
  /** Seeds whose trial diverged. */
  diverged: number;
}

/**
 * Reduces the rows of the runs to one {@linkcode RuleResult} per rule present. A diverged trial
 * counts with chance-level error (0.9) from the epoch it diverged.
 *
 * @param rows Analysis rows of every experiment.
 * @returns The rules found, in legend order.
 *
 * @example
 * ```ts
 * import { results } from "./figure.ts";
 * const rows = [0.9, 0.05, 0.03, 0.04].map((e, epoch) => ({
 *   trial: "t", state: "done", "rule.name": "bp", epoch, test_accuracy: 1 - e,
 * }));
 * const [bp] = results(rows);
 * console.assert(bp!.label === "BP" && Math.abs(bp!.best[0]! - 0.03) < 1e-12 && Math.abs(bp!.final[0]! - 0.04) < 1e-12);
 * ```
 */
export function results(rows: readonly Row[]): RuleResult[] {
  const out: RuleResult[] = [];
  for (const { label } of RULES) {
    const mine = rows.filter((r) => labelOf(r) === label);
    if (mine.length === 0) continue;
    const trials = new Map<string, Row[]>();
    for (const r of mine) {
      const t = String(r.trial_dir ?? r.trial);
      (trials.get(t) ?? trials.set(t, []).get(t)!).push(r);
    }
    const byEpoch = new Map<number, number[]>();
    const best: number[] = [], final: number[] = [];
    let diverged = 0, testSize = 10000;
    for (const t of trials.values()) {
      const tpc = numberOf(t[0]!["dataset.test_per_class"]);
      if (tpc !== undefined && tpc > 0) testSize = 10 * tpc;
      const isDiverged = t.some((r) => r.state === "diverged");
      if (isDiverged) diverged++;
      const errs = t.map((r) => ({ epoch: numberOf(r.epoch), acc: numberOf(r.test_accuracy) }))
        .filter((p): p is { epoch: number; acc: number } =>
          p.epoch !== undefined && p.acc !== undefined
        )
        .sort((a, b) => a.epoch - b.epoch)
        .map((p) => ({ epoch: p.epoch, error: Number.isFinite(p.acc) ? 1 - p.acc : 0.9 }));
      const trained = errs.filter((p) => p.epoch >= 1);
      if (trained.length === 0) continue;
      for (const p of errs) {
        (byEpoch.get(p.epoch) ?? byEpoch.set(p.epoch, []).get(p.epoch)!).push(p.error);
      }
      best.push(isDiverged ? 0.9 : Math.min(...trained.map((p) => p.error)));
      final.push(isDiverged ? 0.9 : trained[trained.length - 1]!.error);
    }
    const curve = [...byEpoch.entries()].sort((a, b) => a[0] - b[0])
      .map(([epoch, v]) => ({ epoch, error: summarize(v).mean }));
    out.push({ label, curve, best, final, testSize, diverged });
  }
  return out;
}

/**
 * The standard error of the difference of two mean test errors, each a mean over seeds of error
 * rates on n test images: √(p_A(1 − p_A)/(n·k_A) + p_B(1 − p_B)/(n·k_B)) — the binomial noise of
 * the test set alone (a floor: seed-to-seed spread adds to it).
 *
 * @param a Per-seed errors of A.
 * @param b Per-seed errors of B.
 * @param n Test images.
 * @returns The standard error.
 *
 * @example
 * ```ts
 * import { diffSe } from "./figure.ts";
 * console.assert(Math.abs(diffSe([0.01], [0.01], 10000) - Math.sqrt(2 * 0.0099 / 10000)) < 1e-12);
 * ```
 */
export function diffSe(a: readonly number[], b: readonly number[], n: number): number {
  const pa = summarize(a).mean, pb = summarize(b).mean;
  return Math.sqrt(pa * (1 - pa) / (n * a.length) + pb * (1 - pb) / (n * b.length));
}

/**
 * The three comparisons of the verdict on mean errors over seeds, with SE =
 * {@linkcode diffSe}: "A ≤ B" holds when e_A ≤ e_B + 2·SE; "A < B" when e_B − e_A > 2·SE (A
 * lower beyond the test-set noise); "A ≈ B" when |e_A − e_B| ≤ max(2·SE, 25 % of their mean).
 *
 * @param op `≤`, `<` or `≈`.
 * @param a Per-seed errors of A.
 * @param b Per-seed errors of B.
 * @param n Test images.
 * @returns Whether it holds (`undefined` when either is empty).
 *
 * @example
 * ```ts
 * import { compare } from "./figure.ts";
 * console.assert(compare("<", [0.01], [0.02], 10000) === true && compare("<", [0.0095], [0.01], 10000) === false);
 * console.assert(compare("≈", [0.017], [0.0161], 10000) === true && compare("≤", [0.0095], [0.0091], 10000) === true);
 * ```
 */
export function compare(
  op: "≤" | "<" | "≈",
  a: readonly number[],
  b: readonly number[],
  n: number,
): boolean | undefined {
  if (a.length === 0 || b.length === 0) return undefined;
  const ea = summarize(a).mean, eb = summarize(b).mean, se = diffSe(a, b, n);
  if (op === "≤") return ea <= eb + 2 * se;
  if (op === "<") return eb - ea > 2 * se;
  return Math.abs(ea - eb) <= Math.max(2 * se, APPROX_RELATIVE * (ea + eb) / 2);
}

/** A fraction as a percentage with two decimals (BioTorch's precision). */
const pct = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v) ? "–" : (100 * v).toFixed(2);

function meanPct(values: readonly number[]): string {
  if (values.length === 0) return "–";
  const s = summarize(values);
  return values.length > 1 && Number.isFinite(s.std)
    ? `${pct(s.mean)} ± ${(100 * s.std).toFixed(2)}`
    : pct(s.mean);
}

function errorChart(d: LenetDataset, found: readonly RuleResult[], note: string): Chart {
  const data = found.flatMap((r) =>
    r.curve.filter((p) => p.epoch >= 1).map((p) => ({
      rule: r.label,
      epoch: p.epoch,
      error: 100 * p.error,
    }))
  );
  const labels = found.map((r) => r.label);
  return {
    panel: d.panel,
    name: d.panel,
    spec: chart(
      `LeNet on ${d.label}: test error per epoch (BioTorch's benchmark)`,
      [
        "BioTorch's LeNet (conv 6, 16, 120 of 5×5 kernels, 2×2 max pooling, 84 ReLU units), " +
        "SGD + momentum 0.9, weight decay 1e-3 (PyTorch's, coupled), batch 64; mean over seeds; log scale",
        note,
      ],
      {
        data: { values: data },
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "epoch", type: "quantitative", title: "epoch", axis: { tickMinStep: 1 } },
          y: {
            field: "error",
            type: "quantitative",
            title: "test error (%)",
            scale: { type: "log" },
          },
          color: {
            field: "rule",
            type: "nominal",
            title: null,
            scale: colorScale(labels, COLORS),
            legend: { symbolType: "stroke", symbolStrokeWidth: 3, symbolOpacity: 1 },
          },
        },
      },
    ),
  };
}

/** The table, chart and verdicts of one dataset from its rows. */
function analyseDataset(d: LenetDataset, rows: readonly Row[], note: string): FigureOutput {
  const charts: Chart[] = [], outcomes: Outcome[] = [], tables: DataTable[] = [];
  const found = results(rows), panel = d.panel, pub = d.published;
  const by = Object.fromEntries(found.map((r) => [r.label, r]));
  const n = found[0]?.testSize ?? 10000;
  const source = `${SOURCE}, ${d.label}`;
  if (found.length > 0) charts.push(errorChart(d, found, note));
  tables.push({
    name: panel,
    title: `LeNet on ${d.label}: top-1 test error (%), ours beside BioTorch's (Benchmarks.md)`,
    columns: ["rule", "BioTorch", "ours best epoch", "ours last epoch", "seeds", "diverged"],
    rows: RULES.map(({ label }) => {
      const r = by[label];
      return {
        rule: label,
        BioTorch: pub[label]!.toFixed(2),
        "ours best epoch": r ? meanPct(r.best) : "–",
        "ours last epoch": r ? meanPct(r.final) : "–",
        seeds: r ? r.best.length : 0,
        diverged: r ? r.diverged : 0,
      };
    }),
  });
  const best = (l: string) => by[l]?.best ?? [];
  const show = (...ls: string[]) => ls.map((l) => `${l} ${meanPct(best(l))}`).join(", ");
  const paper = (...ls: string[]) =>
    `${ls.map((l) => `${l} ${pub[l]!.toFixed(2)}`).join(", ")} % (${source})`;
  const all = (checks: (boolean | undefined)[]) =>
    checks.some((c) => c === undefined) ? undefined : checks.every((c) => c);
  outcomes.push({
    panel,
    expected: "BP ≤ uSF in error (within 2 SE of the test-set noise)",
    paper: paper("BP", "uSF"),
    ours: `${show("BP", "uSF")} (%, best epoch; 2 SE = ${
      pct(2 * diffSe(best("BP"), best("uSF"), n))
    })`,
    verdict: verdictOf(compare("≤", best("BP"), best("uSF"), n)),
  });
  outcomes.push({
    panel,
    expected: "uSF < FA and uSF < DFA in error (lower by more than 2 SE)",
    paper: paper("uSF", "FA", "DFA"),
    ours: `${show("uSF", "FA", "DFA")} (%, best epoch)`,
    verdict: verdictOf(all([
      compare("<", best("uSF"), best("FA"), n),
      compare("<", best("uSF"), best("DFA"), n),
    ])),
  });
  outcomes.push({
    panel,
    expected: `DFA ≈ FA in error (within 2 SE or ${100 * APPROX_RELATIVE} % of their mean)`,
    paper: paper("DFA", "FA"),
    ours: `${show("DFA", "FA")} (%, best epoch)`,
    verdict: verdictOf(compare("≈", best("DFA"), best("FA"), n)),
  });
  outcomes.push({
    panel,
    expected: "brSF and frSF < FA and DFA in error (lower by more than 2 SE)",
    paper: paper("brSF", "frSF", "FA", "DFA"),
    ours: `${show("brSF", "frSF")} (%, best epoch)`,
    verdict: verdictOf(all(
      ["brSF", "frSF"].flatMap((s) => ["FA", "DFA"].map((f) => compare("<", best(s), best(f), n))),
    )),
  });
  for (const r of found) {
    outcomes.push({
      panel,
      expected: `${r.label}: test error beside BioTorch's (information)`,
      paper: `${pub[r.label]!.toFixed(2)} % after 100 epochs on 60 000 images (${source})`,
      ours: `best ${meanPct(r.best)} %, last ${meanPct(r.final)} % on ${n} test images` +
        (r.diverged ? `; ${r.diverged} diverged` : ""),
      verdict: "info",
    });
  }
  return { charts, outcomes, tables };
}

/** BioTorch's LeNet on MNIST and Fashion MNIST. */
export const BIOTORCH_LENET: FigureDefinition = {
  id: "biotorch/lenet",
  title:
    "BioTorch benchmark: LeNet on MNIST and Fashion MNIST with BP, FA, DFA, uSF, brSF and frSF",
  paper: "Sanfiz & Akrout 2021, BioTorch (jsalbert/biotorch)",
  source: SOURCE,
  panels: DATASETS.map((d) => ({
    id: d.panel,
    title: `${d.label}: test error per epoch, and the best epoch beside BioTorch's`,
  })),
  experiments: DATASETS.flatMap((d) =>
    d.files.map((file) => ({
      file,
      panels: [d.panel],
      quick: {
        epochs: QUICK_EPOCHS,
        dataset: { per_class: QUICK_PER_CLASS, test_per_class: 500 },
      },
      quickNote: `${QUICK_EPOCHS} epochs on ${
        10 * QUICK_PER_CLASS
      } training images (${QUICK_PER_CLASS} per class), 5000 test images`,
    }))
  ),
  async analyse(ctx): Promise<FigureOutput> {
    const out: FigureOutput = { charts: [], outcomes: [], tables: [] };
    for (const d of DATASETS) {
      if (!ctx.panels.has(d.panel)) continue;
      const rows: Row[] = [];
      for (const file of d.files) rows.push(...await ctx.rows(file));
      const o = analyseDataset(d, rows, ctx.note(d.panel));
      out.charts.push(...o.charts);
      out.outcomes.push(...o.outcomes);
      out.tables.push(...o.tables);
    }
    return out;
  },
};
