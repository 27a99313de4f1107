// PAL paper (Max et al., arXiv 2212.10249): the yin-yang classification sweep of the PAL GeNN code
// (unibe-cns/pal_microcircuits_genn): PAL against feedback alignment on the 4-30-3 microcircuit.
import { numberOf, type Row, summarize } from "@plasticity/analysis";
import { chart, colorScale } from "../../../_charts.ts";
import type { Chart, DataTable, FigureDefinition, FigureOutput } from "../../../types.ts";
import { fmt, type Outcome, verdictOf } from "../../../verdict.ts";

const SOURCE = "Max et al. 2022 (arXiv 2212.10249), Fig. 4c–f (GeNN microcircuit); only the " +
  "abstract's qualitative claim was available, no numbers (see README)";

/** The three sweeps of the GeNN code, in legend order. */
export const YIN_YANG_MODELS = [
  { file: "yin_yang_pal.yaml", label: "PAL", color: "#2ca02c" },
  { file: "yin_yang_fa.yaml", label: "FA", color: "#7f7f7f" },
  { file: "yin_yang_bw_eta_zero.yaml", label: "PAL noise, η_B = 0", color: "#ff7f0e" },
] as const;

/** Mean ± std over seeds of one column per epoch. */
export interface EpochSeries {
  /** Epochs of training done (x axis). */
  epoch: number[];
  /** Mean over seeds. */
  mean: number[];
  /** Sample std over seeds (0 for one seed). */
  std: number[];
  /** Most seeds seen at one epoch. */
  n: number;
}

/**
 * The per-epoch series of a column. Validation values of record `epoch` e were measured before
 * that epoch's training (after e epochs), the angle after it (after e + 1 epochs); the final
 * record (epoch = n_epochs, with the test accuracy) repeats the last angle and is left out there.
 */
export function epochSeries(rows: readonly Row[], column: string): EpochSeries {
  const angle = column.startsWith("angle");
  const nEpochs = Math.max(
    ...rows.filter((r) => numberOf(r.test_accuracy) !== undefined).map((r) =>
      numberOf(r.epoch) ?? 0
    ),
    -1,
  );
  const byE = new Map<number, number[]>();
  for (const r of rows) {
    const e = numberOf(r.epoch), v = numberOf(r[column]);
    if (e === undefined || v === undefined) continue;
    if (angle && numberOf(r.test_accuracy) !== undefined && e === nEpochs) continue;
    const x = angle ? e + 1 : e;
    (byE.get(x) ?? byE.set(x, []).get(x)!).push(v);
  }
  const xs = [...byE.keys()].sort((a, b) => a - b);
  const stats = xs.map((x) => summarize(byE.get(x)!));
  return {
    epoch: xs,
    mean: stats.map((s) => s.mean),
    std: stats.map((s) => (Number.isFinite(s.std) ? s.std : 0)),
    n: Math.max(0, ...stats.map((s) => s.n)),
  };
}

function finalValues(rows: readonly Row[], column: string): number[] {
  return rows.filter((r) => numberOf(r.test_accuracy) !== undefined)
    .map((r) => numberOf(r[column]))
    .filter((v): v is number => v !== undefined);
}

const last = (s: EpochSeries) => s.mean[s.mean.length - 1];

