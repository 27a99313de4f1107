/**
 * The microcircuit simulations for the runner (core's simulation interface). `microcircuit`:
 * parameters are a reference-style `params.json` object (optionally `file`, a params.json whose
 * values the other keys override), the seed is the student's seed, and each record is
 * `{ t, angle_B_WT_<h>, angle_B_RHS_<h>, angle_dW_<k>?, mse? }` (see {@linkcode createPalRun}).
 * `microcircuit-yin-yang`: classification with the GeNN protocol ({@linkcode resolveYinYangParams}).
 *
 * They read no file and make no data set: {@linkcode microcircuitSimulation} and
 * {@linkcode microcircuitYinYangSimulation} build their definitions from a
 * {@linkcode MicrocircuitHost} that reads the `file` and makes the yin-yang data, and whoever
 * registers them supplies it (the runner, from the file system and `@plasticity/datasets`).
 *
 * @module
 */
import { type HyperSchema, resolveHyper, SchemaError, showValue } from "@plasticity/core";
import type { SimRecord, Simulation, SimulationDefinition } from "@plasticity/core/simulation";
import { type ClassifierParams, createClassifier, YIN_YANG_PAL } from "./classification.ts";
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

const Y = YIN_YANG_PAL;
const num = (key: keyof ClassifierParams, doc: string) =>
  ({ type: "number", default: Y[key] as number, doc }) as const;
const nums = (key: keyof ClassifierParams, doc: string) =>
  ({ type: "numbers", default: Y[key] as number[], doc }) as const;

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
  dims: nums("dims", "Layer sizes, `[4, n, 3]` for yin-yang"),
  "model_type": {
    type: "string",
    default: Y.model_type,
    enum: ["PAL", "FA", "BP"],
    doc: "`PAL` (noise-driven B), `FA` (fixed B) or `BP` (B = Wᵀ)",
  },
  "eta_up": nums("eta_up", "η of forward weights, indexed by presynaptic level"),
  "eta_down": nums("eta_down", "η of B, indexed by postsynaptic level (entry 0 unused)"),
  "eta_ip": nums("eta_ip", "η of pyramid-to-interneuron weights, indexed by level − 1"),
  "eta_pi": nums("eta_pi", "η of interneuron-to-apical weights, indexed by level − 1"),
  alpha: num("alpha", "PAL regulariser α"),
  "noise_sig": num("noise_sig", "OU noise σ (0 = none)"),
  "noise_tau": num("noise_tau", "OU noise time constant (ms)"),
  "highpass_tau": num("highpass_tau", "High-pass time constant (ms)"),
  "tau_w_ff": num("tau_w_ff", "Low-pass time constant of forward updates (ms)"),
  "tau_w_ip": num("tau_w_ip", "Low-pass time constant of the pyramid-to-interneuron updates (ms)"),
  "tau_w_pi": num("tau_w_pi", "Low-pass time constant of the interneuron-to-apical updates (ms)"),
  "step_order": {
    type: "string",
    default: Y.step_order as string,
    enum: ["genn", "numpy"],
    doc: "Step kernel: `genn` (GeNN's order) or `numpy` (the numpy reference's)",
  },
  dt: num("dt", "Euler step (ms)"),
  "t_pattern": num("t_pattern", "Presentation time per sample (ms)"),
  "recs_per_sample": num("recs_per_sample", "Records per sample (accuracy uses records 2 … last)"),
  "n_epochs": { ...num("n_epochs", "Epochs"), integer: true, min: 0 },
  uhigh: num("uhigh", "Target voltage of the correct class"),
  ulow: num("ulow", "Target voltage of the other classes"),
  "init_up": num("init_up", "Forward weights start U(−up, up)"),
  "init_down": num("init_down", "B starts U(−down, down)"),
  gl: num("gl", "Leak conductance"),
  gb: num("gb", "Basal conductance"),
  ga: num("ga", "Apical conductance"),
  gd: num("gd", "Interneuron dendritic conductance"),
  gsom: num("gsom", "Interneuron nudging conductance"),
  gtar: num("gtar", "Target nudging conductance"),
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
  const where = "simulation.params";
  const resolved = resolveHyper(YIN_YANG_PARAMS_SCHEMA, params, where);
  const classifier: Record<string, unknown> = {}, data: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(resolved)) {
    if (key in YY_DATA_SCHEMA) data[key] = v;
    else classifier[key] = v;
  }
  const d = classifier.dims as number[];
  if (d.length !== 3 || d[0] !== 4 || d[2] !== 3 || !Number.isInteger(d[1]) || d[1]! < 1) {
    throw new SchemaError(
      `${where}.dims: expected [4, n, 3] for yin-yang, got ${showValue(d)}`,
    );
  }
  return {
    classifier: classifier as unknown as ClassifierParams,
    data: data as unknown as YinYangSizes,
  };
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
    resolve(params) {
      const { classifier, data } = resolveYinYangParams(params);
      return { ...classifier, ...data };
    },
    create(params, context) {
      const data = {} as Record<string, number>, rest: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(params)) {
        if (k in YY_DATA_SCHEMA) data[k] = v as number;
        else rest[k] = v;
      }
      const classifier = rest as unknown as ClassifierParams;
      const split = (perClass: number, seed: number) => {
        const s = host.yinYang(3 * perClass, seed >>> 0);
        return { x: s.x, labels: s.labels, n: 3 * perClass };
      };
      const run = createClassifier(classifier, context.seed);
      let summary: Record<string, number> = {};
      return {
        totalRecords: classifier.n_epochs + 1,
        run(onRecord: (record: SimRecord) => void): void {
          summary = run.run({
            train: split(data.n_train!, data.data_seed!),
            validation: split(data.n_valid!, data.data_seed! + 1),
            test: split(data.n_test!, data.data_seed! + 2),
          }, onRecord);
        },
        summary: () => summary,
      };
    },
  };
}
