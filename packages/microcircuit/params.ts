/**
 * Parameters of a microcircuit experiment, keyed exactly as the reference `params.json` files of
 * the PAL numpy code (`dt`, `Tpres`, `tauxi`, `eta_bw`, `init_WPP_range`, …), plus `task`, `rng`,
 * `file` and `max_records`. {@linkcode readParamsFile} parses the text of such a file as it is
 * (duplicate `_comment` keys and the `rec_*` switches are accepted and ignored); reading the file is
 * the caller's.
 *
 * @module
 */
import {
  type HyperSchema,
  resolveHyper,
  schemaDefaults,
  SchemaError,
  showValue,
} from "@plasticity/core";
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
  /**
   * State variables written into every record (see {@linkcode RECORDABLE}): weights `WPP`, `BPP`,
   * `WIP`, `BPI` and potentials `uP`, `uP_breve`, `vbas`, `vapi`, `uI`, as `<name>_<layer>_<index>`.
   */
  record: RecordableName[];
  /** At most this many values of each layer's array per record (the first ones, row-major). */
  "record_max_values": number;
}

/**
 * The state variables a record can carry (`record` key), with the reference's names: forward
 * weights W (`WPP`, per pyramidal layer), top-down weights B (`BPP`), lateral weights (`WIP`,
 * `BPI`, per hidden layer), somatic potentials u (`uP`) and their lookahead ŭ (`uP_breve`), basal
 * (`vbas`) and apical (`vapi`, without noise) dendrites, interneuron somata (`uI`).
 */
export const RECORDABLE = [
  "WPP",
  "BPP",
  "WIP",
  "BPI",
  "uP",
  "uP_breve",
  "vbas",
  "vapi",
  "uI",
] as const;

/** One of {@linkcode RECORDABLE}. */
export type RecordableName = typeof RECORDABLE[number];

/**
 * The schema of a params object (reference key names; times in ms): every key of
 * {@linkcode PalParams} with its type, bounds, documentation and Fig3abc default, in the order of
 * {@linkcode DEFAULT_PARAMS}. {@linkcode parseParams} resolves with it and then checks what the
 * schema cannot say (list lengths against `layers`, `dtxi` = `dt`, `Tpres` a multiple of `dt`,
 * ranges `[low, high]` with low ≤ high, equal end sizes for `fw_bw`).
 *
 * @example
 * ```ts
 * import { PAL_PARAMS_SCHEMA } from "@plasticity/microcircuit/params";
 * console.assert(PAL_PARAMS_SCHEMA.dt?.type === "number" && PAL_PARAMS_SCHEMA.dt.default === 0.01);
 * ```
 */
