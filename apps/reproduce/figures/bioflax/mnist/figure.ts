// bioflax (yschimpf/bioflax) on MNIST with its run_train.py defaults: BP, FA, Kolen–Pollack and
// DFA, test accuracy and alignment per epoch.
import type { FigureDefinition } from "../../../types.ts";
import { bioflaxFigure, type BioflaxTask } from "../_analysis.ts";

/** The MNIST task: 54 000 training images in batches of 32. */
export const MNIST_TASK: BioflaxTask = {
  id: "bioflax/mnist",
  name: "MNIST",
  protocol: "784-500-500-10 ReLU, LeCun-normal W and B, softmax cross-entropy, SGD lr 0.02, " +
    "batch 32, 54 000 training / 10 000 test images",
  main: "mnist.yaml",
  kpDecay: "mnist_kp_decay.yaml",
  lambda: 1e-4,
  stepsPerEpoch: Math.ceil(54000 / 32),
  shapes: [[784, 500], [500, 500], [500, 10]],
  classification: true,
  quick: {
    main: { epochs: 3, seeds: [0, 1] },
    kpDecay: { epochs: 3, seeds: [0] },
    note: "quick mode: 3 epochs instead of 5; seeds 0–1 (KP + decay: seed 0) instead of 0–9",
  },
};

/** bioflax on MNIST. */
export const BIOFLAX_MNIST: FigureDefinition = bioflaxFigure(
  MNIST_TASK,
  "bioflax defaults on MNIST: BP, FA, KP and DFA, accuracy and alignment per epoch",
);
