/**
 * The activation table on plain numbers: φ and φ′ for every backend activation (`ACTIVATIONS`) and
 * for the hard-sigmoid variants other reference codes use, for code that works element by element
 * (fused buffer kernels, float64 generators and simulators). The backends compute the backend
 * activations on tensors with the same formulas.
 *
 * Three functions go by "hard sigmoid":
 * - `hardSigmoid` = clamp(x, 0, 1): the ρ of Equilibrium Propagation (Scellier & Bengio 2017) and
 *   of CorInfoMax (Bozkurt et al. 2023), as their reference codes write it;
 * - `hardSigmoidKeras` = clamp(0.2x + 0.5, 0, 1): `hard_sigmoid` of Keras 2 and Theano;
 * - `hardSigmoidTorch` = clamp(x/6 + 1/2, 0, 1) = relu6(x + 3)/6: PyTorch's `Hardsigmoid`,
 *   JAX's `jax.nn.hard_sigmoid` and Keras 3's `hard_sigmoid`, computed as x/6 + 1/2 as the
 *   numpy reference of Phaseless Alignment Learning (Max et al. 2022) writes it.
 *
 * @module
 */
import { ACTIVATIONS } from "./tensor.ts";
import { fastExp } from "./fast_exp.ts";

/** Names in the scalar activation table: the backend activations plus two hard-sigmoid variants. */
export const SCALAR_ACTIVATIONS = [...ACTIVATIONS, "hardSigmoidKeras", "hardSigmoidTorch"] as const;

/** A name in the scalar activation table (see {@linkcode SCALAR_ACTIVATIONS}). */
export type ScalarActivationName = typeof SCALAR_ACTIVATIONS[number];

/** A scalar activation function with its derivative. */
export interface ScalarActivation {
  /** φ(x). */
  readonly phi: (x: number) => number;
  /** φ′(x); at a kink, the derivative of the constant side (0 for the clamps, ReLU at 0). */
  readonly dphi: (x: number) => number;
}

const logistic = (v: number): number => 1 / (1 + fastExp(-v));

const TABLE: Record<Exclude<ScalarActivationName, "leakyRelu">, ScalarActivation> = {
  identity: { phi: (v) => v, dphi: () => 1 },
  sigmoid: {
    phi: logistic,
    dphi: (v) => {
      const s = logistic(v);
      return s * (1 - s);
    },
  },
  tanh: {
    phi: Math.tanh,
    dphi: (v) => {
      const t = Math.tanh(v);
      return 1 - t * t;
    },
  },
  relu: { phi: (v) => (v > 0 ? v : 0), dphi: (v) => (v > 0 ? 1 : 0) },
  hardSigmoid: {
    phi: (v) => (v < 0 ? 0 : v > 1 ? 1 : v),
    dphi: (v) => (v > 0 && v < 1 ? 1 : 0),
  },
  hardSigmoidKeras: {
    phi: (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5)),
    dphi: (v) => {
      const y = 0.2 * v + 0.5;
      return y > 0 && y < 1 ? 0.2 : 0;
    },
  },
  hardSigmoidTorch: {
    phi: (v) => Math.max(0, Math.min(1, v / 6 + 1 / 2)),
    dphi: (v) => {
      const y = v / 6 + 1 / 2;
      return y > 0 && y < 1 ? 1 / 6 : 0;
    },
  },
};

/**
 * φ and φ′ of an activation on plain numbers. `sigmoid` is 1/(1 + e^{−x}), `leakyRelu` has
 * negative slope `slope`; the hard sigmoids are described in this module's documentation.
 *
 * @param name A name from {@linkcode SCALAR_ACTIVATIONS}.
 * @param slope Negative slope of `leakyRelu` (default 0.01).
 * @returns The function and its derivative.
 *
 * @example
 * ```ts
 * import { scalarActivation } from "@plasticity/core";
 * console.assert(scalarActivation("hardSigmoid").phi(0.25) === 0.25);
 * console.assert(scalarActivation("hardSigmoidKeras").phi(0.25) === 0.55);
 * console.assert(scalarActivation("hardSigmoidTorch").phi(3) === 1);
 * console.assert(scalarActivation("leakyRelu", 0.1).dphi(-2) === 0.1);
 * ```
 */
export function scalarActivation(name: ScalarActivationName, slope = 0.01): ScalarActivation {
  if (name === "leakyRelu") {
    return { phi: (v) => (v > 0 ? v : slope * v), dphi: (v) => (v > 0 ? 1 : slope) };
  }
  const a = (TABLE as Record<string, ScalarActivation | undefined>)[name];
  if (!a) {
    throw new Error(
      `Unknown activation ${JSON.stringify(name)}: expected one of ${
        SCALAR_ACTIVATIONS.join(", ")
      }`,
    );
  }
  return a;
}
