/**
 * Rate functions φ of the microcircuit and their derivatives φ′, as in the numpy reference
 * (`logistic`, `linear`, `relu`, `soft_relu`, `tanh`, `hard_sigmoid`).
 *
 * @module
 */

/** Names of the available rate functions. */
export const ACTIVATION_NAMES = [
  "logistic",
  "linear",
  "relu",
  "soft_relu",
  "tanh",
  "hard_sigmoid",
] as const;

/** A rate function name. */
export type ActivationName = typeof ACTIVATION_NAMES[number];

/** A scalar rate function with its derivative. */
export interface Activation {
  /** The name. */
  readonly name: ActivationName;
  /** φ(x). */
  phi(x: number): number;
  /** φ′(x). */
  dphi(x: number): number;
}

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

const TABLE: Record<ActivationName, Activation> = {
  logistic: {
    name: "logistic",
    phi: logistic,
    dphi: (x) => {
      const y = logistic(x);
      return y * (1 - y);
    },
  },
  linear: { name: "linear", phi: (x) => x, dphi: () => 1 },
  relu: { name: "relu", phi: (x) => (x > 0 ? x : 0), dphi: (x) => (x > 0 ? 1 : 0) },
  "soft_relu": { name: "soft_relu", phi: (x) => Math.log(1 + Math.exp(x)), dphi: logistic },
  tanh: {
    name: "tanh",
    phi: Math.tanh,
    dphi: (x) => {
      const y = Math.tanh(x);
      return 1 - y * y;
    },
  },
  "hard_sigmoid": {
    name: "hard_sigmoid",
    phi: (x) => Math.max(0, Math.min(1, x / 6 + 1 / 2)),
    dphi: (x) => {
      const y = x / 6 + 1 / 2;
      return y > 0 && y < 1 ? 1 : 0;
    },
  },
};

/**
 * The rate function of that name.
 *
 * `logistic` is σ(x) = 1 / (1 + e^{−x}) with σ′ = σ(1 − σ).
 *
 * @param name One of {@linkcode ACTIVATION_NAMES}.
 * @returns φ and φ′.
 *
 * @example
 * ```ts
 * import { getActivation } from "@plasticity/microcircuit/activation";
 * const { phi, dphi } = getActivation("logistic");
 * console.assert(phi(0) === 0.5 && dphi(0) === 0.25);
 * ```
 */
export function getActivation(name: string): Activation {
  const a = (TABLE as Record<string, Activation | undefined>)[name];
  if (!a) {
    throw new Error(
      `Unknown activation ${JSON.stringify(name)}: expected one of ${ACTIVATION_NAMES.join(", ")}`,
    );
  }
  return a;
}
