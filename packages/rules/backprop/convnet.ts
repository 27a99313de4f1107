/**
 * A network given layer by layer (core's `network.layers`: conv, pool, flatten, dense) with an
 * explicit forward pass and an explicit backward pass, on backends with image operations (`js`,
 * `blas`, `webgpu`). Images are `batch × (c·h·w)` tensors in channel-major order (core `image_shape.ts`).
 *
 * Notation: h₀ = x; layer ℓ maps hℓ to hℓ₊₁. A weight layer (conv or dense, numbered
 * k = 0, 1, … in order) computes aₖ = Wₖ ⊛ hℓ + bₖ (conv, Wₖ out × in·k·k) or aₖ = hℓWₖ + bₖ
 * (dense, Wₖ fanIn × fanOut) and hℓ₊₁ = φₖ(aₖ); pooling takes each window's max or mean; flatten
 * changes nothing. The backward pass from e = ∂ℒ/∂h_L: δₖ = φ'ₖ(aₖ) ⊙ gℓ₊₁ at a weight layer,
 * ∂Wₖ, ∂bₖ from δₖ and hℓ (core `conv2dWeightGrad`, hℓᵀδₖ), and the gradient at the layer's input
 * gℓ = conv2dInputGrad(δₖ, Bₖ) or δₖBₖᵀ with Bₖ = Wₖ for backpropagation (another matrix of Wₖ's
 * shape for feedback alignment); through pooling, gℓ is the pooling's gradient of gℓ₊₁.
 *
 * @module
 */
import {
  type Activation,
  avgPool2d,
  avgPool2dGrad,
  type Backend,
  conv2d,
  conv2dBiasGrad,
  Conv2dColumns,
  type Conv2dGeometry,
  conv2dInputGrad,
  conv2dWeightGrad,
  type DenseLayerSpec,
  hiddenActivation,
  type ImageShape,
  imageSize,
  initSampler,
  initWeights,
  type LayerShapes,
  layerShapes,
  type LayerSpec,
  maxPool2d,
  maxPool2dGrad,
  MaxPoolIndices,
  NETWORK_DEFAULTS,
  type NetworkSpec,
  type Pool2dGeometry,
  type Rng,
  shapeOf,
  type Tensor,
} from "@plasticity/core";
import { DEFAULT_MLP_INIT } from "./mlp.ts";

/** One layer with its shapes, as the forward and backward passes use it. */
type Stage =
  | { kind: "conv"; k: number; geometry: Conv2dGeometry }
  | { kind: "pool"; avg: boolean; geometry: Pool2dGeometry }
  | { kind: "flatten" }
  | { kind: "dense"; k: number };

/**
 * δ = φ'(a) ⊙ g: for relu on raw buffers one pass, g·[a > 0], the same products as the backend's
 * `mul(g, activateGrad(a))` without the intermediate; otherwise those two operations.
 */
function activationDelta(
  bk: Backend,
  g: Tensor,
  a: Tensor,
  act: Activation,
  slope: number,
): Tensor {
  if (act === "identity") return g;
  if (act !== "relu" || !bk.raw) return bk.mul(g, bk.activateGrad(a, act, slope));
  const gd = bk.raw.data(g), ad = bk.raw.data(a), out = new Float32Array(gd.length);
  for (let i = 0; i < out.length; i++) out[i] = gd[i]! * +(ad[i]! > 0);
  return bk.raw.wrap(out, g.rows, g.cols);
}

/** Everything the forward pass keeps for the backward pass. */
export interface ConvNetCache {
  /** Each layer's input and the output: `h[0]` = x, `h[ℓ + 1]` = layer ℓ's output. */
  readonly h: Tensor[];
  /** Pre-activations aₖ of the weight layers, in order. */
  readonly a: Tensor[];
}

/** Parameter gradients of the weight layers, in order. */
export interface ConvNetGrads {
  /** ∂ℒ/∂Wₖ, each of Wₖ's shape. */
  readonly dW: Tensor[];
  /** ∂ℒ/∂bₖ (1 × outputs), `undefined` for a layer without biases. */
  readonly db: (Tensor | undefined)[];
  /** The errors δₖ = ∂ℒ/∂aₖ. */
  readonly delta: Tensor[];
}

