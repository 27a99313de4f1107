/**
 * The dataset names and the options each accepts (snake_case, validated with core's
 * `resolveHyper`).
 *
 * @module
 */
import { ACTIVATIONS, type HyperSchema, type HyperValue, INIT_KINDS } from "@plasticity/core";
import { DatasetError } from "./errors.ts";
import { NORMALIZATIONS } from "./transform.ts";

/** Every dataset name {@linkcode loadDataset} accepts. */
export const DATASET_NAMES: readonly string[] = [
  "mnist",
  "fashion-mnist",
  "cifar10",
  "yin-yang",
  "teacher-student",
  "sine",
  "bars",
];

const targetValues = {
  type: "numbers",
  default: [0, 1],
  doc: "one-hot target values [off, on], e.g. [0, 1], [-1, 1], [0.03, 0.97], [0.1, 1]",
} as const;

const dataSeed = {
  type: "number",
  default: -1,
  integer: true,
  min: -1,
  doc: "seed of the generated data; -1 uses the run seed",
} as const;

function imageSchema(cifar: boolean): HyperSchema {
  const schema: HyperSchema = {
    "train_size": {
      type: "number",
      default: -1,
      integer: true,
      min: -1,
      doc:
        "keep a seeded random subset of this many training samples (after validation and per_class); -1 keeps all",
    },
    "test_size": {
      type: "number",
      default: -1,
      integer: true,
      min: -1,
      doc: "keep a seeded random subset of this many test samples; -1 keeps all",
    },
    "validation_size": {
      type: "number",
      default: 0,
      integer: true,
      min: 0,
      doc: "samples moved from the training set to a validation set (bioflax: 6000, PAL: 10000)",
    },
    "validation_split": {
      type: "string",
      default: "random",
      enum: ["random", "tail"],
      doc:
        "which training samples become validation: a seeded random choice, or the last ones (PAL)",
    },
    "classes": {
      type: "number",
      default: 10,
      integer: true,
      min: 1,
      max: 10,
      doc:
        "keep only classes 0..classes-1 (partial_targets_num of the Song et al. 2024 code); targets have this many entries",
    },
    "per_class": {
      type: "number",
      default: -1,
      integer: true,
      min: -1,
      doc:
        "keep k random training images per class (partial_num of the Song et al. 2024 code); -1 keeps all",
    },
    "test_per_class": {
      type: "number",
      default: -1,
      integer: true,
      min: -1,
      doc: "keep k random test images per class; -1 keeps all",
    },
    normalize: {
      type: "string",
      default: "unit",
      enum: cifar ? NORMALIZATIONS : NORMALIZATIONS.filter((n) => !n.startsWith("cifar")),
      doc:
        "pixel normalisation: none (0..255), unit (÷255), div256, mnist ((÷255 − 0.1307) / 0.3081), " +
        "fashion-mnist ((÷255 − 0.2859) / 0.3530)" +
        (cifar ? ", cifar (per-channel mean/std), cifar-corinfomax (3× std)" : ""),
    },
    "target_values": targetValues,
  };
  if (cifar) {
    schema.grayscale = {
      type: "boolean",
      default: false,
      doc: "convert to grayscale like PIL convert('L') (32×32 → 1024 inputs)",
    };
  }
  return schema;
}

/** The bars of the PAL GeNN code (`BarsDataset`; its defaults: 10 samples per class, noise 0.01). */
function barsSchema(): HyperSchema {
  const perClass = (d: number, min: number, doc: string) =>
    ({ type: "number", default: d, integer: true, min, max: 1e6, doc }) as const;
  return {
    "square_size": {
      type: "number",
      default: 3,
      integer: true,
      min: 2,
      max: 64,
      doc: "side s of the s × s image (s² inputs)",
    },
    "per_class": perClass(10, 1, "training samples per class"),
    "validation_per_class": perClass(0, 0, "validation samples per class (0: none)"),
    "test_per_class": perClass(10, 1, "test samples per class"),
    "noise_level": {
      type: "number",
      default: 0.01,
      min: 0,
      doc: "width of the uniform noise added to every pixel",
    },
    "bottom_left": { type: "number", default: 0, doc: "background pixel value" },
    "top_right": { type: "number", default: 1, doc: "bar pixel value (above bottom_left)" },
    "data_seed": {
      ...dataSeed,
      doc: "numpy seed of the training set (validation +1, test +2); -1 uses the run seed",
    },
    "target_values": targetValues,
  };
}

function synthSizes(train: number, validation: number, test: number): HyperSchema {
  return {
    "train_size": {
      type: "number",
      default: train,
      integer: true,
      min: 1,
      doc: "training samples",
    },
    "validation_size": {
      type: "number",
      default: validation,
      integer: true,
      min: 0,
      doc: "validation samples (0: none)",
    },
    "test_size": { type: "number", default: test, integer: true, min: 1, doc: "test samples" },
  };
}

/**
 * The options of a dataset, as a core `HyperSchema`.
 *
 * @param name A name from {@linkcode DATASET_NAMES}.
 * @returns The schema (a fresh object).
 *
 * @example
 * ```ts
 * import { datasetSchema } from "@plasticity/datasets";
 * console.assert(datasetSchema("yin-yang").train_size!.type === "number");
 * ```
 */
