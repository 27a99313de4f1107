/**
 * The settings of predictive coding, declared once: the schemas of the `pc`, `pc-bp` and
 * `pc-nudge` rules (the keys of their `rule:` sections, with defaults and bounds), and
 * {@linkcode PCConfig}, the loop settings {@linkcode PCNetwork} runs with, whose keys are the same.
 * {@linkcode pcConfig} validates settings once and applies the Whittington–Bogacz variant's
 * implications.
 *
 * @module
 */
import {
  type HyperField,
  type HyperSchema,
  type HyperValue,
  type HyperValues,
  resolveHyper,
  schemaDefaults,
  SchemaError,
} from "@plasticity/core";

/**
 * How the network learns:
 * - `pc`: inference learning / prospective configuration (hidden value nodes, output clamped
 *   through the loss);
 * - `bp`: the same network without value nodes, trained by backpropagation (T = 1);
 * - `nudge`: PC-Nudge, value nodes on every layer including the output, which is only weakly
 *   nudged towards the target.
 */
export type PCMode = "pc" | "bp" | "nudge";

/** Settings of the inference and learning loop. */
export interface PCConfig {
  /** The learning mode. */
  mode: PCMode;
  /**
   * Inference iterations T. In `pc` mode the energy is evaluated T times and the value nodes
   * take T − 1 steps (the paper's loop, whose last iteration only updates the weights); in
   * `nudge` mode the nodes take T steps and the weights are updated at the state reached.
   * Ignored in `bp` mode.
   */
  T: number;
  /** Inference rate γ₀ of plain SGD on the value nodes. */
  gamma: number;
  /** Decay d: γ ← γ·d after every iteration t ≥ 1 whose energy did not fall (F_t ≥ F_{t−1}). */
  decay: number;
  /** `last`: one weight step at the last iteration; `all`: a weight step at every iteration. */
  "update_p_at": "last" | "all";
  /** PC-Nudge strength λ_w of the output nudge. */
  nudge: number;
  /** PC-Nudge: flip the sign of λ_w at random for each batch. */
  "random_sign": boolean;
  /** Apply the (first) hidden activation to the input too (Whittington–Bogacz variant). */
  "input_activation": boolean;
  /** `logit`: feed logit(s) instead of s (Whittington–Bogacz variant; pixels in [0, 1]). */
  "input_transform": "none" | "logit";
  /** Targets mapped to lo + (hi − lo)·y (Whittington–Bogacz uses [0.03, 0.97]). */
  "target_range"?: readonly [number, number];
}

/** Settings of the input and targets, shared by `pc`, `pc-bp` and `pc-nudge` (keys as in configs). */
export interface PCInputHyper {
  /**
   * `whittington-bogacz`: logit inputs, sigmoid on the input too, targets mapped to 0.03/0.97
   * (the Supervised-CorInfoMax repository's PC; pair it with a sigmoid network, biases and Adam).
   */
  variant: "song" | "whittington-bogacz";
  /** Apply the first hidden activation to the input as well (implied by whittington-bogacz). */
  "input_activation": boolean;
  /** Feed logit(s) instead of s (implied by whittington-bogacz). */
  "input_transform": "none" | "logit";
  /**
   * [lo, hi]: targets mapped to lo + (hi − lo)·y; empty = unchanged (whittington-bogacz:
   * [0.03, 0.97]).
   */
  "target_range": readonly number[];
  /**
   * Rows of the diagnostics batch used for the one-step target alignment and prospective index
   * (0 = off).
   */
  "diag_rows": number;
}

/** Settings of the inference loop, shared by `pc` and `pc-nudge`. */
export interface PCInferenceHyper {
  /** Inference iterations T (`pc-nudge`: inference steps on every node). */
  T: number;
  /** Inference rate γ₀ (plain SGD on the value nodes). */
  gamma: number;
  /** γ ← γ·decay whenever the energy fails to fall (1 = no decay). */
  decay: number;
  /** Diagnostics include energy_t0 … energy_t{T−1} of the last training batch. */
  "energy_trace": boolean;
}

