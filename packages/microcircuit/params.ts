/**
 * Parameters of a microcircuit experiment, keyed exactly as the reference `params.json` files of
 * the PAL numpy code (`dt`, `Tpres`, `tauxi`, `eta_bw`, `init_WPP_range`, …), plus `task`, `rng`,
 * `file` and `max_records`. {@linkcode readParamsFile} parses the text of such a file as it is
 * (duplicate `_comment` keys and the `rec_*` switches are accepted and ignored); reading the file is
 * the caller's.
 *
 * @module
 */
import { ACTIVATION_NAMES, type ActivationName } from "./activation.ts";
import type { ModelType } from "./model.ts";

/** A resolved experiment configuration (reference key names; times in ms). */
export interface PalParams {
  /** Euler step (ms). */
  dt: number;
  /** Presentation time of one sample (ms). */
  Tpres: number;
  /** Noise resampling interval; must equal dt (ms). */
  dtxi: number;
  /** High-pass time constant τ_HP (ms). */
  tauHP: number;
  /** Low-pass time constant of forward updates τ_LO (ms). */
  tauLO: number;
  /** OU time constant τ_ξ (ms). */
  tauxi: number;
  /** Number of input samples. */
  "dataset_size": number;
  /** Training epochs (passes over the shuffled samples). */
  epochs: number;
  /** Settling time before training, without learning (ms). */
  "settling_time": number;
  /** Layer sizes. */
  layers: number[];
  /** Rate function (one name, or one per pyramidal layer). */
  activation: ActivationName | ActivationName[];
  /** `BP`, `FA` or `PAL`. */
  "model_type": ModelType;
  /** Noise type: only `OU`. */
  "noise_type": "OU";
  /** Noise mode: only `const`. */
  "noise_mode": "const";
  /** Noise σ per hidden layer. */
  "noise_scale": number[];
  /** Leak conductance. */
  gl: number;
  /** Basal conductance. */
  gbas: number;
  /** Apical conductance. */
  gapi: number;
  /** Interneuron dendritic conductance. */
  gden: number;
  /** Interneuron nudging conductance. */
  gnI: number;
  /** Target nudging conductance. */
  gntgt: number;
  /** η_fw per forward weight. */
  "eta_fw": number[];
  /** η_bw per top-down weight. */
  "eta_bw": number[];
  /** η_IP per pyramid-to-interneuron weight. */
  "eta_IP": number[];
  /** η_PI per interneuron-to-apical weight. */
  "eta_PI": number[];
  /** PAL regulariser α per top-down weight. */
  alpha: number[];
  /** Uniform init range of W. */
  "init_WPP_range": [number, number];
  /** Uniform init range of WIP. */
  "init_WIP_range": [number, number];
  /** Uniform init range of B. */
  "init_BPP_range": [number, number];
  /** Uniform init range of BPI. */
  "init_BPI_range": [number, number];
  /** Teacher's init range of W. */
  "init_teacher_WPP_range": [number, number];
  /** Teacher's init range of WIP. */
  "init_teacher_WIP_range": [number, number];
  /** Teacher's init range of B. */
  "init_teacher_BPP_range": [number, number];
  /** Teacher's init range of BPI. */
  "init_teacher_BPI_range": [number, number];
  /** Seeds; the first also seeds the input (bw_only) and the teacher (fw_bw). */
  "random_seed": number[];
  /** Start in the self-predicting state. */
  "init_in_SPS": boolean;
  /** PAL: high-pass the presynaptic rate of B. */
  "pyr_hi_pass": boolean;
  /** PAL: low-pass the forward updates. */
  "dWPP_low_pass": boolean;
  /** Input signal: only `step` (U[0, 1] per sample, held for Tpres). */
  "input_signal": "step";
  /** Steps between records. */
  "rec_per_steps": number;
  /** Prospectivity factor (1 = Latent Equilibrium, 0 = plain u). */
  taur: number;
  /** `bw_only` (learn B and BPI, no target) or `fw_bw` (teacher targets; learn everything). */
  task: "bw_only" | "fw_bw";
  /** `numpy` (MT19937 drawn in the reference's order) or `plasticity` (core's default generator). */
  rng: "numpy" | "plasticity";
  /**
   * After training, evaluate ∠(ΔW_MC, ΔW_BP) as the reference's `compare_updates`: for one weight
   * snapshot per epoch, re-impose the self-predicting state, switch the noise off and present the
   * unshuffled inputs with the teacher's targets, comparing the forward updates at the end of each
   * sample with those of an ANN trained by back-propagation.
   */
  "compare_updates": boolean;
  /** Stop after this many records (0 = run to the end). */
  "max_records": number;
}

