// PAL paper (Max et al., arXiv 2212.10249): the MNIST classification sweep of the PAL GeNN code
// (unibe-cns/pal_microcircuits_genn): PAL against feedback alignment on the 784-100-10 microcircuit.
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

const SOURCE = "Max et al. 2022 (arXiv 2212.10249), Fig. 4c–f (GeNN microcircuit); only the " +
  "abstract's qualitative claim was available, no numbers (see README)";

/** The two MNIST sweeps of the GeNN code, in legend order. */
export const MNIST_MODELS = [
  { file: "mnist_pal.yaml", label: "PAL", color: "#2ca02c" },
  { file: "mnist_fa.yaml", label: "FA", color: "#7f7f7f" },
] as const;

/** Both models must end at least this accurate (5 × chance on 10 classes) to have learnt. */
export const LEARNT_ACCURACY = 0.5;

/** Quick mode: what the trials run (see README for the measured wall time). */
const QUICK = { seeds: [123456], epochs: 5, train: 2000, valid: 1000 };

const PROTOCOL =
  "784-100-10 dendritic microcircuit, GeNN configs and step order; MNIST / 256, train = images 0–49 999, validation 50 000–59 999, test = the 10 000";

const PAPER = {
  pal: "PAL beats random feedback (FA) and needs fewer neurons (abstract; no numbers available)",
  angle: "PAL learns B towards Wᵀ, FA keeps B random (no numbers available)",
};

const pct = (v: number | undefined) => fmt(v === undefined ? undefined : 100 * v);
const lastEpoch = (s: EpochSeries) => s.epoch[s.epoch.length - 1];

function outcomes(data: Record<string, Row[]>, full: boolean): Outcome[] {
  const [pal, fa] = MNIST_MODELS.map((m) => data[m.file] ?? []);
  const acc = [pal!, fa!].map((r) => epochSeries(r, "val_accuracy"));
  const ang = [pal!, fa!].map((r) => epochSeries(r, "angle_B_WT_0"));
  const palAcc = last(acc[0]!), faAcc = last(acc[1]!);
  const both = palAcc === undefined || faAcc === undefined;
  const out: Outcome[] = [{
    panel: "acc",
    expected: `PAL and FA both learn: mean validation accuracy at the last epoch ≥ ${
      100 * LEARNT_ACCURACY
    } % (chance 10 %)`,
    paper: "both rules train the microcircuit on MNIST (GeNN sweeps)",
    ours: `PAL ${pct(palAcc)} %, FA ${pct(faAcc)} % after ${lastEpoch(acc[0]!) ?? "–"} epochs`,
    verdict: verdictOf(
      both ? undefined : palAcc >= LEARNT_ACCURACY && faAcc >= LEARNT_ACCURACY,
    ),
  }, {
    panel: "acc",
    expected: full
      ? "PAL's mean validation accuracy above FA's at the last epoch"
      : "PAL against FA (quick mode: one seed, a few epochs on a subset cannot decide it)",
    paper: PAPER.pal,
    ours: both ? "–" : `PAL − FA = ${fmt(100 * (palAcc - faAcc), 2)} percentage points`,
    verdict: full ? verdictOf(both ? undefined : palAcc > faAcc) : "info",
  }];
  const palA = last(ang[0]!), faA = last(ang[1]!), palA0 = ang[0]!.mean[0];
  out.push({
    panel: "angle",
    expected: full
      ? "PAL's mean ∠(B, Wᵀ) falls over training and ends below FA's"
      : "∠(B, Wᵀ) of PAL and FA (quick mode cannot decide PAL below FA)",
    paper: PAPER.angle,
    ours: `PAL ${fmt(palA0)}° after 1 epoch → ${fmt(palA)}°, FA ${fmt(ang[1]!.mean[0])}° → ${
      fmt(faA)
    }° after ${lastEpoch(ang[0]!) ?? "–"} epochs`,
    verdict: full
      ? verdictOf(
        palA === undefined || faA === undefined || palA0 === undefined
          ? undefined
          : palA < palA0 && palA < faA,
      )
      : "info",
  });
  for (const [i, m] of MNIST_MODELS.entries()) {
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
        } % (${test.length} seed${test.length === 1 ? "" : "s"}); ∠(B, Wᵀ) ${fmt(last(ang[i]!))}°`,
      verdict: "info",
    });
  }
  return out;
}

/** pal-genn/mnist: PAL against FA on MNIST with the GeNN protocol. */
export const PAL_GENN_MNIST: FigureDefinition = {
  id: "pal-genn/mnist",
  title:
    "PAL (GeNN microcircuit) on MNIST: validation error and accuracy, test accuracy and ∠(B, Wᵀ) of PAL and FA",
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
  experiments: MNIST_MODELS.map((m) => ({
    file: m.file,
    panels: ["err", "acc", "angle", "test"],
    quickNote:
      `${QUICK.seeds.length} seed, ${QUICK.epochs} of 100 epochs on the first ${QUICK.train} training and ${QUICK.valid} validation images; all 10 000 test images`,
    quick: {
      seeds: QUICK.seeds,
      simulation: {
        params: { n_epochs: QUICK.epochs, n_train: QUICK.train, n_valid: QUICK.valid },
      },
    },
  })),
  async analyse(ctx): Promise<FigureOutput> {
    const data: Record<string, Row[]> = {};
    for (const m of MNIST_MODELS) data[m.file] = await ctx.rows(m.file);
    const charts: Chart[] = [];
    const add = (c: Chart | undefined) => c && ctx.panels.has(c.panel) && charts.push(c);
    const panel = (id: string, name: string, title: string, y: string, column: string) =>
      add(bandChart(
        MNIST_MODELS,
        PROTOCOL,
        id,
        name,
        title,
        y,
        column,
        data,
        ctx.note(id),
        column.startsWith("angle") ? [0, 90] : undefined,
      ));
    panel(
      "err",
      "val_error",
      "PAL (GeNN) MNIST: validation error",
      "validation error √mean((ŭ − target)²)",
      "val_error",
    );
    panel(
      "acc",
      "val_accuracy",
      "PAL (GeNN) MNIST: validation accuracy",
      "validation accuracy",
      "val_accuracy",
    );
    panel(
      "angle",
      "angle",
      "PAL (GeNN) MNIST: alignment of B with Wᵀ (hidden layer)",
      "∠(B, Wᵀ) (degrees)",
      "angle_B_WT_0",
    );
    return {
      charts,
      outcomes: outcomes(data, ctx.mode === "full"),
      tables: [testTable("MNIST", MNIST_MODELS, data)],
    };
  },
};