/**
 * A network of conv, pool, flatten and dense layers with explicit forward and backward passes.
 *
 * @example LeNet-like forward and backward pass on 1×8×8 images
 * ```ts
 * import { createRng, jsBackend as b, resolveNetwork } from "@plasticity/core";
 * import { ConvNet } from "@plasticity/backprop";
 * const net = ConvNet.init(b, resolveNetwork({
 *   input_shape: [1, 8, 8], activation: "relu",
 *   layers: [{ conv: { out: 2, kernel: 3, padding: 1 } }, { pool: { size: 2 } }, "flatten", { dense: 3 }],
 * }), createRng(0));
 * const cache = net.forward(b.zeros(4, 64));
 * const g = net.backward(cache, b.fill(4, 3, 1));
 * console.assert(g.dW[0]!.rows === 2 && g.dW[0]!.cols === 9 && g.dW[1]!.rows === 32);
 * ```
 */
export class ConvNet {
  /** The backend every tensor lives on. */
  readonly backend: Backend;
  /** The layers as resolved by core's `resolveNetwork`. */
  readonly layers: readonly LayerSpec[];
  /** The input image and every layer's output shape. */
  readonly shapes: LayerShapes;
  /** Activation φₖ of each weight layer, the last being the output activation. */
  readonly activations: readonly Activation[];
  /** Negative slope of `leakyRelu`. */
  readonly slope: number;
  /** Weights Wₖ of the weight layers: out × (in·k·k) for conv, fanIn × fanOut for dense. */
  W: Tensor[];
  /** Biases bₖ (1 × outputs), or `undefined` for a layer without. */
  b: (Tensor | undefined)[];
  #stages: Stage[];
  /** Per weight layer: the unfolded input a conv layer's forward pass keeps for its weight gradient. */
  #columns: (Conv2dColumns | undefined)[];
  /** Per layer: the argmaxes a max-pooling layer's forward pass keeps for its gradient. */
  #indices: (MaxPoolIndices | undefined)[];