/** Resolved hyper-parameters of `pc` ({@linkcode PC_SCHEMA}). */
export interface PCHyper extends PCInferenceHyper, PCInputHyper {
  /** Weight step at the last inference iteration (`last`) or at every iteration (`all`). */
  "update_p_at": "last" | "all";
  /**
   * Coupled L2 penalty λ₂ (absent: 0): each weight gradient g becomes g + λ₂·W before the
   * optimiser (PyTorch's weight_decay of torch.optim.Adam; Fig. 4i: 0.01); networks given by
   * layers only.
   */
  l2?: number;
}

/** Resolved hyper-parameters of `pc-bp` ({@linkcode PC_BP_SCHEMA}). */
export interface PCBpHyper extends PCInputHyper {
  /** Coupled L2 penalty λ₂ (absent: 0), as in {@linkcode PCHyper}; layered networks only. */
  l2?: number;
  /**
   * Weight steps per batch (absent: 1), each from a fresh forward and backward pass (Fig. 4i's
   * BP keeps T = 16 with update_p_at all: 16); networks given by layers only.
   */
  repeat?: number;
}

/** Resolved hyper-parameters of `pc-nudge` ({@linkcode PC_NUDGE_SCHEMA}). */
export interface PCNudgeHyper extends PCInferenceHyper, PCInputHyper {
  /** Output nudge strength λ_w (weight step scaled by 1/λ_w). */
  nudge: number;
  /** Flip the sign of λ_w at random for each batch. */
  "random_sign": boolean;
}

const INPUT_SCHEMA: HyperSchema = {
  variant: {
    type: "string",
    default: "song",
    enum: ["song", "whittington-bogacz"],
    doc:
      "`whittington-bogacz`: logit inputs, sigmoid on the input too, targets mapped to 0.03/0.97 " +
      "(the Supervised-CorInfoMax repository's PC; pair it with a sigmoid network, biases and Adam)",
  },
  "input_activation": {
    type: "boolean",
    default: false,
    doc: "apply the first hidden activation to the input as well (implied by whittington-bogacz)",
  },
  "input_transform": {
    type: "string",
    default: "none",
    enum: ["none", "logit"],
    doc: "feed logit(s) instead of s (implied by whittington-bogacz)",
  },
  "target_range": {
    type: "numbers",
    default: [],
    doc:
      "[lo, hi]: targets mapped to lo + (hi − lo)·y; empty = unchanged (whittington-bogacz: [0.03, 0.97])",
  },
  "diag_rows": {
    type: "number",
    default: 16,
    integer: true,
    min: 0,
    doc:
      "rows of the diagnostics batch used for the one-step target alignment and prospective index (0 = off)",
  },
};

// Optional (absent: 0 and 1), so that configs without them keep their trial ids.
const L2_FIELD: HyperField = {
  type: "number",
  optional: true,
  min: 0,
  doc:
    "coupled L2 penalty λ₂ (absent: 0): each weight gradient g becomes g + λ₂·W before the optimiser (PyTorch's weight_decay of torch.optim.Adam; Fig. 4i: 0.01); networks given by layers only",
};

// T's and decay's defaults differ per rule: each schema below declares its own.
const INFERENCE_SCHEMA: HyperSchema = {
  T: { type: "number", integer: true, min: 1, doc: "inference iterations T" },
  gamma: {
    type: "number",
    default: 0.1,
    min: 0,
    doc: "inference rate γ₀ (plain SGD on the value nodes)",
  },
  decay: {
    type: "number",
    min: 1e-12,
    max: 1,
    doc: "γ ← γ·decay whenever the energy fails to fall (1 = no decay)",
  },
  "energy_trace": {
    type: "boolean",
    default: true,
    doc: "diagnostics include energy_t0 … energy_t{T−1} of the last training batch",
  },
};

