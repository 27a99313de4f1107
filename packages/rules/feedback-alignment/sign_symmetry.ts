/**
 * Sign-symmetry rules (Liao, Leibo & Poggio 2016, "How important is weight symmetry in
 * backpropagation?"; the variants BioTorch benchmarks): the backward pass uses a matrix with the
 * signs of the current forward weights and magnitudes that carry no information about them,
 *
 *   Bᵢ = Mᵢ ∘ sign(Wᵢ), recomputed from the current Wᵢ at every step:
 *
 * - `usf` (uniform sign-concordant feedback): Mᵢ = 1;
 * - `frsf` (fixed random magnitudes): Mᵢ = |Rᵢ| drawn once (from `feedback_init`);
 * - `brsf` (batchwise random magnitudes): Mᵢ = |Rᵢ| drawn afresh after every update.
 *
 * With `scale_by_fan`, Bᵢ is multiplied by √(2/(fanIn + fanOut)), BioTorch's `scaling_factor`
 * option (Xiao et al. 2018). The magnitudes of `frsf` and `brsf` export as `M0…`.
 *
 * @module
 */
import {
  type Backend,
  type HyperField,
  type HyperSchema,
  type LearnerDefinition,
  type LearnerOptions,
  registerLearner,
  type Tensor,
} from "@plasticity/core";
import { type FeedbackFactory, type FeedbackPath, MlpLearner } from "@plasticity/backprop";
import { drawFeedback, FEEDBACK_HYPER, type FeedbackHyper } from "./feedback_init.ts";
import { ConvFeedbackLearner } from "./conv_learner.ts";
import { convSignFeedback } from "./conv_sign_symmetry.ts";

/** The three sign-symmetry variants. */
export type SignSymmetryKind = "usf" | "frsf" | "brsf";

/** Settings of the sign-symmetry rules. */
export interface SignSymmetryHyper extends FeedbackHyper {
  /** Multiply B by √(2/(fanIn + fanOut)). */
  "scale_by_fan": boolean;
}

/** The settings schema of `usf`, `frsf` and `brsf`. */
export const SIGN_SYMMETRY_HYPER: HyperSchema = {
  ...FEEDBACK_HYPER,
  "scale_by_fan": {
    type: "boolean",
    default: false,
    doc: "multiply B by √(2/(fanIn + fanOut)) (BioTorch's scaling_factor; default true for usf, " +
      "as BioTorch, false for frsf and brsf)",
  },
};

/** sign(a) element by element: −1, 0 or +1. */
function signOf(b: Backend, a: Tensor): Tensor {
  const v = b.read(a), out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Math.sign(v[i]!);
  return b.fromArray(out, a.rows, a.cols);
}

/** |a| element by element, kept across tidy scopes. */
function absKept(b: Backend, a: Tensor): Tensor {
  const v = b.read(a), out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Math.abs(v[i]!);
  return b.keep(b.fromArray(out, a.rows, a.cols));
}

/**
 * The feedback path of a sign-symmetry rule: Bᵢ = Mᵢ ∘ sign(Wᵢ) from the current weights.
 *
 * @param kind `usf`, `frsf` or `brsf`.
 * @param hyper The rule's settings (`feedback_init`/`feedback_scale` draw the magnitudes).
 * @param options The learner options (the network's own initialiser, for `feedback_init: same`).
 * @returns The factory `MlpLearner` builds the path with.
 *
 * @example
 * ```ts
 * import { createLearner, jsBackend as b } from "@plasticity/feedback-alignment";
 * const net = createLearner("usf", {
 *   network: { sizes: [2, 3, 1], activation: "tanh" }, backend: b, seed: 0,
 * });
 * console.assert(!("M0" in net.exportWeights()) && net.diagnostics().cos_W_BT_0! > 0);
 * ```
 */