  /**
   * Wraps existing parameters.
   *
   * @param backend The backend (`js` or `blas`).
   * @param network A network given by layers, as core's `resolveNetwork` validates it.
   * @param W Weights per weight layer.
   * @param b Biases per weight layer (`undefined` for none).
   */
  constructor(backend: Backend, network: NetworkSpec, W: Tensor[], b: (Tensor | undefined)[]) {
    if (!network.layers) {
      throw new Error("ConvNet: network.layers is missing: expected a network given by layers");
    }
    this.backend = backend;
    this.layers = network.layers;
    this.shapes = layerShapes(network);
    this.slope = network.leaky_slope ?? NETWORK_DEFAULTS.leaky_slope;
    const stages: Stage[] = [], acts: Activation[] = [], want: [number, number, number][] = [];
    let k = 0;
    this.layers.forEach((l, i) => {
      const input = i === 0 ? this.shapes.input : this.shapes.outputs[i - 1]!;
      if (l.type === "conv") {
        const inp = input as ImageShape;
        const geometry = {
          input: inp,
          outChannels: l.out,
          kernel: l.kernel,
          stride: l.stride,
          padding: l.padding,
        };
        stages.push({ kind: "conv", k, geometry });
        want.push([l.out, inp.c * l.kernel * l.kernel, l.out]);
        k++;
      } else if (l.type === "dense") {
        stages.push({ kind: "dense", k });
        want.push([input as number, l.out, l.out]);
        k++;
      } else if (l.type === "pool") {
        const geometry = { input: input as ImageShape, size: l.size, stride: l.stride };
        stages.push({ kind: "pool", avg: l.kind === "avg", geometry });
      } else stages.push({ kind: "flatten" });
    });
    for (let j = 0; j < k - 1; j++) acts.push(hiddenActivation(network, j));
    acts.push(network.output_activation ?? "identity");
    if (W.length !== k || b.length !== k) {
      throw new Error(
        `ConvNet: got ${W.length} weights and ${b.length} biases: expected ${k} of each`,
      );
    }
    want.forEach(([rows, cols, outs], j) => {
      if (W[j]!.rows !== rows || W[j]!.cols !== cols) {
        throw new Error(`ConvNet: W${j} has shape ${shapeOf(W[j]!)}: expected ${rows}×${cols}`);
      }
      const bj = b[j];
      if (bj && (bj.rows !== 1 || bj.cols !== outs)) {
        throw new Error(`ConvNet: b${j} has shape ${shapeOf(bj)}: expected 1×${outs}`);
      }
    });
    this.#stages = stages;
    this.#indices = stages.map((st) =>
      st.kind === "pool" && !st.avg ? new MaxPoolIndices() : undefined
    );
    this.#columns = Array.from(
      { length: k },
      (_, j) =>
        stages.some((st) => st.kind === "conv" && st.k === j) ? new Conv2dColumns() : undefined,
    );
    this.activations = acts;
    this.W = W;
    this.b = b;
  }

  /**
   * A freshly initialised network: weights from `network.init` (default core's
   * `lecunNormal`, as for the MLPs) with PyTorch's fans for convolutions (fan-in c·k·k, fan-out
   * out·k·k), drawn layer by layer; biases zero where the layer has them (`bias` of the layer,
   * else `network.bias`).
   *
   * @param backend The backend (`js` or `blas`).
   * @param network A network given by layers, as core's `resolveNetwork` validates it.
   * @param rng Generator of the weights.
   * @returns The network.
   *
   * @example
   * ```ts
   * import { createRng, jsBackend as b, resolveNetwork } from "@plasticity/core";
   * import { ConvNet } from "@plasticity/backprop";
   * const net = ConvNet.init(b, resolveNetwork({
   *   input_shape: [3, 4, 4], bias: false,
   *   layers: [{ conv: { out: 5, kernel: 3 } }, "flatten", { dense: { out: 2, bias: true } }],
   * }), createRng(1));
   * console.assert(net.W[0]!.rows === 5 && net.W[0]!.cols === 27 && net.b[0] === undefined && net.b[1] !== undefined);
   * ```
   */
  static init(backend: Backend, network: NetworkSpec, rng: Rng): ConvNet {
    if (!network.layers) {
      throw new Error("ConvNet: network.layers is missing: expected a network given by layers");
    }
    const spec = network.init ?? DEFAULT_MLP_INIT, shapes = layerShapes(network);
    const W: Tensor[] = [], b: (Tensor | undefined)[] = [];
    network.layers.forEach((l, i) => {
      const input = i === 0 ? shapes.input : shapes.outputs[i - 1]!;
      if (l.type !== "conv" && l.type !== "dense") return;
      const hasBias = (l as DenseLayerSpec).bias ?? network.bias ?? NETWORK_DEFAULTS.bias;
      if (l.type === "conv") {
        const c = (input as ImageShape).c, kk = l.kernel * l.kernel;
        W.push(backend.random(l.out, c * kk, initSampler(spec, c * kk, l.out * kk, rng)));
      } else W.push(initWeights(backend, input as number, l.out, spec, rng));
      b.push(hasBias ? backend.zeros(1, l.out) : undefined);
    });
    return new ConvNet(backend, network, W, b);
  }

  /** Number of weight layers. */
  get weightLayers(): number {
    return this.W.length;
  }

  /** Values per input sample, c·h·w. */
  get inputSize(): number {
    return imageSize(this.shapes.input);
  }

  /** Units of the output layer. */
  get outputSize(): number {
    return this.shapes.outputs[this.shapes.outputs.length - 1] as number;
  }

  /**
   * The forward pass (see the module description).
   *
   * @param x Inputs, batch × (c·h·w).
   * @returns Every layer's input, the output and the weight layers' pre-activations.
   */
  forward(x: Tensor): ConvNetCache {
    if (x.cols !== this.inputSize) {
      const s = this.shapes.input;
      throw new Error(
        `ConvNet input has shape ${
          shapeOf(x)
        }: expected batch×${this.inputSize} (${s.c}×${s.h}×${s.w} images)`,
      );
    }
    const bk = this.backend, h: Tensor[] = [x], a: Tensor[] = [];
    for (const st of this.#stages) {
      const cur = h[h.length - 1]!;
      if (st.kind === "flatten") h.push(cur);
      else if (st.kind === "pool") {
        h.push(
          st.avg
            ? avgPool2d(bk, cur, st.geometry)
            : maxPool2d(bk, cur, st.geometry, this.#indices[h.length - 1]),
        );
      } else {
        const W = this.W[st.k]!, bias = this.b[st.k];
        let ak: Tensor;
        if (st.kind === "conv") ak = conv2d(bk, cur, W, st.geometry, bias, this.#columns[st.k]);
        else {
          const z = bk.matmul(cur, W);
          ak = bias ? bk.addRow(z, bias) : z;
        }
        a.push(ak);
        h.push(bk.activate(ak, this.activations[st.k]!, this.slope));
      }
    }
    return { h, a };
  }

  /**
   * The backward pass from e = ∂ℒ/∂h_L. The gradient at a weight layer's input goes through
   * `feedback(k)` in place of Wₖ (default Wₖ itself: backpropagation); no gradient is computed
   * for the network's input.
   *
   * @param cache The forward pass.
   * @param e ∂ℒ/∂h_L, batch × outputs.
   * @param feedback The matrix standing in for Wₖ (same shape) when sending errors back.
   * @returns The gradients and errors of the weight layers.
   */
  backward(cache: ConvNetCache, e: Tensor, feedback?: (k: number) => Tensor): ConvNetGrads {
    const bk = this.backend, K = this.weightLayers;
    const dW: Tensor[] = new Array(K), db: (Tensor | undefined)[] = new Array(K);
    const delta: Tensor[] = new Array(K);
    let g = e, gated = false;
    for (let l = this.#stages.length - 1; l >= 0; l--) {
      const st = this.#stages[l]!, input = cache.h[l]!;
      if (st.kind === "flatten") continue;
      if (st.kind === "pool") {
        // A max pool after a relu layer returns that layer's δ directly (raw buffers).
        const prev = this.#stages[l - 1];
        const gate = !st.avg && bk.raw && prev && (prev.kind === "conv" || prev.kind === "dense") &&
            this.activations[prev.k] === "relu"
          ? cache.a[prev.k]
          : undefined;
        g = st.avg
          ? avgPool2dGrad(bk, g, st.geometry)
          : maxPool2dGrad(bk, input, g, st.geometry, this.#indices[l], gate);
        gated = gate !== undefined;
        continue;
      }
      const k = st.k, act = this.activations[k]!;
      const d = gated ? g : activationDelta(bk, g, cache.a[k]!, act, this.slope);
      gated = false;
      delta[k] = d;
      if (st.kind === "conv") {
        dW[k] = conv2dWeightGrad(bk, input, d, st.geometry, this.#columns[k]);
        db[k] = this.b[k] ? conv2dBiasGrad(bk, d, st.geometry) : undefined;
      } else {
        dW[k] = bk.matmul(input, d, true, false);
        db[k] = this.b[k] ? bk.sum(d, 0) : undefined;
      }
      if (l === 0) break;
      const B = feedback ? feedback(k) : this.W[k]!;
      g = st.kind === "conv"
        ? conv2dInputGrad(bk, d, B, st.geometry)
        : bk.matmul(d, B, false, true);
    }
    return { dW, db, delta };
  }

  /** Frees the parameters. */
  dispose(): void {
    for (const c of this.#columns) c?.clear();
    for (const i of this.#indices) i?.clear();
    for (const w of this.W) this.backend.dispose(w);
    for (const b of this.b) if (b) this.backend.dispose(b);
  }
}
