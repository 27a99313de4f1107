/**
 * Initialisation of the fixed (or Kolen–Pollack-learned) feedback matrices B, chosen by the
 * `feedback_init` and `feedback_scale` hyper-parameters shared by `fa`, `dfa` and `kp`.
 *
 * @module
 */
import {
  type Backend,
  type HyperSchema,
  type InitSpec,
  initWeights,
  type Rng,
  type Tensor,
} from "@plasticity/core";
import { DEFAULT_MLP_INIT } from "@plasticity/backprop";

/** Names accepted by the `feedback_init` hyper-parameter. */
export const FEEDBACK_INITS = [
  "same",
  "lecunNormal",
  "varianceScaling",
  "xavierUniform",
  "xavierNormal",
  "kaimingUniform",
  "uniform",
  "normal",
] as const;

/** A `feedback_init` name. */
export type FeedbackInit = typeof FEEDBACK_INITS[number];

/** Resolved hyper-parameters of the feedback rules (snake_case, as in configs). */
export interface FeedbackHyper {
  /** Initialiser of B. */
  "feedback_init": FeedbackInit;
  /** Its scale. */
  "feedback_scale": number;
}

/** The hyper-parameters shared by the feedback rules. */
export const FEEDBACK_HYPER: HyperSchema = {
  "feedback_init": {
    type: "string",
    default: "same",
    enum: FEEDBACK_INITS,
    doc: "initialiser of B: `same` as the forward weights (bioflax: lecun_normal for both), " +
      "`varianceScaling` = bioflax's untruncated N(0, scale/fanIn), `uniform` = U(−scale, scale), " +
      "or a core initialiser",
  },
  "feedback_scale": {
    type: "number",
    default: 1,
    min: 0,
    doc:
      "scale of B (bioflax `scale_b`): variance scale for lecunNormal/varianceScaling, gain for " +
      "xavier, half-width for uniform, std for normal; unused by same and kaimingUniform",
  },
};

/**
 * The core initialiser a `feedback_init` name and scale mean for a `fanIn × fanOut` matrix.
 *
 * @param name The `feedback_init` value.
 * @param scale The `feedback_scale` value.
 * @param fanIn Rows of B.
 * @param forward The forward weights' initialiser (used by `same`; default lecunNormal).
 * @returns The initialiser.
 *
 * @example
 * ```ts
 * import { feedbackInitSpec } from "@plasticity/feedback-alignment";
 * const spec = feedbackInitSpec("varianceScaling", 0.25, 100);
 * console.assert(spec.kind === "normal" && spec.std === 0.05);
 * ```
 */
export function feedbackInitSpec(
  name: FeedbackInit,
  scale: number,
  fanIn: number,
  forward: InitSpec = DEFAULT_MLP_INIT,
): InitSpec {
  switch (name) {
    case "same":
      return forward;
    case "lecunNormal":
      return { kind: "lecunNormal", scale };
    case "varianceScaling":
      return { kind: "normal", std: Math.sqrt(scale / fanIn) };
    case "xavierUniform":
    case "xavierNormal":
      return { kind: name, gain: scale };
    case "kaimingUniform":
      return { kind: "kaimingUniform" };
    case "uniform":
      return { kind: "uniform", low: -scale, high: scale };
    case "normal":
      return { kind: "normal", std: scale };
  }
  throw new Error(
    `Unknown feedback_init ${JSON.stringify(name)}: expected one of ${FEEDBACK_INITS.join(", ")}`,
  );
}

/**
 * Draws feedback matrices of the given shapes, in order, from `rng`.
 *
 * @param backend The backend.
 * @param shapes `[rows, cols]` of each B.
 * @param hyper Resolved `feedback_init` and `feedback_scale`.
 * @param forward The forward initialiser (for `same`).
 * @param rng The generator.
 * @returns The matrices, kept alive past any enclosing tidy.
 *
 * @example
 * ```ts
 * import { createRng, jsBackend } from "@plasticity/core";
 * import { drawFeedback } from "@plasticity/feedback-alignment";
 * const [B] = drawFeedback(jsBackend, [[3, 2]], { feedback_init: "same", feedback_scale: 1 }, undefined, createRng(0));
 * console.assert(B!.rows === 3 && B!.cols === 2);
 * ```
 */
export function drawFeedback(
  backend: Backend,
  shapes: readonly (readonly [number, number])[],
  hyper: FeedbackHyper,
  forward: InitSpec | undefined,
  rng: Rng,
): Tensor[] {
  return shapes.map(([r, c]) =>
    backend.keep(
      initWeights(
        backend,
        r,
        c,
        feedbackInitSpec(hyper.feedback_init, hyper.feedback_scale, r, forward),
        rng,
      ),
    )
  );
}
