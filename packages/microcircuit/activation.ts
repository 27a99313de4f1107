/**
 * Rate functions φ of the microcircuit and their derivatives φ′ under the names of the numpy
 * reference (`logistic`, `linear`, `relu`, `soft_relu`, `tanh`, `hard_sigmoid`), taken from core's
 * scalar activation table: `logistic` is core's `sigmoid`, `linear` its `identity` and
 * `hard_sigmoid` its `hardSigmoidTorch`, clamp(x/6 + 1/2, 0, 1). `soft_relu` = log(1 + eˣ) and the
 * derivative of `hard_sigmoid` are the reference's own: the reference differentiates
 * `hard_sigmoid` as 1 (not 1/6) where 0 < x/6 + 1/2 < 1, and this module keeps that for parity
 * with the published data.
 *
 * @module
 */
import { scalarActivation } from "@plasticity/core";

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

const logistic = scalarActivation("sigmoid"), hardSigmoid = scalarActivation("hardSigmoidTorch");

// Core's scalar table under the reference's names, but for the two entries of the reference's own.
const TABLE: Record<ActivationName, Activation> = {
  logistic: { name: "logistic", ...logistic },
  linear: { name: "linear", ...scalarActivation("identity") },
  relu: { name: "relu", ...scalarActivation("relu") },
  "soft_relu": { name: "soft_relu", phi: (x) => Math.log(1 + Math.exp(x)), dphi: logistic.phi },
  tanh: { name: "tanh", ...scalarActivation("tanh") },
  "hard_sigmoid": {
    name: "hard_sigmoid",
    phi: hardSigmoid.phi,
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