/**
 * Hyper-parameters of `pc`.
 *
 * @example
 * ```ts
 * import { PC_SCHEMA } from "@plasticity/predictive-coding";
 * console.assert(PC_SCHEMA.T?.type === "number");
 * ```
 */
export const PC_SCHEMA: HyperSchema = {
  ...INFERENCE_SCHEMA,
  // The Whittington–Bogacz variant's defaults: 50 inference steps, then the weight step (T counts
  // evaluations, so 51), and no decay.
  T: {
    ...INFERENCE_SCHEMA.T!,
    default: (v: HyperValues) => v.variant === "whittington-bogacz" ? 51 : 128,
  } as HyperField,
  decay: {
    ...INFERENCE_SCHEMA.decay!,
    default: (v: HyperValues) => v.variant === "whittington-bogacz" ? 1 : 0.5,
  } as HyperField,
  "update_p_at": {
    type: "string",
    default: "last",
    enum: ["last", "all"],
    doc: "weight step at the last inference iteration (`last`) or at every iteration (`all`)",
  },
  l2: L2_FIELD,
  ...INPUT_SCHEMA,
};

/**
 * Hyper-parameters of `pc-bp` (no inference settings).
 *
 * @example
 * ```ts
 * import { PC_BP_SCHEMA } from "@plasticity/predictive-coding";
 * console.assert(!("T" in PC_BP_SCHEMA));
 * ```
 */
export const PC_BP_SCHEMA: HyperSchema = {
  l2: L2_FIELD,
  repeat: {
    type: "number",
    optional: true,
    integer: true,
    min: 1,
    doc:
      "weight steps per batch (absent: 1), each from a fresh forward and backward pass (Fig. 4i's BP keeps T = 16 with update_p_at all: 16); networks given by layers only",
  },
  ...INPUT_SCHEMA,
};

/**
 * Hyper-parameters of `pc-nudge` (defaults of the Supervised-CorInfoMax repository).
 *
 * @example
 * ```ts
 * import { PC_NUDGE_SCHEMA } from "@plasticity/predictive-coding";
 * console.assert(PC_NUDGE_SCHEMA.nudge?.type === "number");
 * ```
 */
export const PC_NUDGE_SCHEMA: HyperSchema = {
  ...INFERENCE_SCHEMA,
  T: { type: "number", default: 50, integer: true, min: 1, doc: "inference steps on every node" },
  decay: {
    type: "number",
    default: 1,
    min: 1e-12,
    max: 1,
    doc: "γ ← γ·decay whenever the energy fails to fall (the repository uses none: 1)",
  },
  nudge: {
    type: "number",
    default: 1e-3,
    doc: "output nudge strength λ_w (weight step scaled by 1/λ_w)",
  },
  "random_sign": {
    type: "boolean",
    default: false,
    doc: "flip the sign of λ_w at random for each batch",
  },
  ...INPUT_SCHEMA,
};

const MODE_SCHEMA: Record<PCMode, HyperSchema> = {
  pc: PC_SCHEMA,
  bp: PC_BP_SCHEMA,
  nudge: PC_NUDGE_SCHEMA,
};

/**
 * The checks across or beyond the schema's fields: `target_range` has 0 or 2 numbers, and
 * PC-Nudge's nudge is not 0. `resolveLearnerConfig` runs them once (the rules' `check`), and
 * {@linkcode pcConfig} for direct users.
 *
 * @param mode The learning mode.
 * @param h The settings resolved against the mode's schema.
 * @throws {SchemaError} On a bad `target_range` or a zero nudge.
 *
 * @example
 * ```ts
 * import { checkPCSettings } from "@plasticity/predictive-coding";
 * try { checkPCSettings("nudge", { nudge: 0, target_range: [] }); } catch (e) {
 *   console.assert((e as Error).message === "rule.nudge: expected a non-zero number, got 0");
 * }
 * ```
 */
