/**
 * The microcircuit simulations for the runner (core's simulation interface). `microcircuit`:
 * parameters are a reference-style `params.json` object (optionally `file`, a params.json whose
 * values the other keys override), the seed is the student's seed, and each record is
 * `{ t, angle_B_WT_<h>, angle_B_RHS_<h>, angle_dW_<k>?, mse? }` (see {@linkcode createPalRun}).
 * `microcircuit-yin-yang` and `microcircuit-mnist`: classification with the GeNN protocol
 * ({@linkcode resolveYinYangParams}, {@linkcode resolveMnistParams}).
 *
 * They read no file and make no data set: {@linkcode microcircuitSimulation},
 * {@linkcode microcircuitYinYangSimulation} and {@linkcode microcircuitMnistSimulation} build their
 * definitions from a {@linkcode MicrocircuitHost} that reads the `file`, makes the yin-yang data
 * and gives the MNIST images, and whoever registers them supplies it (the runner, from the file
 * system and `@plasticity/datasets`).
 *
 * @module
 */
import type { HyperSchema } from "@plasticity/core";
import type { SimRecord, Simulation, SimulationDefinition } from "@plasticity/core/simulation";
import {
  type ClassData,
  type ClassifierParams,
  type ClassSplit,
  MNIST_PAL,
  YIN_YANG_PAL,
} from "./classification.ts";
import {
  classifierSchema,
  classifierSimulation,
  resolveClassifierParams,
  splitClassifierParams,
} from "./_classifier_simulation.ts";
import { createPalRun } from "./experiment.ts";

export type { SimRecord, Simulation } from "@plasticity/core/simulation";
import { type PalParams, parseParams, readParamsFile } from "./params.ts";

/** What the microcircuit simulations take from whoever registers them: files and data. */
export interface MicrocircuitHost {
  /** Reads the text of a file named in the params (`microcircuit`'s `file`); throws when it cannot. */
  readTextFile(path: string): string;
  /**
   * `size` yin-yang samples drawn from a numpy-legacy MT19937 seeded with `seed` (GeNN's data):
   * row-major `[x, y, 1 − x, 1 − y]` inputs and class labels 0–2.
   */
  yinYang(size: number, seed: number): { x: ArrayLike<number>; labels: ArrayLike<number> };
  /** The MNIST images (official training and test sets), for `microcircuit-mnist`. */
  mnist(): MnistImages;
}

/**
 * Resolves simulation parameters: reads `file` (if given) through `readTextFile` and lets the
 * other keys override it, then validates with {@linkcode parseParams}.
 *
 * @param params The `simulation.params` object of an experiment config.
 * @param readTextFile Reads the text of `file`.
 * @returns The resolved parameters.
 *
 * @example
 * ```ts
 * import { resolveSimulationParams } from "@plasticity/microcircuit/simulation";
 * const files: Record<string, string> = { "base.json": '{"epochs": 5, "task": "fw_bw"}' };
 * const read = (path: string) => files[path]!;
 * const p = resolveSimulationParams({ file: "base.json", epochs: 3 }, read);
 * console.assert(p.epochs === 3 && p.task === "fw_bw");
 * try { resolveSimulationParams({ eta_bw: 1 }, read); } catch (e) { console.assert(String(e).includes("simulation.params.eta_bw")); }
 * ```
 */
export function resolveSimulationParams(
  params: Record<string, unknown>,
  readTextFile: (path: string) => string,
): PalParams {
  const where = "simulation.params";
  let base: Record<string, unknown> = {};
  const file = params.file;
  if (file !== undefined) {
    if (typeof file !== "string" || file === "") {
      throw new Error(
        `Invalid ${where}.file ${JSON.stringify(file)}: expected the path of a params.json file`,
      );
    }
    let text: string;
    try {
      text = readTextFile(file);
    } catch (e) {
      throw new Error(`Invalid ${where}.file ${JSON.stringify(file)}: ${(e as Error).message}`);
    }
    base = readParamsFile(text, file);
  }
  return parseParams({ ...base, ...params }, where);
}

/**
 * Builds one seed's microcircuit simulation (what the `microcircuit` simulation's `create`
 * returns). `summary()` gives the last record's values (`t` as `t_final`) and `records`.
 *
 * @param params The `simulation.params` object (see {@linkcode resolveSimulationParams}).
 * @param seed The student's seed.
 * @param readTextFile Reads the text of the params' `file`.
 * @returns The simulation.
 *
 * @example
 * ```ts
 * import { createMicrocircuitSimulation } from "@plasticity/microcircuit/simulation";
 * const noFiles = (path: string): string => {
 *   throw new Error(`No file ${path}`);
 * };
 * const sim = createMicrocircuitSimulation({ epochs: 1, max_records: 2 }, 123, noFiles);
 * const recs: Record<string, number>[] = [];
 * sim.run((r) => recs.push(r));
 * console.assert(recs.length === 2 && sim.summary().angle_B_WT_0 === recs[1]!.angle_B_WT_0);
 * ```
 */
