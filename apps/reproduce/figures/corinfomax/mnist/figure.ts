// CorInfoMax (Bozkurt, Pehlevan & Erdogan, NeurIPS 2023): the MNIST comparison — final test
// accuracy of CorInfoMax, sparse CorInfoMax, EP, CSM, PC, PC-Nudge, BP and FA, each as the paper's
// code runs it, beside the published values (the notebooks of Supervised-CorInfoMax).
import type { FigureDefinition } from "../../../types.ts";
import { tableFigure, type TableSpec } from "../_table.ts";

const NB = "Plot_CorInfoMax_MNIST_Results";

/** The MNIST table: rules, published values, verdict thresholds and the quick protocol. */
export const MNIST_TABLE: TableSpec = {
  id: "corinfomax/mnist",
  dataset: "MNIST",
  rules: [
    {
      file: "mnist_corinfomax.yaml",
      label: "CorInfoMax",
      arch: "784-500-10",
      paper: { mean: 97.62, std: 0.12, source: `${NB}, setting 3` },
    },
    {
      file: "mnist_sparse.yaml",
      label: "CorInfoMax-Sparse",
      arch: "784-500-10",
      paper: { mean: 97.71, std: 0.10, source: "Plot_CorInfoMax-Sparse_Results" },
    },
    {
      file: "mnist_ep.yaml",
      label: "EP",
      arch: "784-500-10",
      paper: { mean: 97.62, std: 0.08, source: NB },
    },
    {
      file: "mnist_csm.yaml",
      label: "CSM",
      arch: "784-500-10",
      paper: { mean: 98.08, std: 0.06, source: `${NB}, setting 2` },
    },
    {
      file: "mnist_pc.yaml",
      label: "PC",
      arch: "784-600-600-10",
      paper: { mean: 98.17, std: 0.22, source: `${NB}, PC V2 setting 3` },
    },
    {
      file: "mnist_pc_nudge.yaml",
      label: "PC-Nudge",
      arch: "784-128-64-10",
      paper: { mean: 97.71, std: 0.15, source: `${NB}, random sign` },
    },
    {
      file: "mnist_bp_mse.yaml",
      label: "BP (MSE)",
      arch: "784-500-10",
      paper: { mean: 97.58, std: 0.06, source: "Plot_BPTT_MLP_Results, setting 5" },
    },
    {
      file: "mnist_bp_ce.yaml",
      label: "BP (CE)",
      arch: "784-500-10",
      paper: { mean: 98.27, std: 0.13, source: "Plot_BPTT_MLP_Results, setting 1" },
    },
    {
      file: "mnist_fa_mse.yaml",
      label: "FA (MSE)",
      arch: "784-500-10",
      paper: { mean: 97.99, std: 0.10, source: "Plot_FeedbackAlignment_Results, setting 9" },
    },
    {
      file: "mnist_fa_ce.yaml",
      label: "FA (CE)",
      arch: "784-500-10",
      paper: { mean: 97.96, std: 0.13, source: "Plot_FeedbackAlignment_Results, setting 1" },
    },
  ],
  compare: { rule: "CorInfoMax", reference: "BP (MSE)" },
  wellAbove: 0.8,
  margin: { quick: 5, full: 1 },
  paperTolerance: 1,
  quick: { epochs: 2, seeds: [0], dataset: { train_size: 10000 } },
  quickNote: "2 epochs on a seeded 10 000-image subset of the training set (500 batches of 20 " +
    "per epoch instead of 3000, 50 epochs), seed 0 only (paper: 10 seeds), full test set",
};

/** The figure `corinfomax/mnist`. */
export const CORINFOMAX_MNIST: FigureDefinition = tableFigure(MNIST_TABLE, {
  title: "CorInfoMax: MNIST test accuracy of every rule of the comparison",
  source:
    "the Supervised-CorInfoMax notebooks (final-epoch test accuracy, mean ± std over 10 seeds, " +
    "best setting by train accuracy)",
});