export function checkPCSettings(mode: PCMode, h: Readonly<Record<string, HyperValue>>): void {
  const range = h.target_range as readonly number[];
  if (range.length !== 0 && range.length !== 2) {
    throw new SchemaError(
      `rule.target_range: expected [] or two numbers [lo, hi], got ${JSON.stringify(range)}`,
    );
  }
  if (mode === "nudge" && h.nudge === 0) {
    throw new SchemaError(`rule.nudge: expected a non-zero number, got 0`);
  }
}

/**
 * The loop settings of a mode from settings already validated against that mode's schema (a
 * resolved `rule:` section): keys the mode does not use (T for `bp`, the nudge for `pc`) take the
 * other schemas' defaults, and the Whittington–Bogacz variant implies a sigmoid on the logit of
 * the input and targets mapped to [0.03, 0.97]. Nothing is validated again: the schema and
 * {@linkcode checkPCSettings} (run once when the settings are resolved) have done it.
 *
 * @param mode The learning mode.
 * @param h The resolved and checked settings.
 * @returns The loop settings.
 *
 * @example
 * ```ts
 * import { PC_SCHEMA, toPCConfig } from "@plasticity/predictive-coding";
 * import { resolveHyper } from "@plasticity/core";
 * const c = toPCConfig("pc", resolveHyper(PC_SCHEMA, { variant: "whittington-bogacz" }, "rule"));
 * console.assert(c.T === 51 && c.input_transform === "logit" && c.target_range![1] === 0.97);
 * ```
 */
export function toPCConfig(mode: PCMode, h: Readonly<Record<string, HyperValue>>): PCConfig {
  const v: HyperValues = {
    ...schemaDefaults(PC_NUDGE_SCHEMA),
    ...schemaDefaults(PC_SCHEMA),
    ...h,
  };
  const range = v.target_range as readonly number[];
  const wb = v.variant === "whittington-bogacz";
  const c: PCConfig = {
    mode,
    T: v.T as number,
    gamma: v.gamma as number,
    decay: v.decay as number,
    "update_p_at": v.update_p_at as "last" | "all",
    nudge: v.nudge as number,
    "random_sign": v.random_sign as boolean,
    "input_activation": wb || (v.input_activation as boolean),
    "input_transform": wb ? "logit" : v.input_transform as "none" | "logit",
  };
  if (range.length === 2) c.target_range = [range[0]!, range[1]!];
  else if (wb) c.target_range = [0.03, 0.97];
  return c;
}

/**
 * Validates loop settings against the mode's schema (errors name `rule.<key>`), fills the
 * defaults and returns the {@linkcode PCConfig} to build a {@linkcode PCNetwork} with.
 *
 * @param mode The learning mode.
 * @param given The settings, under the keys of the `rule:` section.
 * @returns The loop settings.
 * @throws {SchemaError} On a bad value.
 *
 * @example
 * ```ts
 * import { pcConfig } from "@plasticity/predictive-coding";
 * console.assert(pcConfig("pc", { T: 64 }).T === 64 && pcConfig("pc").gamma === 0.1);
 * try { pcConfig("pc", { T: 0 }); } catch (e) { console.assert((e as Error).message.startsWith("rule.T: expected an integer ≥ 1")); }
 * ```
 */
export function pcConfig(mode: PCMode, given: Record<string, unknown> = {}): PCConfig {
  const h = resolveHyper(MODE_SCHEMA[mode], given, "rule");
  checkPCSettings(mode, h);
  return toPCConfig(mode, h);
}

/**
 * The paper's defaults (γ = 0.1, d = 0.5, T = 128, weights at the last iteration), as
 * {@linkcode PC_SCHEMA} declares them.
 *
 * @example
 * ```ts
 * import { DEFAULT_PC_CONFIG } from "@plasticity/predictive-coding";
 * console.assert(DEFAULT_PC_CONFIG.T === 128 && DEFAULT_PC_CONFIG.update_p_at === "last");
 * ```
 */
export const DEFAULT_PC_CONFIG: Readonly<PCConfig> = Object.freeze(pcConfig("pc"));
