/**
 * Direct feedback alignment (`dfa`; Nøkland 2016) on networks given by layers, as BioTorch's
 * `dfa.Conv2d` and `dfa.Linear` define it: the gradient that arrives at the input of every weight
 * layer k ≥ 1 is not sent back through Wₖ but comes straight from the output error e = ∂ℒ/∂h_L
 * through the layer's own fixed random matrix:
 *
 * - dense layer (input of n units): g = e Bᵀ with B stored n × n_out (BioTorch's n_out × n
 *   `weight_backward`, applied as e·B);
 * - conv layer (input c × h × w, kernel k, output oh × ow): B is an n_out × c × k × k kernel and
 *   g is the transposed convolution of the spatially constant error map E[o, y, x] = e[o]
 *   (n_out × oh × ow) with B — the gradient at the input of a convolution of that geometry with
 *   n_out output channels (BioTorch: `conv2d_input` of the broadcast loss gradient).
 *
 * From there the backward pass is backpropagation's: through pooling, then δⱼ = φ'(aⱼ) ⊙ g at the
 * weight layer j below, whose update is ∂Wⱼ from δⱼ and its input. The output layer's update is
 * backpropagation's. Matrix Bⱼ (j = 0 … K−2) routes e to the output of weight layer j, i.e. to
 * the input of weight layer j + 1, as in the MLP `dfa`.
 *
 * @module
 */
import {
  avgPool2dGrad,
  type Backend,
  conv2dBiasGrad,
  conv2dInputGrad,
  conv2dWeightGrad,
  type LearnerOptions,
  maxPool2dGrad,
  type Tensor,
} from "@plasticity/core";
import type { ConvNet, ConvNetCache, ConvNetGrads } from "@plasticity/backprop";
import type { ConvFeedbackFactory } from "./conv_learner.ts";
import type { FeedbackHyper } from "./feedback_init.ts";
import {
  drawShaped,
  type FeedbackShape,
  KeyedMatrices,
  type Stage,
  stagesOf,
} from "./_conv_feedback.ts";

/** e (batch × n_out) repeated over `plane` positions per channel: batch × (n_out·plane). */
function broadcastError(b: Backend, e: Tensor, plane: number): Tensor {
  const v = b.read(e), out = new Float32Array(e.rows * e.cols * plane);
  for (let i = 0; i < v.length; i++) out.fill(v[i]!, i * plane, (i + 1) * plane);
  return b.fromArray(out, e.rows, e.cols * plane);
}

/** The shape and PyTorch's fans of the DFA matrix of each weight layer k ≥ 1, in order. */
function dfaShapes(stages: readonly Stage[], nOut: number): FeedbackShape[] {
  const out: FeedbackShape[] = [];
  for (const st of stages) {
    if (st.kind === "conv" && st.k > 0) {
      const g = st.geometry, kk = g.kernel * g.kernel;
      out.push({ rows: nOut, cols: g.input.c * kk, fanIn: g.input.c * kk, fanOut: nOut * kk });
    } else if (st.kind === "dense" && st.k > 0) {
      out.push({ rows: st.input, cols: nOut, fanIn: st.input, fanOut: nOut });
    }
  }
  return out;
}

/**
 * DFA's backward pass on a `ConvNet` (see the module description).
 *
 * @param net The network.
 * @param stages Its layers.
 * @param cache Its forward pass.
 * @param e ∂ℒ/∂h_L, batch × n_out.
 * @param B The DFA matrices B₀ … B_{K−2}.
 * @returns The updates and errors of the weight layers.
 */
function dfaBackward(
  net: ConvNet,
  stages: readonly Stage[],
  cache: ConvNetCache,
  e: Tensor,
  B: readonly Tensor[],
): ConvNetGrads {
  const bk = net.backend, K = net.weightLayers, nOut = e.cols;
  const dW: Tensor[] = new Array(K), db: (Tensor | undefined)[] = new Array(K);
  const delta: Tensor[] = new Array(K);
  let g = e;
  for (let l = stages.length - 1; l >= 0; l--) {
    const st = stages[l]!, input = cache.h[l]!;
    if (st.kind === "flatten") continue;
    if (st.kind === "pool") {
      g = st.avg ? avgPool2dGrad(bk, g, st.geometry) : maxPool2dGrad(bk, input, g, st.geometry);
      continue;
    }
    const k = st.k, act = net.activations[k]!;
    const d = act === "identity" ? g : bk.mul(g, bk.activateGrad(cache.a[k]!, act, net.slope));
    delta[k] = d;
    if (st.kind === "conv") {
      dW[k] = conv2dWeightGrad(bk, input, d, st.geometry);
      db[k] = net.b[k] ? conv2dBiasGrad(bk, d, st.geometry) : undefined;
    } else {
      dW[k] = bk.matmul(input, d, true, false);
      db[k] = net.b[k] ? bk.sum(d, 0) : undefined;
    }
    if (k === 0) break;
    g = st.kind === "conv"
      ? conv2dInputGrad(
        bk,
        broadcastError(bk, e, st.output.h * st.output.w),
        B[k - 1]!,
        { ...st.geometry, outChannels: nOut },
      )
      : bk.matmul(e, B[k - 1]!, false, true);
  }
  return { dW, db, delta };
}

/**
 * DFA's feedback path on a `ConvNet`: matrices Bⱼ (see the module description) drawn in layer
 * order from `feedback_init` (`same`: the network's initialiser) with PyTorch's fans of
 * BioTorch's `weight_backward` (conv: fan-in c·k·k, fan-out n_out·k·k; dense: n and n_out).
 *
 * @param hyper Feedback initialiser and scale.
 * @param options The learner options (for the forward initialiser).
 * @returns The factory {@linkcode ConvFeedbackLearner} builds the path with.
 *
 * @example One kernel of n_out × c·k·k per conv layer above the first, one n × n_out per dense layer
 * ```ts
 * import { jsBackend as b, resolveLearnerConfig } from "@plasticity/core";
 * import { convDfaFeedback, ConvFeedbackLearner, dfaRule } from "@plasticity/feedback-alignment";
 * const sections = resolveLearnerConfig(dfaRule, {
 *   network: { input_shape: [1, 8, 8], activation: "relu", layers: [
 *     { conv: { out: 2, kernel: 3 } }, { pool: { size: 2 } }, { conv: { out: 4, kernel: 3 } }, "flatten", { dense: 3 },
 *   ] },
 * });
 * const options = { ...sections, backend: b, seed: 0 };
 * const net = new ConvFeedbackLearner({ rule: "dfa", options, feedback: convDfaFeedback({ feedback_init: "same", feedback_scale: 1 }, options) });
 * const w = net.exportWeights();
 * console.assert(w.B0!.rows === 3 && w.B0!.cols === 18 && w.B1!.rows === 4 && w.B1!.cols === 3 && !("B2" in w));
 * ```
 */
export function convDfaFeedback(
  hyper: FeedbackHyper,
  options: LearnerOptions,
): ConvFeedbackFactory {
  return (net, rng) => {
    const b = net.backend, stages = stagesOf(net);
    const m = new KeyedMatrices(
      b,
      "B",
      drawShaped(b, dfaShapes(stages, net.outputSize), hyper, options.network.init, rng),
    );
    return {
      grads: (cache, e) => dfaBackward(net, stages, cache, e, m.list),
      matrices: () => m.all(),
      setMatrix: (key, value) => m.set(key, value),
      dispose: () => m.dispose(),
    };
  };
}