export function createMicrocircuitSimulation(
  params: Record<string, unknown>,
  seed: number,
  readTextFile: (path: string) => string,
): Simulation {
  if (!Number.isInteger(seed) || seed < 0 || seed > 4294967295) {
    throw new Error(`Invalid seed ${JSON.stringify(seed)}: expected an integer in [0, 2^32 - 1]`);
  }
  return palSimulation(resolveSimulationParams(params, readTextFile), seed);
}

/** One seed's run from resolved parameters; the runner has checked the seed. */
function palSimulation(p: PalParams, seed: number): Simulation {
  const run = createPalRun(p, seed);
  let last: SimRecord = {};
  let count = 0;
  return {
    totalRecords: run.totalRecords,
    run(onRecord: (record: SimRecord) => void): void {
      run.run((r) => {
        last = r;
        count++;
        onRecord(r);
      });
    },
    summary(): Record<string, number> {
      const out: Record<string, number> = { records: count };
      for (const [k, v] of Object.entries(last)) out[k === "t" ? "t_final" : k] = v;
      return out;
    },
  };
}

/**
 * The `microcircuit` simulation's definition, for `registerSimulation`: its `file` parameter is
 * read through the host once, when the parameters are resolved; the resolved parameters (the
 * file's values included) are what a trial records and runs.
 *
 * @param host Reads the `file` parameter's text.
 * @returns The definition.
 *
 * @example
 * ```ts
 * import { jsBackend } from "@plasticity/core";
 * import { microcircuitSimulation } from "@plasticity/microcircuit/simulation";
 * const def = microcircuitSimulation({ readTextFile: () => '{"epochs": 1}' });
 * const params = def.resolve({ file: "params.json" });
 * console.assert(params.epochs === 1);
 * console.assert(def.create(params, { seed: 1, backend: jsBackend }).totalRecords === 20);
 * ```
 */
export function microcircuitSimulation(
  host: Pick<MicrocircuitHost, "readTextFile">,
): SimulationDefinition {
  const read = (path: string) => host.readTextFile(path);
  return {
    name: "microcircuit",
    description:
      "Dendritic cortical microcircuit with Latent Equilibrium and BP/FA/PAL top-down learning (PAL numpy protocol)",
    resolve: (params) =>
      resolveSimulationParams(params, read) as unknown as Record<string, unknown>,
    create: (params, context) => palSimulation(params as unknown as PalParams, context.seed),
  };
}

/** Yin-yang data sizes (samples per class) and seed, as GeNN's `sim_config`. */
export interface YinYangSizes {
  /** Training samples per class. */
  "n_train": number;
  /** Validation samples per class. */
  "n_valid": number;
  /** Test samples per class. */
  "n_test": number;
  /** Seed of the training data (validation +1, test +2). */
  "data_seed": number;
}

const YY_DATA_SCHEMA: HyperSchema = {
  "n_train": {
    type: "number",
    default: 2000,
    integer: true,
    min: 1,
    doc: "Training samples per class",
  },
  "n_valid": {
    type: "number",
    default: 300,
    integer: true,
    min: 1,
    doc: "Validation samples per class",
  },
  "n_test": { type: "number", default: 300, integer: true, min: 1, doc: "Test samples per class" },
  "data_seed": {
    type: "number",
    default: 9876543,
    integer: true,
    min: 0,
    doc: "Seed of the training data (validation +1, test +2)",
  },
};

/**
 * The schema of the `microcircuit-yin-yang` parameters: the keys of {@linkcode YIN_YANG_PAL} with
 * its values as defaults (in its order), then `n_train`, `n_valid`, `n_test` and `data_seed`.
 * {@linkcode resolveYinYangParams} resolves with it and then checks that `dims` is `[4, n, 3]`.
 *
 * @example
 * ```ts
 * import { schemaDefaults } from "@plasticity/core";
 * import { YIN_YANG_PAL } from "@plasticity/microcircuit/classification";
 * import { YIN_YANG_PARAMS_SCHEMA } from "@plasticity/microcircuit/simulation";
 * const d = schemaDefaults(YIN_YANG_PARAMS_SCHEMA);
 * console.assert(d.n_train === 2000 && d.n_epochs === YIN_YANG_PAL.n_epochs);
 * ```
 */