export function datasetSchema(name: string): HyperSchema {
  switch (name) {
    case "mnist":
    case "fashion-mnist":
      return imageSchema(false);
    case "cifar10":
      return imageSchema(true);
    case "yin-yang":
      return {
        ...synthSizes(6000, 900, 900),
        "data_seed": {
          ...dataSeed,
          doc:
            "numpy seed of the training set (validation +1, test +2); 9876543 reproduces Kriener et al. and PAL; -1 uses the run seed",
        },
        "r_small": { type: "number", default: 0.1, min: 0, doc: "radius of the dots" },
        "r_big": { type: "number", default: 0.5, min: 0, doc: "radius of the figure" },
        "target_values": targetValues,
      };
    case "teacher-student":
      return {
        ...synthSizes(1440, 160, 320),
        "data_seed": dataSeed,
        "teacher_sizes": {
          type: "numbers",
          default: [1, 64, 32, 10],
          doc:
            "teacher layer sizes, input first (bioflax upstream: [1, 64, 32, 10]; companion: [78, 2, 1])",
        },
        "teacher_activation": {
          type: "string",
          default: "sigmoid",
          enum: ACTIVATIONS,
          doc:
            "teacher hidden activation (identity skips it; hardSigmoid is Keras 2's clamp(0.2x + 0.5, 0, 1)); the output layer is linear",
        },
        "teacher_init": {
          type: "string",
          default: "lecunNormal",
          enum: INIT_KINDS,
          doc: "teacher weight initialiser (Flax default lecunNormal); biases are zero",
        },
        "teacher_init_scale": {
          type: "number",
          default: 1,
          min: 0,
          doc:
            "gain (xavier*), scale (lecunNormal), std (normal) or half-width (uniform) of the initialiser",
        },
        "input_distribution": {
          type: "string",
          default: "uniform",
          enum: ["uniform", "normal"],
          doc: "inputs U[-1, 1) (bioflax upstream) or N(0, 1) (companion)",
        },
        standardize: {
          type: "boolean",
          default: false,
          doc:
            "standardise inputs and targets of each split by their global mean and std (companion)",
        },
      };
    case "sine":
      return { ...synthSizes(1440, 160, 320), data_seed: dataSeed };
    case "bars":
      return barsSchema();
  }
  throw unknownDataset(name);
}

/**
 * Checks what the schema of a dataset cannot say about its resolved options: for the image sets,
 * `train_size`, `test_size`, `per_class` and `test_per_class` are -1 (all) or at least 1,
 * `target_values` has two entries, and the CIFAR normalisations are not asked of grayscale
 * images; for teacher-student, `teacher_sizes` has at least two sizes; for yin-yang,
 * 0 < 2 `r_small` < `r_big`. Called by the loader and by `datasetSource`.
 *
 * @param name A name from {@linkcode DATASET_NAMES}.
 * @param o The options, resolved against {@linkcode datasetSchema}.
 * @throws {DatasetError} Naming the key (`dataset.<key>`), the value and what was expected.
 *
 * @example
 * ```ts
 * import { checkDatasetOptions, datasetSchema } from "@plasticity/datasets";
 * import { resolveHyper } from "@plasticity/core";
 * const o = resolveHyper(datasetSchema("mnist"), { train_size: 0 }, "dataset");
 * let msg = "";
 * try {
 *   checkDatasetOptions("mnist", o);
 * } catch (e) {
 *   msg = (e as Error).message;
 * }
 * console.assert(msg === "dataset.train_size: expected -1 (all) or an integer ≥ 1, got 0");
 * ```
 */
export function checkDatasetOptions(name: string, o: Readonly<Record<string, HyperValue>>): void {
  if (name === "teacher-student") {
    const sizes = o.teacher_sizes as readonly number[];
    if (sizes.length < 2 || !sizes.every((n) => Number.isInteger(n) && n >= 1)) {
      throw new DatasetError(
        `dataset.teacher_sizes: expected at least two integers ≥ 1 (input size first), got ${
          JSON.stringify(sizes)
        }`,
      );
    }
  }
  if (name === "yin-yang") {
    const small = o.r_small as number, big = o.r_big as number;
    if (!(small > 0 && big > 2 * small)) {
      throw new DatasetError(
        `dataset.r_small, dataset.r_big: expected 0 < 2 r_small < r_big, got r_small ${small} and r_big ${big}`,
      );
    }
  }
  if (name === "bars" && !((o.bottom_left as number) < (o.top_right as number))) {
    throw new DatasetError(
      `dataset.bottom_left, dataset.top_right: expected bottom_left < top_right, got bottom_left ${o.bottom_left} and top_right ${o.top_right}`,
    );
  }
  if (name !== "mnist" && name !== "fashion-mnist" && name !== "cifar10") return;
  if (o.grayscale === true && String(o.normalize).startsWith("cifar")) {
    throw new DatasetError(
      `dataset.normalize: "${o.normalize}" needs the 3 colour channels, but dataset.grayscale is true; expected none, unit, div256, mnist or fashion-mnist with grayscale`,
    );
  }
  const values = o.target_values as readonly number[];
  if (values.length !== 2) {
    throw new DatasetError(
      `dataset.target_values: expected two numbers [off, on], got ${JSON.stringify(values)}`,
    );
  }
  for (const key of ["train_size", "test_size", "per_class", "test_per_class"]) {
    if (o[key] === 0) {
      throw new DatasetError(`dataset.${key}: expected -1 (all) or an integer ≥ 1, got 0`);
    }
  }
}

/**
 * The error for an unknown dataset name.
 *
 * @param name The bad name.
 * @returns The error.
 *
 * @example
 * ```ts
 * import { unknownDataset } from "@plasticity/datasets";
 * console.assert(unknownDataset("foo").message.startsWith('Unknown dataset "foo"'));
 * ```
 */
export function unknownDataset(name: unknown): Error {
  return new Error(
    `Unknown dataset ${JSON.stringify(name)}: expected one of ${DATASET_NAMES.join(", ")}`,
  );
}