function bandChart(
  panel: string,
  name: string,
  title: string,
  yTitle: string,
  column: string,
  data: Record<string, Row[]>,
  note: string,
  yDomain?: [number, number],
): Chart | undefined {
  const rows: Record<string, unknown>[] = [];
  const seeds: string[] = [];
  for (const m of YIN_YANG_MODELS) {
    const s = epochSeries(data[m.file] ?? [], column);
    if (s.epoch.length === 0) continue;
    seeds.push(`${m.label}: ${s.n} seed${s.n === 1 ? "" : "s"}`);
    for (let i = 0; i < s.epoch.length; i++) {
      rows.push({
        epoch: s.epoch[i],
        model: m.label,
        mean: s.mean[i],
        lo: s.mean[i]! - s.std[i]!,
        hi: s.mean[i]! + s.std[i]!,
      });
    }
  }
  if (rows.length === 0) return undefined;
  const color = {
    field: "model",
    type: "nominal",
    title: "model",
    scale: colorScale(
      YIN_YANG_MODELS.map((m) => m.label),
      Object.fromEntries(YIN_YANG_MODELS.map((m) => [m.label, m.color])),
    ),
    legend: { symbolType: "stroke", symbolStrokeWidth: 3, symbolOpacity: 1 },
  };
  const y = {
    field: "mean",
    type: "quantitative",
    title: yTitle,
    scale: { zero: false },
  } as Record<
    string,
    unknown
  >;
  if (yDomain) y.scale = { domain: yDomain };
  return {
    panel,
    name,
    spec: chart(
      title,
      [
        "4-30-3 dendritic microcircuit, GeNN configs and step order; yin-yang 6000 / 900 / 900 samples",
        `lines: mean over seeds (${seeds.join(", ")}), band: ± 1 sample std`,
        note,
      ],
      {
        layer: [
          {
            data: { values: rows },
            mark: { type: "area", opacity: 0.2 },
            encoding: {
              x: { field: "epoch", type: "quantitative" },
              y: { field: "lo", type: "quantitative" },
              y2: { field: "hi" },
              color,
            },
          },
          {
            data: { values: rows },
            mark: { type: "line", strokeWidth: 2 },
            encoding: {
              x: { field: "epoch", type: "quantitative", title: "epochs trained" },
              y,
              color,
            },
          },
        ],
      },
    ),
  };
}

/** What the paper says (abstract; its numbers were not available, see README). */
const PAPER = {
  pal: "PAL beats random feedback (FA) and needs fewer neurons (abstract; no numbers available)",
  angle: "PAL learns B towards Wᵀ, FA keeps B random (no numbers available)",
};

function outcomes(data: Record<string, Row[]>): Outcome[] {
  const [pal, fa, zero] = YIN_YANG_MODELS.map((m) => data[m.file] ?? []);
  const acc = [pal!, fa!, zero!].map((r) => epochSeries(r, "val_accuracy"));
  const ang = [pal!, fa!, zero!].map((r) => epochSeries(r, "angle_B_WT_0"));
  const out: Outcome[] = [];
  const lastEpoch = (s: EpochSeries) => s.epoch[s.epoch.length - 1];
  const palAcc = last(acc[0]!), faAcc = last(acc[1]!);
  out.push({
    panel: "acc",
    expected: "PAL's mean validation accuracy above FA's at the last epoch",
    paper: PAPER.pal,
    ours: `PAL ${fmt(palAcc === undefined ? undefined : 100 * palAcc)} %, FA ${
      fmt(faAcc === undefined ? undefined : 100 * faAcc)
    } % after ${lastEpoch(acc[0]!) ?? "–"} epochs`,
    verdict: verdictOf(palAcc === undefined || faAcc === undefined ? undefined : palAcc > faAcc),
  });
  const palA = last(ang[0]!), faA = last(ang[1]!), palA0 = ang[0]!.mean[0];
  out.push({
    panel: "angle",
    expected: "PAL's mean ∠(B, Wᵀ) falls over training and ends below FA's",
    paper: PAPER.angle,
    ours: `PAL ${fmt(palA0)}° after 1 epoch → ${fmt(palA)}°, FA ${fmt(faA)}° after ${
      lastEpoch(ang[0]!) ?? "–"
    } epochs`,
    verdict: verdictOf(
      palA === undefined || faA === undefined || palA0 === undefined
        ? undefined
        : palA < palA0 && palA < faA,
    ),
  });
  for (const [i, m] of YIN_YANG_MODELS.entries()) {
    const test = finalValues(data[m.file] ?? [], "test_accuracy");
    const s = summarize(test);
    out.push({
      panel: "test",
      expected: `${m.label}: test accuracy after the last epoch`,
      paper: "not available (see README)",
      ours: test.length === 0
        ? "–"
        : `${fmt(100 * s.mean)} ± ${
          fmt(100 * (Number.isFinite(s.std) ? s.std : 0), 2)
        } % (${test.length} seeds); ∠(B, Wᵀ) ${fmt(last(ang[i]!))}°`,
      verdict: "info",
    });
  }
  return out;
}

