// bioflax (yschimpf/bioflax) on its teacher–student regression with the run_train.py defaults:
// BP, FA, Kolen–Pollack and DFA, test loss and alignment per epoch.
import type { FigureDefinition } from "../../../types.ts";
import { bioflaxFigure, type BioflaxTask } from "../_analysis.ts";

/** The teacher–student task: 1440 training samples in batches of 32. */
export const TEACHER_TASK: BioflaxTask = {
  id: "bioflax/teacher-student",
  name: "teacher–student",
  protocol: "teacher 1-64-32-10 sigmoid, x ~ U[−1, 1); student 1-500-500-10 ReLU, LeCun-normal " +
    "W and B, ½ mean squared error, SGD lr 0.02, batch 32, 1440 training / 320 test samples",
  main: "teacher.yaml",
  kpDecay: "teacher_kp_decay.yaml",
  lambda: 0.005,
  stepsPerEpoch: Math.ceil(1440 / 32),
  shapes: [[1, 500], [500, 500], [500, 10]],
  classification: false,
  quick: {
    main: { seeds: [0, 1, 2, 3, 4] },
    kpDecay: { seeds: [0, 1, 2, 3, 4] },
    note: "quick mode: seeds 0–4 instead of 0–9 (bioflax's 5 epochs)",
  },
};

/** bioflax on the teacher–student task. */
export const BIOFLAX_TEACHER: FigureDefinition = bioflaxFigure(
  TEACHER_TASK,
  "bioflax defaults on teacher–student regression: BP, FA, KP and DFA, loss and alignment per epoch",
);