export const PAL_PARAMS_SCHEMA: HyperSchema = {
  dt: { type: "number", default: 0.01, above: 0, doc: "Euler step (ms)" },
  Tpres: {
    type: "number",
    default: 1,
    above: 0,
    doc: "Presentation time of one sample (ms); a multiple of dt",
  },
  dtxi: { type: "number", default: 0.01, doc: "Noise resampling interval; must equal dt (ms)" },
  tauHP: { type: "number", default: 0.1, above: 0, doc: "High-pass time constant τ_HP (ms)" },
  tauLO: {
    type: "number",
    default: 100,
    above: 0,
    doc: "Low-pass time constant of forward updates τ_LO (ms)",
  },
  tauxi: { type: "number", default: 0.1, above: 0, doc: "OU time constant τ_ξ (ms)" },
  "dataset_size": {
    type: "number",
    default: 100,
    integer: true,
    min: 1,
    doc: "Number of input samples",
  },
  epochs: {
    type: "number",
    default: 100,
    integer: true,
    min: 0,
    doc: "Training epochs (passes over the shuffled samples)",
  },
  "settling_time": {
    type: "number",
    default: 100,
    min: 0,
    doc: "Settling time before training, without learning (ms)",
  },
  layers: {
    type: "numbers",
    default: [5, 20, 10, 20, 5],
    integer: true,
    min: 1,
    minItems: 3,
    doc: "Layer sizes",
  },
  activation: {
    type: "choice",
    default: "logistic",
    enum: ACTIVATION_NAMES,
    list: true,
    doc: "Rate function (one name, or one per pyramidal layer)",
  },
  "model_type": {
    type: "string",
    default: "PAL",
    enum: ["BP", "FA", "PAL"],
    doc: "`BP`, `FA` or `PAL`",
  },
  "noise_type": { type: "string", default: "OU", enum: ["OU"], doc: "Noise type: only `OU`" },
  "noise_mode": {
    type: "string",
    default: "const",
    enum: ["const"],
    doc: "Noise mode: only `const`",
  },
  "noise_scale": { type: "numbers", default: [0.05, 0.05, 0.05], doc: "Noise σ per hidden layer" },
  gl: { type: "number", default: 0.03, above: 0, doc: "Leak conductance" },
  gbas: { type: "number", default: 0.1, above: 0, doc: "Basal conductance" },
  gapi: { type: "number", default: 0.06, above: 0, doc: "Apical conductance" },
  gden: { type: "number", default: 0.1, above: 0, doc: "Interneuron dendritic conductance" },
  gnI: { type: "number", default: 0.06, min: 0, doc: "Interneuron nudging conductance" },
  gntgt: { type: "number", default: 0.06, min: 0, doc: "Target nudging conductance" },
  "eta_fw": { type: "numbers", default: [1, 1, 1, 1], doc: "η_fw per forward weight" },
  "eta_bw": { type: "numbers", default: [50, 50, 50], doc: "η_bw per top-down weight" },
  "eta_IP": { type: "numbers", default: [0, 0, 0], doc: "η_IP per pyramid-to-interneuron weight" },
  "eta_PI": { type: "numbers", default: [5, 5, 5], doc: "η_PI per interneuron-to-apical weight" },
  alpha: {
    type: "numbers",
    default: [1e-5, 1e-5, 1e-5],
    doc: "PAL regulariser α per top-down weight",
  },
  "init_WPP_range": { type: "numbers", default: [-1, 1], doc: "Uniform init range of W" },
  "init_WIP_range": { type: "numbers", default: [-1, 1], doc: "Uniform init range of WIP" },
  "init_BPP_range": { type: "numbers", default: [-1, 1], doc: "Uniform init range of B" },
  "init_BPI_range": { type: "numbers", default: [-1, 1], doc: "Uniform init range of BPI" },
  "init_teacher_WPP_range": { type: "numbers", default: [-1, 1], doc: "Teacher's init range of W" },
  "init_teacher_WIP_range": {
    type: "numbers",
    default: [-1, 1],
    doc: "Teacher's init range of WIP",
  },
  "init_teacher_BPP_range": { type: "numbers", default: [-1, 1], doc: "Teacher's init range of B" },
  "init_teacher_BPI_range": {
    type: "numbers",
    default: [-1, 1],
    doc: "Teacher's init range of BPI",
  },
  "random_seed": {
    type: "numbers",
    default: [123, 456, 789, 111, 222, 1, 3, 5, 7, 9],
    integer: true,
    min: 0,
    max: 4294967295,
    minItems: 1,
    doc: "Seeds; the first also seeds the input (bw_only) and the teacher (fw_bw)",
  },
  "init_in_SPS": { type: "boolean", default: true, doc: "Start in the self-predicting state" },
  "pyr_hi_pass": {
    type: "boolean",
    default: true,
    doc: "PAL: high-pass the presynaptic rate of B",
  },
  "dWPP_low_pass": { type: "boolean", default: true, doc: "PAL: low-pass the forward updates" },
  "input_signal": {
    type: "string",
    default: "step",
    enum: ["step"],
    doc: "Input signal: only `step` (U[0, 1] per sample, held for Tpres)",
  },
  "rec_per_steps": {
    type: "number",
    default: 1000,
    integer: true,
    min: 1,
    doc: "Steps between records",
  },
  taur: {
    type: "number",
    default: 1,
    min: 0,
    doc: "Prospectivity factor (1 = Latent Equilibrium, 0 = plain u)",
  },
  task: {
    type: "string",
    default: "bw_only",
    enum: ["bw_only", "fw_bw"],
    doc: "`bw_only` (learn B and BPI, no target) or `fw_bw` (teacher targets; learn everything)",
  },
  rng: {
    type: "string",
    default: "numpy",
    enum: ["numpy", "plasticity"],
    doc:
      "`numpy` (MT19937 drawn in the reference's order) or `plasticity` (core's default generator)",
  },
  "compare_updates": {
    type: "boolean",
    default: false,
    doc: "After training, evaluate ∠(ΔW_MC, ΔW_BP) as the reference's `compare_updates`",
  },
  "max_records": {
    type: "number",
    default: 0,
    integer: true,
    min: 0,
    doc: "Stop after this many records (0 = run to the end)",
  },
  record: {
    type: "choice",
    enum: RECORDABLE,
    list: true,
    default: [],
    doc: "State variables written into every record as `<name>_<layer>_<index>`",
  },
  "record_max_values": {
    type: "number",
    default: 16,
    integer: true,
    min: 1,
    max: 4096,
    doc: "At most this many values of each layer's array per record (the first, row-major)",
  },
};

