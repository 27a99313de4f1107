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
  return palSimulation(resolveSimulationParams(params, readTextFile), seed);
}

function palSimulation(p: PalParams, seed: number): Simulation {
  if (!Number.isInteger(seed) || seed < 0 || seed > 4294967295) {
    throw new Error(`Invalid seed ${JSON.stringify(seed)}: expected an integer in [0, 2^32 - 1]`);
  }
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

const YY_DATA: YinYangSizes = {
  "n_train": 2000,
  "n_valid": 300,
  "n_test": 300,
  "data_seed": 9876543,
} as const;

/**
 * Resolves the parameters of the `microcircuit-yin-yang` simulation: the keys of
 * {@linkcode YIN_YANG_PAL} (GeNN config names, plus `step_order`: `genn`, the default, for GeNN's
 * order of operations with its one-step synaptic delays, or `numpy` for the numpy reference's) plus
 * `n_train`, `n_valid`, `n_test` (samples per class, GeNN's 2000 / 300 / 300) and `data_seed`
 * (9876543; validation and test use +1 and +2).
 *
 * @param params The `simulation.params` object.
 * @returns The classifier configuration and the data sizes.
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
  const classifier = structuredClone(YIN_YANG_PAL) as ClassifierParams;
  const data: Record<string, number> = { ...YY_DATA };
  const c = classifier as unknown as Record<string, unknown>;
  for (const [key, v] of Object.entries(params)) {
    const bad = (expected: string): never => {
      throw new Error(`Invalid ${where}.${key} ${JSON.stringify(v)}: expected ${expected}`);
    };
    if (key in YY_DATA) {
      if (typeof v !== "number" || !Number.isInteger(v) || v < (key === "data_seed" ? 0 : 1)) {
        bad("a positive integer");
      }
      data[key] = v as number;
    } else if (key === "model_type") {
      if (v !== "PAL" && v !== "FA" && v !== "BP") bad("one of PAL, FA, BP");
      c[key] = v;
    } else if (key === "step_order") {
      if (v !== "genn" && v !== "numpy") bad("genn or numpy");
      c[key] = v;
    } else if (key in classifier) {
      const def = c[key];
      if (Array.isArray(def)) {
        if (!Array.isArray(v) || v.some((x) => typeof x !== "number" || !Number.isFinite(x))) {
          bad("a list of finite numbers");
        }
      } else if (typeof v !== "number" || !Number.isFinite(v)) bad("a finite number");
      c[key] = Array.isArray(v) ? [...v] : v;
    } else {
      throw new Error(
        `Unknown key ${where}.${key}: expected one of ${
          [...Object.keys(YIN_YANG_PAL), ...Object.keys(YY_DATA)].join(", ")
        }`,
      );
    }
  }
  const d = classifier.dims;
  if (d.length !== 3 || d[0] !== 4 || d[2] !== 3 || !Number.isInteger(d[1]) || d[1]! < 1) {
    throw new Error(`Invalid ${where}.dims ${JSON.stringify(d)}: expected [4, n, 3] for yin-yang`);
  }
  if (!Number.isInteger(classifier.n_epochs) || classifier.n_epochs < 0) {
    throw new Error(`Invalid ${where}.n_epochs ${classifier.n_epochs}: expected an integer ≥ 0`);
  }
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
    resolve(params) {
      const { classifier, data } = resolveYinYangParams(params);
      return { ...classifier, ...data };
    },
    create(params, context) {
      const data = {} as Record<string, number>, rest: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(params)) {
        if (k in YY_DATA) data[k] = v as number;
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
