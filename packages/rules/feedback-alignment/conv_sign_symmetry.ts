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
 *   backward pass: the same distribution), in bulk ({@linkcode fillInit}) when Bₖ is first needed
 *   after the update, from a sub-stream of the seed fixed by (k, update): the first layer's Bₖ,
 *   which the backward pass never needs, is drawn only when observed, and observing it leaves
 *   training unchanged.
 *
 * Fans are PyTorch's: c·k·k and out·k·k for a conv kernel, fanIn and fanOut for a dense layer.
 *
 * @module
 */
import { fillInit, type LearnerOptions, type Tensor } from "@plasticity/core";
import type { ConvFeedbackFactory, ConvFeedbackPath } from "./conv_learner.ts";
import type { SignSymmetryHyper, SignSymmetryKind } from "./sign_symmetry.ts";
import { absKept, drawShaped, scaledSign, weightShapes } from "./_conv_feedback.ts";
import { feedbackInitSpec } from "./feedback_init.ts";
import { Redraws } from "./_redraw.ts";

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
    const b = net.backend, raw = b.raw, shapes = weightShapes(net);
    const scale = shapes.map((s) => hyper.scale_by_fan ? Math.sqrt(2 / (s.fanIn + s.fanOut)) : 1);
    const drawOnce = (k: number) => {
      const [r] = drawShaped(b, [shapes[k]!], hyper, options.network.init, rng);
      const m = absKept(b, r!);
      b.dispose(r!);
      return m;
    };
    // brSF: the sub-streams of the redraws, and how often each layer has been updated.
    const redraws = kind === "brsf" ? new Redraws(rng) : undefined, updates = shapes.map(() => 0);
    const redraw = (k: number): Tensor => {
      const s = shapes[k]!, forward = options.network.init;
      const spec = feedbackInitSpec(hyper.feedback_init, hyper.feedback_scale, s.fanIn, forward);
      const m = fillInit(
        new Float32Array(s.rows * s.cols),
        spec,
        s.fanIn,
        s.fanOut,
        redraws!.stream(k, updates[k]!),
      );
      for (let j = 0; j < m.length; j++) m[j] = Math.abs(m[j]!);
      return b.keep(raw ? raw.wrap(m, s.rows, s.cols) : b.fromArray(m, s.rows, s.cols));
    };
    // The current magnitudes; brSF's are drawn on first use after each update.
    const M: (Tensor | undefined)[] | undefined = kind === "usf"
      ? undefined
      : shapes.map((_, k) => kind === "frsf" ? drawOnce(k) : undefined);
    const magnitudes = (k: number): Tensor => (M![k] ??= redraw(k));
    const B = (k: number): Tensor => {
      const f = scale[k]!, m = M ? magnitudes(k) : undefined, w = net.W[k]!;
      if (raw) {
        // One pass: f · Mₖ ∘ sign(Wₖ), rounded once, as mul then scale would give it.
        const wd = raw.data(w), md = m ? raw.data(m) : undefined, out = new Float32Array(wd.length);
        if (md) { for (let j = 0; j < out.length; j++) out[j] = md[j]! * Math.sign(wd[j]!) * f; }
        else for (let j = 0; j < out.length; j++) out[j] = Math.sign(wd[j]!) * f;
        return raw.wrap(out, w.rows, w.cols);
      }
      const s = scaledSign(b, w, m ? 1 : f);
      if (!m) return s;
      const ms = b.mul(m, s);
      return f === 1 ? ms : b.scale(ms, f);
    };
    const path: ConvFeedbackPath = {
      grads: (cache, e) => net.backward(cache, e, B),
      standIn: B,
      matrices: () => Object.fromEntries((M ?? []).map((_, k) => [`M${k}`, magnitudes(k)])),
      setMatrix: (key, value) => {
        const x = /^M(\d+)$/.exec(key), k = x ? Number(x[1]) : -1;
        if (!M || k < 0 || k >= M.length) {
          throw new Error(
            `Unknown feedback matrix ${JSON.stringify(key)}: expected ${
              M ? `M0…M${M.length - 1}` : "none (usf has no magnitudes)"
            }`,
          );
        }
        const old = M[k];
        M[k] = b.keep(value);
        if (old && old !== value) b.dispose(old);
      },
      dispose: () => {
        for (const m of M ?? []) if (m) b.dispose(m);
      },
    };
    // brSF: fresh magnitudes after every update of Wₖ, for the next batch (drawn when needed).
    if (kind === "brsf") {
      path.learn = (k) => {
        const old = M![k];
        M![k] = undefined;
        updates[k]!++;
        if (old) b.dispose(old);
      };
    }
    return path;
  };
}
