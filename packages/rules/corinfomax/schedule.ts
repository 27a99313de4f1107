/**
 * The schedules of Supervised-CorInfoMax: the neural step η_t within one relaxation phase and the
 * per-epoch decay of the synaptic learning rates.
 *
 * @module
 */

/** Names of the neural step schedules. */
export const NEURAL_LR_RULES = [
  "constant",
  "divide_by_slow_loop_index",
  "divide_by_loop_index",
] as const;

/** A neural step schedule. */
export type NeuralLrRule = typeof NEURAL_LR_RULES[number];

/**
 * The neural step at iteration `t` (from 0) of a phase:
 * `constant`: η₀; `divide_by_slow_loop_index`: max(η₀/(1 + decay·t), η_stop);
 * `divide_by_loop_index`: max(η₀/(t + 1), η_stop).
 *
 * @param rule The schedule.
 * @param eta0 The initial step η₀.
 * @param t Iteration index within the phase, from 0.
 * @param stop The floor η_stop (not used by `constant`).
 * @param decay The multiplier of the slow rule (0.01 in the repository).
 * @returns η_t.
 *
 * @example
 * ```ts
 * import { neuralStep } from "@plasticity/corinfomax";
 * console.assert(neuralStep("divide_by_slow_loop_index", 0.05, 100, 0.001, 0.01) === 0.025);
 * ```
 */
export function neuralStep(
  rule: NeuralLrRule,
  eta0: number,
  t: number,
  stop: number,
  decay: number,
): number {
  switch (rule) {
    case "constant":
      return eta0;
    case "divide_by_slow_loop_index":
      return Math.max(eta0 / (1 + decay * t), stop);
    case "divide_by_loop_index":
      return Math.max(eta0 / (t + 1), stop);
  }
  throw new Error(
    `Unknown neural_lr_rule ${JSON.stringify(rule)}: expected one of ${NEURAL_LR_RULES.join(", ")}`,
  );
}

/**
 * The factor of the synaptic learning rates in epoch `epoch` (from 0): d^e before `switchEpoch`,
 * then late^e (the repository's discontinuous drop at epoch 15, with d ∈ {0.95, 0.99} and late 0.9),
 * and, when a second switch is given, late2^e from `switch2` on (the FashionMNIST script: 0.95^e
 * before epoch 20, 0.9^e before 25, 0.8^e after).
 *
 * @param epoch Epoch index from 0.
 * @param d Early decay factor.
 * @param switchEpoch First epoch of the late schedule.
 * @param late Late decay factor.
 * @param second Optional second switch: its first epoch and its decay factor.
 * @returns μ_e / μ_start.
 *
 * @example
 * ```ts
 * import { epochLrFactor } from "@plasticity/corinfomax";
 * console.assert(epochLrFactor(0, 0.95, 15, 0.9) === 1);
 * console.assert(epochLrFactor(15, 0.95, 15, 0.9) === 0.9 ** 15);
 * console.assert(epochLrFactor(25, 0.95, 20, 0.9, { epoch: 25, late: 0.8 }) === 0.8 ** 25);
 * ```
 */
export function epochLrFactor(
  epoch: number,
  d: number,
  switchEpoch: number,
  late: number,
  second?: { epoch: number; late: number },
): number {
  if (epoch < switchEpoch) return d ** epoch;
  return second !== undefined && epoch >= second.epoch ? second.late ** epoch : late ** epoch;
}