export const YIN_YANG_PARAMS_SCHEMA: HyperSchema = {
  ...classifierSchema(YIN_YANG_PAL, "Layer sizes, `[4, n, 3]` for yin-yang"),
  ...YY_DATA_SCHEMA,
};

/**
 * Resolves the parameters of the `microcircuit-yin-yang` simulation with
 * {@linkcode YIN_YANG_PARAMS_SCHEMA}: the keys of {@linkcode YIN_YANG_PAL} (GeNN config names, plus
 * `step_order`: `genn`, the default, for GeNN's order of operations with its one-step synaptic
 * delays, or `numpy` for the numpy reference's) plus `n_train`, `n_valid`, `n_test` (samples per
 * class, GeNN's 2000 / 300 / 300) and `data_seed` (9876543; validation and test use +1 and +2).
 *
 * @param params The `simulation.params` object.
 * @returns The classifier configuration and the data sizes.
 * @throws {SchemaError} On a bad value, naming the key.
 *
 * @example
 * ```ts
 * import { resolveYinYangParams } from "@plasticity/microcircuit/simulation";
 * console.assert(resolveYinYangParams({ n_epochs: 2 }).classifier.n_epochs === 2);
 * console.assert(resolveYinYangParams({ step_order: "numpy" }).classifier.step_order === "numpy");
 * try { resolveYinYangParams({ eta_up: 5 }); } catch (e) { console.assert(String(e).includes("simulation.params.eta_up")); }
 * ```
 */
export function resolveYinYangParams(
  params: Record<string, unknown>,
): { classifier: ClassifierParams; data: YinYangSizes } {
  const { classifier, data } = resolveClassifierParams(
    YIN_YANG_PARAMS_SCHEMA,
    YY_DATA_SCHEMA,
    params,
    { nIn: 4, nOut: 3, task: "yin-yang" },
  );
  return { classifier, data: data as unknown as YinYangSizes };
}

/**
 * The `microcircuit-yin-yang` simulation's definition, for `registerSimulation`: training,
 * validation and test data come from the host, `3 · n_<split>` samples with seeds `data_seed`,
 * `data_seed + 1` and `data_seed + 2` (as unsigned 32-bit integers).
 *
 * @param host Makes the yin-yang data.
 * @returns The definition.
 *
 * @example
 * ```ts
 * import { jsBackend } from "@plasticity/core";
 * import { microcircuitYinYangSimulation } from "@plasticity/microcircuit/simulation";
 * const asked: number[] = [];
 * const def = microcircuitYinYangSimulation({
 *   yinYang: (size, seed) => {
 *     asked.push(size, seed);
 *     const labels = Array.from({ length: size }, (_, i) => i % 3);
 *     return { x: labels.flatMap((c) => [c / 3, 0.5, 1 - c / 3, 0.5]), labels };
 *   },
 * });
 * const params = def.resolve({ n_epochs: 0, n_train: 2, n_valid: 1, n_test: 1 });
 * const sim = def.create(params, { seed: 0, backend: jsBackend });
 * sim.run(() => {});
 * console.assert(asked.join() === "6,9876543,3,9876544,3,9876545");
 * ```
 */
export function microcircuitYinYangSimulation(
  host: Pick<MicrocircuitHost, "yinYang">,
): SimulationDefinition {
  return {
    name: "microcircuit-yin-yang",
    description: "Dendritic microcircuit (PAL/FA/BP) classifying yin-yang with the GeNN protocol",
    schema: YIN_YANG_PARAMS_SCHEMA,
    resolve(params) {
      const { classifier, data } = resolveYinYangParams(params);
      return { ...classifier, ...data };
    },
    create(params, context) {
      const { classifier, data } = splitClassifierParams(params, YY_DATA_SCHEMA);
      const split = (perClass: number, seed: number) => {
        const s = host.yinYang(3 * perClass, seed >>> 0);
        return { x: s.x, labels: s.labels, n: 3 * perClass };
      };
      return classifierSimulation(classifier, context.seed, () => ({
        train: split(data.n_train!, data.data_seed!),
        validation: split(data.n_valid!, data.data_seed! + 1),
        test: split(data.n_test!, data.data_seed! + 2),
      }), context.resume);
    },
  };
}

/** One split of MNIST as the host gives it: raw pixels and labels. */
export interface MnistSet {
  /** `n × 784` pixels, 0–255, row-major (28 × 28 per image). */
  readonly images: ArrayLike<number>;
  /** Class (0–9) per image. */
  readonly labels: ArrayLike<number>;
  /** Number of images. */
  readonly n: number;
}

