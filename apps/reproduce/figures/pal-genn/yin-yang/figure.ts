// PAL paper (Max et al., arXiv 2212.10249): the yin-yang classification sweep of the PAL GeNN code
// (unibe-cns/pal_microcircuits_genn): PAL against feedback alignment on the 4-30-3 microcircuit.
import { type Row, summarize } from "@plasticity/analysis";
import type { Chart, FigureDefinition, FigureOutput } from "../../../types.ts";
import { fmt, type Outcome, verdictOf } from "../../../verdict.ts";
import {
  bandChart,
  type EpochSeries,
  epochSeries,
  finalValues,
  last,
  testTable,
} from "../_epochs.ts";

export { type EpochSeries, epochSeries } from "../_epochs.ts";

const PROTOCOL =
  "4-30-3 dendritic microcircuit, GeNN configs and step order; yin-yang 6000 / 900 / 900 samples";

const SOURCE = "Max et al. 2022 (arXiv 2212.10249), Fig. 4c–f (GeNN microcircuit); only the " +
  "abstract's qualitative claim was available, no numbers (see README)";

/** The three sweeps of the GeNN code, in legend order. */
export const YIN_YANG_MODELS = [
  { file: "yin_yang_pal.yaml", label: "PAL", color: "#2ca02c" },
  { file: "yin_yang_fa.yaml", label: "FA", color: "#7f7f7f" },
  { file: "yin_yang_bw_eta_zero.yaml", label: "PAL noise, η_B = 0", color: "#ff7f0e" },
] as const;

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
      YIN_YANG_MODELS,
      PROTOCOL,
      "err",
      "val_error",
      "PAL (GeNN) yin-yang: validation error",
      "validation error √mean((ŭ − target)²)",
      "val_error",
      data,
      ctx.note("err"),
    ));
    add(bandChart(
      YIN_YANG_MODELS,
      PROTOCOL,
      "acc",
      "val_accuracy",
      "PAL (GeNN) yin-yang: validation accuracy",
      "validation accuracy",
      "val_accuracy",
      data,
      ctx.note("acc"),
    ));
    add(bandChart(
      YIN_YANG_MODELS,
      PROTOCOL,
      "angle",
      "angle",
      "PAL (GeNN) yin-yang: alignment of B with Wᵀ (hidden layer)",
      "∠(B, Wᵀ) (degrees)",
      "angle_B_WT_0",
      data,
      ctx.note("angle"),
      [0, 90],
    ));
    return {
      charts,
      outcomes: outcomes(data),
      tables: [testTable("Yin-yang", YIN_YANG_MODELS, data)],
    };
  },
};