/** The Fig3abc values, used for every key a params object leaves out. */
export const DEFAULT_PARAMS: Readonly<PalParams> = Object.freeze({
  dt: 0.01,
  Tpres: 1,
  dtxi: 0.01,
  tauHP: 0.1,
  tauLO: 100,
  tauxi: 0.1,
  "dataset_size": 100,
  epochs: 100,
  "settling_time": 100,
  layers: [5, 20, 10, 20, 5],
  activation: "logistic",
  "model_type": "PAL",
  "noise_type": "OU",
  "noise_mode": "const",
  "noise_scale": [0.05, 0.05, 0.05],
  gl: 0.03,
  gbas: 0.1,
  gapi: 0.06,
  gden: 0.1,
  gnI: 0.06,
  gntgt: 0.06,
  "eta_fw": [1, 1, 1, 1],
  "eta_bw": [50, 50, 50],
  "eta_IP": [0, 0, 0],
  "eta_PI": [5, 5, 5],
  alpha: [1e-5, 1e-5, 1e-5],
  "init_WPP_range": [-1, 1],
  "init_WIP_range": [-1, 1],
  "init_BPP_range": [-1, 1],
  "init_BPI_range": [-1, 1],
  "init_teacher_WPP_range": [-1, 1],
  "init_teacher_WIP_range": [-1, 1],
  "init_teacher_BPP_range": [-1, 1],
  "init_teacher_BPI_range": [-1, 1],
  "random_seed": [123, 456, 789, 111, 222, 1, 3, 5, 7, 9],
  "init_in_SPS": true,
  "pyr_hi_pass": true,
  "dWPP_low_pass": true,
  "input_signal": "step",
  "rec_per_steps": 1000,
  taur: 1,
  task: "bw_only",
  rng: "numpy",
  "compare_updates": false,
  "max_records": 0,
}) as Readonly<PalParams>;

/** Reference keys that are accepted only at the value the port implements. */
const FIXED: Record<string, unknown> = {
  "inter_low_pass": false,
  "dWPP_r_low_pass": false,
  "dWPP_post_low_pass": false,
  "gate_regularizer": false,
  "dWPP_use_activation": true,
  "copy_teacher_weights": false,
  "copy_teacher_voltages": false,
  "varphi_regularizer": false,
};
/** Reference keys without effect on the implemented modes. */
const IGNORED = new Set(["noise_deg", "taueps"]);

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

function fail(where: string, key: string, v: unknown, expected: string): never {
  throw new Error(`Invalid ${where}.${key} ${show(v)}: expected ${expected}`);
}

/**
 * Validates a params object (reference keys) and fills the Fig3abc defaults. Keys starting with
 * `_comment` or `rec_` (except `rec_per_steps`) are ignored; an unknown key is an error.
 *
 * @param given The parameters, e.g. a parsed `params.json`.
 * @param where Prefix for error messages, e.g. `simulation.params`.
 * @returns The resolved parameters.
 *
 * @example
 * ```ts
 * import { parseParams } from "@plasticity/microcircuit/params";
 * const p = parseParams({ layers: [1, 1, 1], eta_fw: [2, 0.5], eta_bw: [20], eta_IP: [10], eta_PI: [0.5], noise_scale: [0.01], alpha: [1e-6] });
 * console.assert(p.dt === 0.01 && p.model_type === "PAL");
 * try { parseParams({ dt: -1 }); } catch (e) { console.assert(String(e).includes("params.dt")); }
 * ```
 */