/** MNIST as torchvision gives it to the GeNN code: the 60 000 training and 10 000 test images. */
export interface MnistImages {
  /** The official training set (60 000 images). */
  readonly train: MnistSet;
  /** The official test set (10 000 images). */
  readonly test: MnistSet;
}

/** MNIST data sizes of the `microcircuit-mnist` simulation (images per split). */
export interface MnistSizes {
  /** Training images: the first `n_train` of training-set images 0–49 999. */
  "n_train": number;
  /** Validation images: the first `n_valid` of training-set images 50 000–59 999. */
  "n_valid": number;
  /** Test images: the first `n_test` of the official test set. */
  "n_test": number;
}

/** GeNN's MNIST split: training-set images 0–49 999 train, 50 000–59 999 validate. */
const MNIST_TRAIN = 50000, MNIST_VALID = 10000, MNIST_TEST = 10000, MNIST_PIXELS = 784;

const MNIST_DATA_SCHEMA: HyperSchema = {
  "n_train": {
    type: "number",
    default: MNIST_TRAIN,
    integer: true,
    min: 1,
    max: MNIST_TRAIN,
    doc: "Training images: the first n of training-set images 0–49 999",
  },
  "n_valid": {
    type: "number",
    default: MNIST_VALID,
    integer: true,
    min: 1,
    max: MNIST_VALID,
    doc: "Validation images: the first n of training-set images 50 000–59 999",
  },
  "n_test": {
    type: "number",
    default: MNIST_TEST,
    integer: true,
    min: 1,
    max: MNIST_TEST,
    doc: "Test images: the first n of the official 10 000",
  },
};

/**
 * The schema of the `microcircuit-mnist` parameters: the keys of {@linkcode MNIST_PAL} with its
 * values as defaults (in its order), then `n_train`, `n_valid` and `n_test` (GeNN's 50 000 /
 * 10 000 / 10 000). {@linkcode resolveMnistParams} resolves with it and then checks that `dims` is
 * `[784, n, 10]`.
 *
 * @example
 * ```ts
 * import { schemaDefaults } from "@plasticity/core";
 * import { MNIST_PAL } from "@plasticity/microcircuit/classification";
 * import { MNIST_PARAMS_SCHEMA } from "@plasticity/microcircuit/simulation";
 * const d = schemaDefaults(MNIST_PARAMS_SCHEMA);
 * console.assert(d.n_train === 50000 && d.n_epochs === MNIST_PAL.n_epochs);
 * console.assert(JSON.stringify(d.eta_up) === "[1,0.005]");
 * ```
 */
export const MNIST_PARAMS_SCHEMA: HyperSchema = {
  ...classifierSchema(MNIST_PAL, "Layer sizes, `[784, n, 10]` for MNIST"),
  ...MNIST_DATA_SCHEMA,
};

/**
 * Resolves the parameters of the `microcircuit-mnist` simulation with
 * {@linkcode MNIST_PARAMS_SCHEMA}: the keys of {@linkcode MNIST_PAL} (GeNN config names, plus
 * `step_order`) and the data sizes `n_train`, `n_valid`, `n_test`.
 *
 * @param params The `simulation.params` object.
 * @returns The classifier configuration and the data sizes.
 * @throws {SchemaError} On a bad value, naming the key.
 *
 * @example
 * ```ts
 * import { resolveMnistParams } from "@plasticity/microcircuit/simulation";
 * const r = resolveMnistParams({ n_epochs: 2, n_train: 100 });
 * console.assert(r.classifier.n_epochs === 2 && r.data.n_train === 100 && r.data.n_valid === 10000);
 * try { resolveMnistParams({ dims: [784, 100, 3] }); } catch (e) { console.assert(String(e).includes("[784, n, 10]")); }
 * ```
 */
export function resolveMnistParams(
  params: Record<string, unknown>,
): { classifier: ClassifierParams; data: MnistSizes } {
  const { classifier, data } = resolveClassifierParams(
    MNIST_PARAMS_SCHEMA,
    MNIST_DATA_SCHEMA,
    params,
    { nIn: MNIST_PIXELS, nOut: 10, task: "MNIST" },
  );
  return { classifier, data: data as unknown as MnistSizes };
}

