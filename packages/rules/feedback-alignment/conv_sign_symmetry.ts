/**
 * The sign-symmetry rules (`usf`, `frsf`, `brsf`; Liao, Leibo & Poggio 2016) on networks given by
 * layers, as BioTorch's `usf`/`frsf`/`brsf` `Conv2d` and `Linear` layers define them: the backward
 * pass is backpropagation's with, in Wₖ's place, a matrix of Wₖ's shape (a conv layer's
 * out × c × k × k kernel) recomputed from the current weights at every step,
 *
 *   Bₖ = sₖ · Mₖ ∘ sign(Wₖ),
 *
 * - `usf`: Mₖ = 1; BioTorch scales it by the standard deviation of the Xavier initialiser,
 *   sₖ = √(2/(fan-in + fan-out)) (`scale_by_fan: true`);
 * - `frsf`: Mₖ = |Rₖ| drawn once from `feedback_init`;
 * - `brsf`: Mₖ = |Rₖ| drawn afresh after every update (BioTorch draws it before each batch's
 *   backward pass: the same distribution).
 *
 * Fans are PyTorch's: c·k·k and out·k·k for a conv kernel, fanIn and fanOut for a dense layer.
 *
 * @module
 */
import type { LearnerOptions, Tensor } from "@plasticity/core";
import type { ConvFeedbackFactory, ConvFeedbackPath } from "./conv_learner.ts";
import type { SignSymmetryHyper, SignSymmetryKind } from "./sign_symmetry.ts";
import { absKept, drawShaped, KeyedMatrices, scaledSign, weightShapes } from "./_conv_feedback.ts";

/**
 * The feedback path of a sign-symmetry rule on a `ConvNet` (see the module description). The
 * magnitudes of `frsf` and `brsf` export as `M0…`.
 *
 * @param kind `usf`, `frsf` or `brsf`.
 * @param hyper The rule's settings (`feedback_init`/`feedback_scale` draw the magnitudes).
 * @param options The learner options (the network's initialiser, for `feedback_init: same`).
 * @returns The factory {@linkcode ConvFeedbackLearner} builds the path with.
 *
 * @example uSF's B is sign(W) scaled by √(2/(fan-in + fan-out))
 * ```ts
 * import { jsBackend as b, resolveLearnerConfig } from "@plasticity/core";
 * import { ConvFeedbackLearner, convSignFeedback, usfRule } from "@plasticity/feedback-alignment";
 * const sections = resolveLearnerConfig(usfRule, {
 *   network: { input_shape: [1, 4, 4], activation: "relu", layers: [{ conv: { out: 2, kernel: 3 } }, "flatten", { dense: 2 }] },
 * });
 * const options = { ...sections, backend: b, seed: 0 };
 * const hyper = { feedback_init: "same" as const, feedback_scale: 1, scale_by_fan: true };
 * const net = new ConvFeedbackLearner({ rule: "usf", options, feedback: convSignFeedback("usf", hyper, options) });
 * const B0 = b.read(net.path.standIn!(0)!), W0 = b.read(net.net.W[0]!);
 * console.assert(Math.abs(B0[0]! - Math.sign(W0[0]!) * Math.sqrt(2 / (9 + 18))) < 1e-7);
 * ```
 */
export function convSignFeedback(
  kind: SignSymmetryKind,
  hyper: SignSymmetryHyper,
  options: LearnerOptions,
): ConvFeedbackFactory {
  return (net, rng) => {
    const b = net.backend, shapes = weightShapes(net);
    const draw = (k: number) => {
      const [r] = drawShaped(b, [shapes[k]!], hyper, options.network.init, rng);
      const m = absKept(b, r!);
      b.dispose(r!);
      return m;
    };
    const M = kind === "usf" ? undefined : new KeyedMatrices(b, "M", shapes.map((_, k) => draw(k)));
    const scale = shapes.map((s) => hyper.scale_by_fan ? Math.sqrt(2 / (s.fanIn + s.fanOut)) : 1);
    const B = (k: number): Tensor => {
      const s = scaledSign(b, net.W[k]!, M ? 1 : scale[k]!);
      if (!M) return s;
      const m = b.mul(M.list[k]!, s);
      return scale[k] === 1 ? m : b.scale(m, scale[k]!);
    };
    const path: ConvFeedbackPath = {
      grads: (cache, e) => net.backward(cache, e, B),
      standIn: B,
      matrices: () => M?.all() ?? {},
      setMatrix: (key, value) => {
        if (!M) {
          throw new Error(
            `Unknown feedback matrix ${JSON.stringify(key)}: expected none (usf has no magnitudes)`,
          );
        }
        M.set(key, value);
      },
      dispose: () => M?.dispose(),
    };
    // brSF: fresh magnitudes after every update of Wₖ, for the next batch.
    if (kind === "brsf") path.learn = (k) => M!.set(`M${k}`, draw(k));
    return path;
  };
}