export function parseParams(given: Record<string, unknown>, where = "params"): PalParams {
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    throw new Error(`Invalid ${where} ${show(given)}: expected an object`);
  }
  const p = structuredClone(DEFAULT_PARAMS) as PalParams;
  const out = p as unknown as Record<string, unknown>;
  for (const [key, v] of Object.entries(given)) {
    if (key.startsWith("_comment") || (key.startsWith("rec_") && key !== "rec_per_steps")) continue;
    if (key === "file" || IGNORED.has(key)) continue;
    if (key in FIXED) {
      if (v !== FIXED[key]) fail(where, key, v, `${show(FIXED[key])} (the only supported value)`);
      continue;
    }
    if (!(key in DEFAULT_PARAMS)) {
      throw new Error(
        `Unknown key ${where}.${key}: expected one of ${Object.keys(DEFAULT_PARAMS).join(", ")}`,
      );
    }
    const def = (DEFAULT_PARAMS as unknown as Record<string, unknown>)[key];
    if (key === "activation") {
      const names = Array.isArray(v) ? v : [v];
      if (
        names.length === 0 ||
        names.some((n) => !(ACTIVATION_NAMES as readonly unknown[]).includes(n))
      ) {
        fail(where, key, v, `one of ${ACTIVATION_NAMES.join(", ")} or a list of them`);
      }
      out[key] = v;
    } else if (typeof def === "number") {
      if (typeof v !== "number" || !Number.isFinite(v)) fail(where, key, v, "a finite number");
      out[key] = v;
    } else if (typeof def === "boolean") {
      if (typeof v !== "boolean") fail(where, key, v, "true or false");
      out[key] = v;
    } else if (typeof def === "string") {
      const allowed: Record<string, readonly string[]> = {
        "model_type": ["BP", "FA", "PAL"],
        "noise_type": ["OU"],
        "noise_mode": ["const"],
        "input_signal": ["step"],
        task: ["bw_only", "fw_bw"],
        rng: ["numpy", "plasticity"],
      };
      const ok = allowed[key]!;
      if (typeof v !== "string" || !ok.includes(v)) fail(where, key, v, `one of ${ok.join(", ")}`);
      out[key] = v;
    } else if (Array.isArray(def)) {
      if (!Array.isArray(v) || v.some((x) => typeof x !== "number" || !Number.isFinite(x))) {
        fail(where, key, v, "a list of finite numbers");
      }
      if (key.endsWith("_range") && (v.length !== 2 || v[0] > v[1])) {
        fail(where, key, v, "[low, high] with low ≤ high");
      }
      out[key] = [...v];
    }
  }
  // Consistency checks.
  const L = p.layers.length - 1;
  if (L < 2 || p.layers.some((n) => !Number.isInteger(n) || n < 1)) {
    fail(where, "layers", p.layers, "at least three positive integers");
  }
  for (
    const key of [
      "dt",
      "Tpres",
      "tauHP",
      "tauLO",
      "tauxi",
      "gl",
      "gbas",
      "gapi",
      "gden",
    ] as const
  ) {
    if (!(p[key] > 0)) fail(where, key, p[key], "a positive number");
  }
  for (const key of ["gnI", "gntgt", "settling_time", "taur"] as const) {
    if (!(p[key] >= 0)) fail(where, key, p[key], "a number ≥ 0");
  }
  if (Math.abs(p.dtxi - p.dt) > 1e-12 * p.dt) fail(where, "dtxi", p.dtxi, `dt (${p.dt})`);
  const intKeys = ["dataset_size", "epochs", "rec_per_steps", "max_records"] as const;
  for (const key of intKeys) {
    const min = key === "dataset_size" || key === "rec_per_steps" ? 1 : 0;
    if (!Number.isInteger(p[key]) || p[key] < min) fail(where, key, p[key], `an integer ≥ ${min}`);
  }
  if (Math.abs(p.Tpres / p.dt - Math.round(p.Tpres / p.dt)) > 1e-9) {
    fail(where, "Tpres", p.Tpres, `a multiple of dt (${p.dt})`);
  }
  if (Array.isArray(p.activation) && p.activation.length !== L) {
    fail(where, "activation", p.activation, `${L} names (one per pyramidal layer)`);
  }
  const need: [keyof PalParams, number][] = [
    ["eta_fw", L],
    ["eta_bw", L - 1],
    ["eta_IP", L - 1],
    ["eta_PI", L - 1],
    ["noise_scale", L - 1],
    ["alpha", L - 1],
  ];
  for (const [key, n] of need) {
    const v = p[key] as number[];
    if (v.length < n) fail(where, key, v, `at least ${n} values for layers ${show(p.layers)}`);
  }
  if (p.random_seed.some((s) => !Number.isInteger(s) || s < 0 || s > 4294967295)) {
    fail(where, "random_seed", p.random_seed, "integers in [0, 2^32 − 1]");
  }
  if (p.random_seed.length === 0) fail(where, "random_seed", p.random_seed, "at least one seed");
  if (p.task === "fw_bw" && p.layers[0] !== p.layers[L]) {
    fail(
      where,
      "layers",
      p.layers,
      "equal input and output sizes for task fw_bw (as the reference)",
    );
  }
  return p;
}

/**
 * Parses the text of a params file, naming the file in errors.
 *
 * @param text The JSON text.
 * @param path The file name, for messages.
 * @returns The raw object.
 *
 * @example
 * ```ts
 * import { readParamsFile } from "@plasticity/microcircuit/params";
 * console.assert(readParamsFile('{"_comment": "a", "_comment": "b", "dt": 0.01}', "p.json").dt === 0.01);
 * ```
 */
export function readParamsFile(text: string, path: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`Invalid params file ${show(path)}: ${(e as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new Error(`Invalid params file ${show(path)}: expected a JSON object`);
  }
  return raw as Record<string, unknown>;
}