export function signFeedback(
  kind: SignSymmetryKind,
  hyper: SignSymmetryHyper,
  options: LearnerOptions,
): FeedbackFactory {
  return (mlp, rng) => {
    const b = mlp.backend;
    const shapes = mlp.W.map((w) => [w.rows, w.cols] as const);
    const draw = (i: number) => {
      const [r] = drawFeedback(b, [shapes[i]!], hyper, options.network.init, rng);
      const m = absKept(b, r!);
      b.dispose(r!);
      return m;
    };
    const M: Tensor[] | undefined = kind === "usf" ? undefined : shapes.map((_, i) => draw(i));
    const fanScale = shapes.map(([r, c]) => hyper.scale_by_fan ? Math.sqrt(2 / (r + c)) : 1);
    const B = (i: number): Tensor => {
      const s = signOf(b, mlp.W[i]!);
      const m = M ? b.mul(M[i]!, s) : s;
      return fanScale[i] === 1 ? m : b.scale(m, fanScale[i]!);
    };
    const path: FeedbackPath = {
      signal: (i, delta) => b.matmul(delta, B(i), false, true),
      matrices: () => Object.fromEntries((M ?? []).map((m, i) => [`M${i}`, m])),
      setMatrix: (key, value) => {
        const k = /^M(\d+)$/.exec(key), i = k ? Number(k[1]) : -1;
        if (!M || !M[i]) {
          throw new Error(
            `Unknown feedback matrix ${JSON.stringify(key)}: expected ${
              M ? `M0…M${M.length - 1}` : "none (usf has no magnitudes)"
            }`,
          );
        }
        const old = M[i]!;
        M[i] = b.keep(value);
        if (old !== value) b.dispose(old);
      },
      standIn: (i) => B(i),
      dispose: () => {
        if (M) b.dispose(...M);
      },
    };
    // brSF: fresh magnitudes after every update of Wᵢ, for the next batch.
    if (kind === "brsf") {
      path.learn = (i) => {
        const old = M![i]!;
        M![i] = draw(i);
        b.dispose(old);
      };
    }
    return path;
  };
}

function signRule(kind: SignSymmetryKind, description: string): LearnerDefinition {
  return registerLearner({
    name: kind,
    family: "feedback-alignment",
    description,
    // BioTorch scales uSF's B = sign(W) by √(2/(fanIn + fanOut)) (its unit-magnitude feedback
    // would be far larger than W); frSF and brSF take their magnitudes from R.
    hyper: kind === "usf"
      ? {
        ...SIGN_SYMMETRY_HYPER,
        "scale_by_fan": { ...SIGN_SYMMETRY_HYPER.scale_by_fan!, default: true } as HyperField,
      }
      : SIGN_SYMMETRY_HYPER,
    optimizer: true,
    layers: true,
    create(options) {
      const h = options.hyper as unknown as SignSymmetryHyper;
      if (options.network.layers) {
        const feedback = convSignFeedback(kind, h, options);
        return new ConvFeedbackLearner({ rule: kind, options, feedback });
      }
      return new MlpLearner({ rule: kind, options, feedback: signFeedback(kind, h, options) });
    },
  });
}

/** Uniform sign-concordant feedback: B = sign(W). */
export const usfRule: LearnerDefinition = signRule(
  "usf",
  "Sign symmetry, uniform magnitudes: B = sign(W) of the current weights",
);

/** Fixed random magnitude sign-concordant feedback: B = |R| ∘ sign(W), R drawn once. */
export const frsfRule: LearnerDefinition = signRule(
  "frsf",
  "Sign symmetry, fixed random magnitudes: B = |R| ∘ sign(W), R drawn once",
);

/** Batchwise random magnitude sign-concordant feedback: B = |R| ∘ sign(W), R redrawn each batch. */
export const brsfRule: LearnerDefinition = signRule(
  "brsf",
  "Sign symmetry, batchwise random magnitudes: B = |R| ∘ sign(W), R redrawn after every update",
);