function testTable(data: Record<string, Row[]>): DataTable {
  const rows: Row[] = [];
  for (const m of YIN_YANG_MODELS) {
    const rs = data[m.file] ?? [];
    const test = summarize(finalValues(rs, "test_accuracy"));
    const val = summarize(finalValues(rs, "val_accuracy"));
    const ang = summarize(finalValues(rs, "angle_B_WT_0"));
    if (test.n === 0) continue;
    const sd = (v: number) => (Number.isFinite(v) ? v : 0);
    rows.push({
      model: m.label,
      seeds: test.n,
      epochs: Math.max(...finalValues(rs, "epoch")),
      "test acc mean (%)": Number((100 * test.mean).toFixed(2)),
      "test acc std (%)": Number((100 * sd(test.std)).toFixed(2)),
      "val acc mean (%)": Number((100 * val.mean).toFixed(2)),
      "angle mean (deg)": Number(ang.mean.toFixed(2)),
      "angle std (deg)": Number(sd(ang.std).toFixed(2)),
    });
  }
  return {
    name: "test_accuracy",
    title: "Yin-yang: test accuracy and ∠(B, Wᵀ) after the last epoch (mean ± std over seeds)",
    rows,
    columns: [
      "model",
      "seeds",
      "epochs",
      "test acc mean (%)",
      "test acc std (%)",
      "val acc mean (%)",
      "angle mean (deg)",
      "angle std (deg)",
    ],
  };
}

/** pal-genn/yin-yang: PAL against FA on yin-yang with the GeNN protocol. */
export const PAL_GENN_YIN_YANG: FigureDefinition = {
  id: "pal-genn/yin-yang",
  title:
    "PAL (GeNN microcircuit) on yin-yang: validation error and accuracy, test accuracy and ∠(B, Wᵀ) of PAL, FA and η_B = 0",
  paper:
    "Max et al., Learning efficient backprojections across cortical hierarchies in real time " +
    "(Phaseless Alignment Learning), arXiv 2212.10249",
  source: SOURCE,
  panels: [
    { id: "err", title: "Validation error √mean((ŭ_out − target)²) against epochs" },
    { id: "acc", title: "Validation accuracy against epochs" },
    { id: "angle", title: "∠(B, Wᵀ) of the hidden layer against epochs" },
    { id: "test", title: "Test accuracy after the last epoch (table)" },
  ],
  experiments: YIN_YANG_MODELS.map((m) => ({
    file: m.file,
    panels: ["err", "acc", "angle", "test"],
    quickNote: m.file === "yin_yang_bw_eta_zero.yaml"
      ? "1 seed, 50 of 400 epochs"
      : "3 seeds, 50 of 400 epochs",
    quick: {
      seeds: m.file === "yin_yang_bw_eta_zero.yaml" ? [123456] : [123456, 123457, 123458],
      simulation: { params: { n_epochs: 50 } },
    },
  })),
  async analyse(ctx): Promise<FigureOutput> {
    const data: Record<string, Row[]> = {};
    for (const m of YIN_YANG_MODELS) data[m.file] = await ctx.rows(m.file);
    const charts: Chart[] = [];
    const add = (c: Chart | undefined) => c && ctx.panels.has(c.panel) && charts.push(c);
    add(bandChart(
      "err",
      "val_error",
      "PAL (GeNN) yin-yang: validation error",
      "validation error √mean((ŭ − target)²)",
      "val_error",
      data,
      ctx.note("err"),
    ));
    add(bandChart(
      "acc",
      "val_accuracy",
      "PAL (GeNN) yin-yang: validation accuracy",
      "validation accuracy",
      "val_accuracy",
      data,
      ctx.note("acc"),
    ));
    add(bandChart(
      "angle",
      "angle",
      "PAL (GeNN) yin-yang: alignment of B with Wᵀ (hidden layer)",
      "∠(B, Wᵀ) (degrees)",
      "angle_B_WT_0",
      data,
      ctx.note("angle"),
      [0, 90],
    ));
    return { charts, outcomes: outcomes(data), tables: [testTable(data)] };
  },
};
