// bioflax (yschimpf/bioflax) on its sine regression (--dataset sinreg) with the run_train.py
// defaults: BP, FA, Kolen–Pollack and DFA, test loss and alignment per epoch.
import type { FigureDefinition } from "../../../types.ts";
import { bioflaxFigure, type BioflaxTask } from "../_analysis.ts";

/** The sine task: 1440 training samples in batches of 32. */
export const SINE_TASK: BioflaxTask = {
  id: "bioflax/sine",
  name: "sine regression",
  protocol: "y = sin x, x ~ U[−π, π); 1-500-500-1 ReLU, LeCun-normal W and B, ½ mean squared " +
    "error, SGD lr 0.005 (bioflax: 0.02, which diverges here), batch 32, 1440 training / 320 test samples",
  main: "sine.yaml",
  kpDecay: "sine_kp_decay.yaml",
  lambda: 0.005,
  stepsPerEpoch: Math.ceil(1440 / 32),
  shapes: [[1, 500], [500, 500], [500, 1]],
  classification: false,
  quick: {
    main: { seeds: [0, 1, 2, 3, 4] },
    kpDecay: { seeds: [0, 1, 2, 3, 4] },
    note: "quick mode: seeds 0–4 instead of 0–9 (bioflax's 5 epochs)",
  },
};

/** bioflax on sine regression. */
export const BIOFLAX_SINE: FigureDefinition = bioflaxFigure(
  SINE_TASK,
  "bioflax defaults on sine regression: BP, FA, KP and DFA, loss and alignment per epoch",
);
