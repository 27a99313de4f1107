/**
 * Sign-symmetry rules (Liao, Leibo & Poggio 2016, "How important is weight symmetry in
 * backpropagation?"; the variants BioTorch benchmarks): the backward pass uses a matrix with the
 * signs of the current forward weights and magnitudes that carry no information about them,
 *
 *   Bᵢ = Mᵢ ∘ sign(Wᵢ), recomputed from the current Wᵢ at every step:
 *
 * - `usf` (uniform sign-concordant feedback): Mᵢ = 1;
 * - `frsf` (fixed random magnitudes): Mᵢ = |Rᵢ| drawn once (from `feedback_init`);
 * - `brsf` (batchwise random magnitudes): Mᵢ = |Rᵢ| drawn afresh after every update (BioTorch
 *   draws it in every forward pass, from its layers' initialiser; here from `feedback_init`).
 *
 * With `scale_by_fan`, Bᵢ is multiplied by √(2/(fanIn + fanOut)), BioTorch's `scaling_factor`
 * option (Xiao et al. 2018). The magnitudes of `frsf` and `brsf` export as `M0…`.
 *
 * @module
 */
import {
  type Backend,
  fillInit,
  type HyperField,
  type HyperSchema,
  type LearnerDefinition,
  type LearnerOptions,
  registerLearner,
  type Tensor,
} from "@plasticity/core";
import { type FeedbackFactory, type FeedbackPath, MlpLearner } from "@plasticity/backprop";
import {
  drawFeedback,
  FEEDBACK_HYPER,
  type FeedbackHyper,
  feedbackInitSpec,
} from "./feedback_init.ts";
import { Redraws } from "./_redraw.ts";
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
 * `brsf` draws Mᵢ = |Rᵢ| afresh after every update of Wᵢ, from `feedback_init` in bulk
 * ({@linkcode fillInit}), when Bᵢ is first needed: the backward pass of an MLP never needs B₀
 * (no error is sent to the input), so B₀'s magnitudes are drawn only when observed (diagnostics,
 * export). Draw t of Mᵢ comes from its own sub-stream of the seed, fixed by (i, t), so the draws
 * are the same whether or not they are observed, and observing them leaves training unchanged.
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
    const b = mlp.backend, raw = b.raw;
    const shapes = mlp.W.map((w) => [w.rows, w.cols] as const);
    const fanScale = shapes.map(([r, c]) => hyper.scale_by_fan ? Math.sqrt(2 / (r + c)) : 1);
    // brSF: the sub-streams of the redraws, and how often each layer has been updated.
    const redraws = kind === "brsf" ? new Redraws(rng) : undefined, updates = shapes.map(() => 0);
    const redraw = (i: number): Tensor => {
      const [r, c] = shapes[i]!;
      const spec = feedbackInitSpec(
        hyper.feedback_init,
        hyper.feedback_scale,
        r,
        options.network.init,
      );
      const m = fillInit(new Float32Array(r * c), spec, r, c, redraws!.stream(i, updates[i]!));
      for (let k = 0; k < m.length; k++) m[k] = Math.abs(m[k]!);
      return b.keep(raw ? raw.wrap(m, r, c) : b.fromArray(m, r, c));
    };
    const drawOnce = (i: number) => {
      const [r] = drawFeedback(b, [shapes[i]!], hyper, options.network.init, rng);
      const m = absKept(b, r!);
      b.dispose(r!);
      return m;
    };
    // The current magnitudes; brSF's are drawn on first use after each update.
    const M: (Tensor | undefined)[] | undefined = kind === "usf"
      ? undefined
      : shapes.map((_, i) => kind === "frsf" ? drawOnce(i) : undefined);
    const magnitudes = (i: number): Tensor => (M![i] ??= redraw(i));
    const B = (i: number): Tensor => {
      const f = fanScale[i]!, m = M ? magnitudes(i) : undefined, w = mlp.W[i]!;
      if (raw) {
        // One pass: f · Mᵢ ∘ sign(Wᵢ), rounded once, as mul then scale would give it.
        const wd = raw.data(w), md = m ? raw.data(m) : undefined, out = new Float32Array(wd.length);
        if (md) { for (let k = 0; k < out.length; k++) out[k] = md[k]! * Math.sign(wd[k]!) * f; }
        else for (let k = 0; k < out.length; k++) out[k] = Math.sign(wd[k]!) * f;
        return raw.wrap(out, w.rows, w.cols);
      }
      const s = signOf(b, w);
      const ms = m ? b.mul(m, s) : s;
      return f === 1 ? ms : b.scale(ms, f);
    };
    const path: FeedbackPath = {
      signal: (i, delta) => b.matmul(delta, B(i), false, true),
      matrices: () => Object.fromEntries((M ?? []).map((_, i) => [`M${i}`, magnitudes(i)])),
      setMatrix: (key, value) => {
        const k = /^M(\d+)$/.exec(key), i = k ? Number(k[1]) : -1;
        if (!M || i < 0 || i >= M.length) {
          throw new Error(
            `Unknown feedback matrix ${JSON.stringify(key)}: expected ${
              M ? `M0…M${M.length - 1}` : "none (usf has no magnitudes)"
            }`,
          );
        }
        const old = M[i];
        M[i] = b.keep(value);
        if (old && old !== value) b.dispose(old);
      },
      standIn: (i) => B(i),
      dispose: () => {
        for (const m of M ?? []) if (m) b.dispose(m);
      },
    };
    // brSF: fresh magnitudes after every update of Wᵢ, for the next batch (drawn when needed).
    if (kind === "brsf") {
      path.learn = (i) => {
        const old = M![i];
        M![i] = undefined;
        updates[i]!++;
        if (old) b.dispose(old);
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
