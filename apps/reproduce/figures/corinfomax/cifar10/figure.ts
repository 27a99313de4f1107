// CorInfoMax (Bozkurt, Pehlevan & Erdogan, NeurIPS 2023): the CIFAR-10 comparison. CIFAR-10 has no
// embedded copy: where its files are missing (`deno task data download cifar10`), every row is
// reported as not run and the figure still exits 0.
import type { FigureDefinition } from "../../../types.ts";
import { tableFigure, type TableSpec } from "../_table.ts";

const NB = "Plot_CorInfoMax_CIFAR10_Results";

/** The CIFAR-10 table: rules, published values, verdict thresholds and the quick protocol. */
export const CIFAR10_TABLE: TableSpec = {
  id: "corinfomax/cifar10",
  dataset: "CIFAR-10",
  rules: [
    {
      file: "cifar10_corinfomax.yaml",
      label: "CorInfoMax",
      arch: "3072-1000-10",
      paper: { mean: 51.86, std: 0.33, source: `${NB}, setting 3` },
    },
    {
      file: "cifar10_sparse.yaml",
      label: "CorInfoMax-Sparse",
      arch: "3072-1000-10",
      paper: { mean: 51.19, std: 0.36, source: "Plot_CorInfoMax-Sparse_Results, setting 2" },
    },
    {
      file: "cifar10_ep.yaml",
      label: "EP",
      arch: "3072-500-10",
      paper: { mean: 49.28, std: 0.50, source: `${NB}, EP V2 setting 4` },
    },
    {
      file: "cifar10_pc_nudge.yaml",
      label: "PC-Nudge",
      arch: "3072-256-64-10",
      paper: { mean: 48.58, std: 0.67, source: `${NB}, random sign` },
    },
    {
      file: "cifar10_bp_mse.yaml",
      label: "BP (MSE)",
      arch: "3072-1000-10",
      paper: { mean: 52.75, std: 0.40, source: "Plot_BPTT_MLP_Results, setting 4" },
    },
    {
      file: "cifar10_bp_ce.yaml",
      label: "BP (CE)",
      arch: "3072-1000-10",
      paper: { mean: 53.96, std: 0.48, source: "Plot_BPTT_MLP_Results, setting 4" },
    },
    {
      file: "cifar10_fa_mse.yaml",
      label: "FA (MSE)",
      arch: "3072-1000-10",
      paper: { mean: 50.75, source: "Plot_FeedbackAlignment_Results, setting 9" },
    },
    {
      file: "cifar10_fa_ce.yaml",
      label: "FA (CE)",
      arch: "3072-1000-10",
      paper: { mean: 52.37, std: 0.32, source: "Plot_FeedbackAlignment_Results, setting 3" },
    },
  ],
  compare: { rule: "CorInfoMax", reference: "BP (MSE)" },
  wellAbove: 0.3,
  margin: { quick: 5, full: 2 },
  paperTolerance: 2,
  quick: { epochs: 1, seeds: [0], dataset: { train_size: 5000, test_size: 2000 } },
  quickNote: "1 epoch on a seeded 5000-image subset of the training set (250 batches of 20 " +
    "instead of 2500, 50 epochs), a seeded 2000-image subset of the test set, seed 0 only " +
    "(paper: 10 seeds)",
};

/** The figure `corinfomax/cifar10`. */
export const CORINFOMAX_CIFAR10: FigureDefinition = tableFigure(CIFAR10_TABLE, {
  title: "CorInfoMax: CIFAR-10 test accuracy of every rule of the comparison",
  source:
    "the Supervised-CorInfoMax notebooks (final-epoch test accuracy, mean ± std over 10 seeds, " +
    "best setting by train accuracy)",
});