/**
 * The GeNN protocol's MNIST splits (spec: `Dataset` of torchvision, pixels / 256, flattened):
 * training = the first `n_train` of training-set images 0–49 999, validation = the first `n_valid`
 * of training-set images 50 000–59 999, test = the first `n_test` of the official test set.
 * Pixels / 256 are exact in float32.
 *
 * @param images The official training (60 000) and test (10 000) images.
 * @param sizes How many images of each split.
 * @returns The three splits.
 * @throws {Error} When the host's data is not MNIST's 60 000 + 10 000 images of 784 pixels.
 *
 * @example
 * ```ts
 * import { mnistSplits } from "@plasticity/microcircuit/simulation";
 * const set = (n: number) => ({
 *   images: Uint8Array.from({ length: n * 784 }, (_, i) => Math.floor(i / 784) % 256),
 *   labels: Uint8Array.from({ length: n }, (_, i) => i % 10),
 *   n,
 * });
 * const s = mnistSplits({ train: set(60000), test: set(10000) }, { n_train: 2, n_valid: 1, n_test: 1 });
 * // validation starts at training image 50 000: pixel 50 000 mod 256 = 80, / 256
 * console.assert(s.validation.x[0] === 80 / 256 && s.validation.labels[0] === 0);
 * console.assert(s.train.n === 2 && s.train.x[784] === 1 / 256);
 * ```
 */
export function mnistSplits(images: MnistImages, sizes: MnistSizes): ClassData {
  const check = (set: MnistSet, n: number, what: string) => {
    if (set.n !== n || set.images.length !== n * MNIST_PIXELS || set.labels.length !== n) {
      throw new Error(
        `Invalid MNIST ${what} set: expected ${n} images of ${MNIST_PIXELS} pixels with labels, got ${set.n} images, ${set.images.length} pixels and ${set.labels.length} labels`,
      );
    }
  };
  check(images.train, MNIST_TRAIN + MNIST_VALID, "training");
  check(images.test, MNIST_TEST, "test");
  const take = (set: MnistSet, from: number, n: number): ClassSplit => {
    const x = new Float32Array(n * MNIST_PIXELS), labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = set.labels[from + i]!;
      const o = (from + i) * MNIST_PIXELS;
      for (let j = 0; j < MNIST_PIXELS; j++) x[i * MNIST_PIXELS + j] = set.images[o + j]! / 256;
    }
    return { x, labels, n };
  };
  return {
    train: take(images.train, 0, sizes.n_train),
    validation: take(images.train, MNIST_TRAIN, sizes.n_valid),
    test: take(images.test, 0, sizes.n_test),
  };
}

/**
 * The `microcircuit-mnist` simulation's definition, for `registerSimulation`: the dendritic
 * microcircuit 784-100-10 on MNIST with the GeNN protocol (`sweep_mnist_backw` /
 * `sweep_mnist_fa`): the splits of {@linkcode mnistSplits}, per epoch a validation pass (no
 * learning, no teaching) then a training pass, after the last epoch a final validation and the
 * test pass. Records as `microcircuit-yin-yang`: per epoch `epoch`, `val_accuracy`, `val_error`
 * and `angle_B_WT_0` (after the epoch's training), then one final record adding `test_accuracy`
 * and `test_error`. The images come from the host when a run starts.
 *
 * @param host Gives the MNIST images.
 * @returns The definition.
 *
 * @example
 * ```ts
 * import { jsBackend } from "@plasticity/core";
 * import { microcircuitMnistSimulation } from "@plasticity/microcircuit/simulation";
 * const set = (n: number) => ({
 *   images: new Uint8Array(n * 784).fill(128),
 *   labels: Uint8Array.from({ length: n }, (_, i) => i % 10),
 *   n,
 * });
 * const def = microcircuitMnistSimulation({ mnist: () => ({ train: set(60000), test: set(10000) }) });
 * const sim = def.create(def.resolve({ n_epochs: 0, n_train: 1, n_valid: 1, n_test: 1 }), {
 *   seed: 0,
 *   backend: jsBackend,
 * });
 * const recs: Record<string, number>[] = [];
 * sim.run((r) => recs.push(r));
 * console.assert(sim.totalRecords === 1 && recs.length === 1 && "test_accuracy" in recs[0]!);
 * ```
 */
export function microcircuitMnistSimulation(
  host: Pick<MicrocircuitHost, "mnist">,
): SimulationDefinition {
  return {
    name: "microcircuit-mnist",
    description:
      "Dendritic microcircuit (PAL/FA/BP) classifying MNIST (784-100-10) with the GeNN protocol",
    schema: MNIST_PARAMS_SCHEMA,
    resolve(params) {
      const { classifier, data } = resolveMnistParams(params);
      return { ...classifier, ...data };
    },
    create(params, context) {
      const { classifier, data } = splitClassifierParams(params, MNIST_DATA_SCHEMA);
      return classifierSimulation(
        classifier,
        context.seed,
        () => mnistSplits(host.mnist(), data as unknown as MnistSizes),
        context.resume,
      );
    },
  };
}