/** The Fig3abc values, used for every key a params object leaves out (the schema's defaults). */
export const DEFAULT_PARAMS: Readonly<PalParams> = Object.freeze(
  schemaDefaults(PAL_PARAMS_SCHEMA),
) as unknown as Readonly<PalParams>;

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
  throw new SchemaError(`${where}.${key}: expected ${expected}, got ${showValue(v)}`);
}

/** Whether a reference key is accepted and ignored (comments, record switches, `file`). */
function ignored(key: string): boolean {
  return key.startsWith("_comment") || (key.startsWith("rec_") && key !== "rec_per_steps") ||
    key === "file" || IGNORED.has(key);
}

/** The checks across keys that {@linkcode PAL_PARAMS_SCHEMA} cannot state. */
function checkAcrossKeys(p: PalParams, where: string): void {
  const L = p.layers.length - 1;
  if (Math.abs(p.dtxi - p.dt) > 1e-12 * p.dt) fail(where, "dtxi", p.dtxi, `dt (${p.dt})`);
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
  for (const key of Object.keys(p) as (keyof PalParams)[]) {
    const v = p[key] as number[];
    if (key.endsWith("_range") && (v.length !== 2 || v[0]! > v[1]!)) {
      fail(where, key, v, "[low, high] with low ≤ high");
    }
  }
  if (p.task === "fw_bw" && p.layers[0] !== p.layers[L]) {
    fail(
      where,
      "layers",
      p.layers,
      "equal input and output sizes for task fw_bw (as the reference)",
    );
  }
}

/**
 * Validates a params object (reference keys) against {@linkcode PAL_PARAMS_SCHEMA} and fills the
 * Fig3abc defaults, then checks what holds across keys. Keys starting with `_comment` or `rec_`
 * (except `rec_per_steps`), `file`, `noise_deg` and `taueps` are ignored; the reference switches
 * the port does not implement are accepted only at their one supported value; an unknown key is
 * an error.
 *
 * @param given The parameters, e.g. a parsed `params.json`.
 * @param where Prefix for error messages, e.g. `simulation.params`.
 * @returns The resolved parameters, in the key order of {@linkcode DEFAULT_PARAMS}.
 * @throws {SchemaError} On a bad value, naming the key.
 *
 * @example
 * ```ts
 * import { parseParams } from "@plasticity/microcircuit/params";
 * const p = parseParams({ layers: [1, 1, 1], eta_fw: [2, 0.5], eta_bw: [20], eta_IP: [10], eta_PI: [0.5], noise_scale: [0.01], alpha: [1e-6] });
 * console.assert(p.dt === 0.01 && p.model_type === "PAL");
 * try { parseParams({ dt: -1 }); } catch (e) { console.assert((e as Error).message === "params.dt: expected a number > 0, got -1"); }
 * ```
 */
export function parseParams(given: Record<string, unknown>, where = "params"): PalParams {
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    throw new SchemaError(`${where}: expected a mapping, got ${showValue(given)}`);
  }
  const rest: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(given)) {
    if (ignored(key)) continue;
    if (Object.hasOwn(FIXED, key)) {
      if (v !== FIXED[key]) fail(where, key, v, `${show(FIXED[key])} (the only supported value)`);
      continue;
    }
    rest[key] = v;
  }
  const p = resolveHyper(PAL_PARAMS_SCHEMA, rest, where) as unknown as PalParams;
  if (typeof p.record === "string") p.record = [p.record];
  checkAcrossKeys(p, where);
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
