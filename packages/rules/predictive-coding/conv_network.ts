/**
 * Predictive coding on networks given layer by layer (core's `network.layers`: conv, pool,
 * flatten, dense), as the convolutional network of Fig. 4i of the prospective-configuration paper
 * (Song et al., Nat. Neurosci. 2024) builds it: each conv or dense layer but the last is followed
 * by a PCLayer, a value node standing for its pre-activation, and then by the activation; pooling
 * and flatten are fixed maps between the value nodes. Images are `batch × (c·h·w)` tensors in
 * channel-major order (core `image_shape.ts`); on backends with image operations (`js`, `blas`,
 * `webgpu`).
 *
 * Notation: weight layers k = 0…K−1 (conv or dense, in order); x₋₁ = s is the clamped input and
 * φ₋₁ the identity. The input of weight layer k is hₖ = Pₖ(φₖ₋₁(xₖ₋₁)), Pₖ the pooling and flatten
 * layers between weight layers k − 1 and k (the identity when there are none), and its prediction
 * is μₖ = Wₖ ⊛ hₖ + bₖ (conv, core `conv2d`) or μₖ = hₖWₖ + bₖ (dense, Wₖ fanIn × fanOut). Hidden
 * value nodes xₖ (k < K − 1) have errors εₖ = xₖ − μₖ; the output has no value node, the target
 * entering through the loss ℓ(f_out(μ_{K−1}), y), so ε_{K−1} = −∂ℓ/∂μ_{K−1} and the energy is
 *
 *   F = ℓ(f_out(μ_{K−1}), y) + Σ_{k<K−1} ½‖xₖ − μₖ‖²,
 *
 * summed over units, pixels and the batch. Its gradients are
 *
 *   ∂F/∂xₖ = εₖ − φ′ₖ(xₖ) ⊙ Pₖ₊₁ᵀ(Wₖ₊₁ᵀ εₖ₊₁),   ∂F/∂Wₖ = −hₖᵀ εₖ (conv: −Σₙ εₖ,ₙ h̃ₖ,ₙᵀ),
 *   ∂F/∂bₖ = −Σ εₖ,
 *
 * where Wᵀ is the convolution's input gradient (core `conv2dInputGrad`) and Pᵀ the pooling's
 * (core `maxPool2dGrad` at the current pooling input, `avgPool2dGrad`): the local, transposed maps
 * of backpropagation, applied to the errors of the layer above only.
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
  type Conv2dGeometry,
  conv2dInputGrad,
  conv2dWeightGrad,
  createRng,
  deriveSeed,
  exportTensor,
  hiddenActivation,
  type ImageShape,
  imageSize,
  initSampler,
  initWeights,
  type LayerShapes,
  layerShapes,
  lossDivisor,
  lossGrad,
  type LossSpec,
  lossValue,
  maxPool2d,
  maxPool2dGrad,
  NETWORK_DEFAULTS,
  type NetworkSpec,
  Optimizer,
  OPTIMIZER_SECTION,
  type OptimizerSpec,
  parseActivation,
  type Pool2dGeometry,
  schemaDefaults,
  shapeOf,
  type Tensor,
  type WeightArray,
} from "@plasticity/core";
import { PC_LOSS, type PCStepResult } from "./network.ts";
import { DEFAULT_PC_CONFIG, type PCConfig } from "./settings.ts";
import { prospectiveIndex, targetAlignment } from "./metrics.ts";

const DEFAULT_OPTIMIZER = schemaDefaults({ optimizer: OPTIMIZER_SECTION })
  .optimizer as unknown as OptimizerSpec;

/** A pooling or flatten layer: a fixed map between value nodes. */
type FixedMap = { kind: "pool"; avg: boolean; geometry: Pool2dGeometry } | { kind: "flatten" };

/** A conv or dense layer with the fixed maps before it. */
interface WeightLayer {
  kind: "conv" | "dense";
  /** The convolution's geometry (conv only). */
  geometry?: Conv2dGeometry;
  /** Pooling and flatten layers between the previous weight layer's activation and this one. */
  pre: FixedMap[];
}

/** Everything needed to build a {@linkcode ConvPCNetwork}. */
export interface ConvPCNetworkOptions {
  /** A network given by `layers` and `input_shape`, as core's `resolveNetwork` validates it. */
  network: NetworkSpec;
  /**
   * Loop settings (mode `pc` or `bp`; default {@linkcode DEFAULT_PC_CONFIG}). The Whittington–
   * Bogacz input settings (`input_activation`, `input_transform`, `target_range`) are refused.
   */
  config?: PCConfig;
  /** Weight optimiser (default: the defaults of core's `OPTIMIZER_SECTION`). */
  optimizer?: OptimizerSpec;
  /** Output loss (default {@linkcode PC_LOSS}, ½ squared error summed over the batch). */
  loss?: LossSpec;
  /**
   * Coupled L2 penalty λ₂ (default 0): each weight and bias gradient g becomes g + λ₂·p before
   * the optimiser, as PyTorch's `weight_decay` of `torch.optim.Adam` (Fig. 4i: 0.01).
   */
  l2?: number;
  /** The backend (`js` or `blas`). */
  backend: Backend;
  /** Seed of the initial weights. */
  seed: number;
}

/** F and its gradients at given value nodes. */
export interface ConvPCEnergy {
  /** F, summed over the batch. */
  F: number;
  /** ∂F/∂xₖ of each hidden value node, k = 0…K−2. */
  dx: Tensor[];
  /** ∂F/∂Wₖ of each weight layer, Wₖ's shape. */
  dW: Tensor[];
  /** ∂F/∂bₖ (1 × outputs), `undefined` for a layer without biases. */
  db: (Tensor | undefined)[];
}

/** The state of one evaluation of the network at value nodes x. */
interface State {
  /** Inputs of every weight layer's fixed maps (their first entry is φₖ₋₁(xₖ₋₁) or s). */
  trace: Tensor[][];
  /** hₖ, the input of weight layer k. */
  h: Tensor[];
  /** μₖ. */
  mu: Tensor[];
  /** εₖ (hidden: xₖ − μₖ; output: −∂ℓ/∂μ). */
  eps: Tensor[];
  /** The output loss, summed over the batch. */
  loss: number;
  /** F. */
  F: number;
}

/**
 * A network of conv, pool, flatten and dense layers with value nodes on the pre-activations of its
 * hidden conv and dense layers, trained by predictive coding (`pc` mode) or, without value nodes,
 * by backpropagation (`bp` mode), with the loop of {@linkcode PCNetwork} (see
 * {@linkcode ConvPCNetwork.step}).
 *
 * @example The first energy of a step is the feed-forward loss (every hidden error starts at 0)
 * ```ts
 * import { jsBackend as b, resolveNetwork } from "@plasticity/core";
 * import { ConvPCNetwork, pcConfig } from "@plasticity/predictive-coding";
 * const net = new ConvPCNetwork({
 *   network: resolveNetwork({
 *     input_shape: [1, 4, 4], activation: "relu",
 *     layers: [{ conv: { out: 2, kernel: 3, padding: 1 } }, { pool: { size: 2 } }, "flatten", { dense: 2 }],
 *   }),
 *   config: pcConfig("pc", { T: 8 }),
 *   backend: b,
 *   seed: 0,
 * });
 * const x = b.fromArray(Array.from({ length: 32 }, (_, i) => (i % 7) / 7), 2, 16);
 * const y = b.fromArray([1, 0, 0, 1], 2, 2);
 * const r = net.step(x, y);
 * console.assert(r.energies.length === 8 && r.energies[0] === r.loss);
 * ```
 */
export class ConvPCNetwork {
  /** The backend. */
  readonly backend: Backend;
  /** The layers as resolved by core's `resolveNetwork`. */
  readonly network: NetworkSpec;
  /** The input image and every layer's output shape. */
  readonly shapes: LayerShapes;
  /** The loop settings. */
  readonly config: Readonly<PCConfig>;
  /** The output loss. */
  readonly loss: Readonly<LossSpec>;
  /** The weight optimiser's settings. */
  readonly optimizerSpec: Readonly<OptimizerSpec>;
  /** Coupled L2 penalty λ₂. */
  readonly l2: number;
  /** φₖ of each weight layer k, the last being the output activation f_out. */
  readonly activations: readonly Activation[];
  /** Weights Wₖ: out × (in·k·k) for conv, fanIn × fanOut for dense. */
  W: Tensor[];
  /** Biases bₖ (1 × outputs), or `undefined` for a layer without. */
  b: (Tensor | undefined)[];
  /** Energies of the last step, one per inference iteration. */
  lastEnergies: number[] = [];

  #layers: WeightLayer[];
  #slope: number;
  #opt: Optimizer;

  /**
   * Builds the network and draws its weights (default init `xavierUniform`, as
   * {@linkcode PCNetwork}; convolutions with PyTorch's fans, fan-in c·k·k and fan-out out·k·k);
   * biases zero where the layer has them.
   *
   * @param options Architecture, settings, optimiser, loss, L2 penalty, backend and seed.
   */
  constructor(options: ConvPCNetworkOptions) {
    const { network, backend } = options;
    if (!network.layers) {
      throw new Error(
        "ConvPCNetwork: network.layers is missing: expected a network given by layers",
      );
    }
    const config = { ...(options.config ?? DEFAULT_PC_CONFIG) };
    if (config.mode === "nudge") {
      throw new Error(
        `ConvPCNetwork: mode "nudge" is not available for networks given by layers: expected "pc" or "bp"`,
      );
    }
    if (config.input_activation || config.input_transform !== "none" || config.target_range) {
      throw new Error(
        "ConvPCNetwork: the whittington-bogacz input settings (input_activation, input_transform, target_range) are not available for networks given by layers: expected the song variant",
      );
    }
    const l2 = options.l2 ?? 0;
    if (!(l2 >= 0)) throw new Error(`ConvPCNetwork: l2 ${l2} is invalid: expected a number ≥ 0`);
    this.backend = backend;
    this.network = network;
    this.config = config;
    this.loss = { ...(options.loss ?? PC_LOSS) };
    this.optimizerSpec = { ...(options.optimizer ?? DEFAULT_OPTIMIZER) };
    this.l2 = l2;
    this.shapes = layerShapes(network);
    this.#slope = network.leaky_slope ?? NETWORK_DEFAULTS.leaky_slope;
    const rng = createRng(deriveSeed(options.seed, "pc-init"));
    const init = network.init ?? { kind: "xavierUniform" };
    const layers: WeightLayer[] = [], W: Tensor[] = [], b: (Tensor | undefined)[] = [];
    let pre: FixedMap[] = [];
    network.layers.forEach((l, i) => {
      const input = i === 0 ? this.shapes.input : this.shapes.outputs[i - 1]!;
      if (l.type === "pool") {
        pre.push({
          kind: "pool",
          avg: l.kind === "avg",
          geometry: { input: input as ImageShape, size: l.size, stride: l.stride },
        });
        return;
      }
      if (l.type === "flatten") {
        pre.push({ kind: "flatten" });
        return;
      }
      const hasBias = l.bias ?? network.bias ?? NETWORK_DEFAULTS.bias;
      if (l.type === "conv") {
        const c = (input as ImageShape).c, kk = l.kernel * l.kernel;
        const geometry: Conv2dGeometry = {
          input: input as ImageShape,
          outChannels: l.out,
          kernel: l.kernel,
          stride: l.stride,
          padding: l.padding,
        };
        layers.push({ kind: "conv", geometry, pre });
        W.push(backend.random(l.out, c * kk, initSampler(init, c * kk, l.out * kk, rng)));
      } else {
        layers.push({ kind: "dense", pre });
        W.push(initWeights(backend, input as number, l.out, init, rng));
      }
      b.push(hasBias ? backend.zeros(1, l.out) : undefined);
      pre = [];
    });
    const K = layers.length, acts: Activation[] = [];
    for (let k = 0; k < K - 1; k++) {
      acts.push(parseActivation(hiddenActivation(network, k), "network.activation"));
    }
    acts.push(
      parseActivation(network.output_activation ?? "identity", "network.output_activation"),
    );
    this.#layers = layers;
    this.activations = acts;
    this.W = W;
    this.b = b;
    this.#opt = new Optimizer(backend, this.optimizerSpec as OptimizerSpec);
  }

  /** Number of weight layers K. */
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

  #checkInput(x: Tensor): void {
    if (x.cols !== this.inputSize) {
      const s = this.shapes.input;
      throw new Error(
        `Input of shape ${
          shapeOf(x)
        }: expected batch×${this.inputSize} (${s.c}×${s.h}×${s.w} images)`,
      );
    }
  }

  #checkTarget(x: Tensor, y: Tensor): void {
    if (y.rows !== x.rows || y.cols !== this.outputSize) {
      throw new Error(`Target of shape ${shapeOf(y)}: expected ${x.rows}×${this.outputSize}`);
    }
  }

  /** hₖ = Pₖ(source), with the input of every fixed map (for the max-pooling gradient). */
  #fixedMaps(k: number, source: Tensor): [Tensor, Tensor[]] {
    const b = this.backend, trace: Tensor[] = [];
    let h = source;
    for (const m of this.#layers[k]!.pre) {
      trace.push(h);
      if (m.kind === "pool") {
        h = m.avg ? avgPool2d(b, h, m.geometry) : maxPool2d(b, h, m.geometry);
      }
    }
    return [h, trace];
  }

  /** μₖ = Wₖ ⊛ hₖ + bₖ. */
  #predict(k: number, h: Tensor): Tensor {
    const b = this.backend, L = this.#layers[k]!, W = this.W[k]!, bias = this.b[k];
    if (L.kind === "conv") return conv2d(b, h, W, L.geometry!, bias);
    const z = b.matmul(h, W);
    return bias ? b.addRow(z, bias) : z;
  }

  /** Pₖ₊₁ᵀ(Wₖ₊₁ᵀ e): an error at μₖ₊₁ sent back to φₖ(xₖ) through the transposed maps. */
  #sendBack(k: number, e: Tensor, trace: Tensor[]): Tensor {
    const b = this.backend, L = this.#layers[k]!;
    let g = L.kind === "conv"
      ? conv2dInputGrad(b, e, this.W[k]!, L.geometry!)
      : b.matmul(e, this.W[k]!, false, true);
    for (let i = L.pre.length - 1; i >= 0; i--) {
      const m = L.pre[i]!;
      if (m.kind === "pool") {
        g = m.avg ? avgPool2dGrad(b, g, m.geometry) : maxPool2dGrad(b, trace[i]!, g, m.geometry);
      }
    }
    return g;
  }

  /** ∂F/∂Wₖ = −hₖᵀεₖ and ∂F/∂bₖ = −Σεₖ, times `scale`. */
  #weightGrads(k: number, h: Tensor, eps: Tensor, scale: number): [Tensor, Tensor | undefined] {
    const b = this.backend, L = this.#layers[k]!;
    const gw = L.kind === "conv"
      ? conv2dWeightGrad(b, h, eps, L.geometry!)
      : b.matmul(h, eps, true, false);
    const gb = this.b[k]
      ? (L.kind === "conv" ? conv2dBiasGrad(b, eps, L.geometry!) : b.sum(eps, 0))
      : undefined;
    return [b.scale(gw, -scale), gb ? b.scale(gb, -scale) : undefined];
  }

  /** The loss summed over the batch and ε = −∂ℓ/∂μ at the output. */
  #output(mu: Tensor, y: Tensor): [Tensor, number] {
    const b = this.backend, f = this.activations[this.weightLayers - 1]!;
    const sum: LossSpec = { ...this.loss, reduction: "sum" };
    const out = f === "identity" ? mu : b.activate(mu, f, this.#slope);
    const value = lossValue(b, sum, out, y);
    let g = lossGrad(b, sum, out, y);
    if (f !== "identity") g = b.mul(g, b.activateGrad(mu, f, this.#slope));
    return [b.scale(g, -1), value];
  }

  /**
   * Evaluates the network at hidden value nodes `x` (or, without them, feed-forward: xₖ := μₖ, as
   * at t = 0 of inference and in `bp` mode): predictions, errors, loss and F.
   */
  #evaluate(s: Tensor, y: Tensor, x?: readonly Tensor[]): State {
    const b = this.backend, K = this.weightLayers;
    const trace: Tensor[][] = [], h: Tensor[] = [], mu: Tensor[] = [], eps: Tensor[] = [];
    let source = s, F = 0;
    for (let k = 0; k < K; k++) {
      const [hk, tk] = this.#fixedMaps(k, source);
      trace.push(tk);
      h.push(hk);
      const m = this.#predict(k, hk);
      mu.push(m);
      if (k === K - 1) break;
      const xk = x ? x[k]! : m;
      if (x) {
        const e = b.sub(xk, m);
        eps.push(e);
        F += 0.5 * b.sumSquares(e);
      } else eps.push(b.zeros(m.rows, m.cols));
      source = b.activate(xk, this.activations[k]!, this.#slope);
    }
    const [eL, loss] = this.#output(mu[K - 1]!, y);
    eps.push(eL);
    return { trace, h, mu, eps, loss, F: F + loss };
  }

  /** ∂F/∂xₖ = εₖ − φ′ₖ(xₖ) ⊙ Pₖ₊₁ᵀ(Wₖ₊₁ᵀ εₖ₊₁) for every hidden k. */
  #valueGrads(st: State, x: readonly Tensor[]): Tensor[] {
    const b = this.backend, out: Tensor[] = [];
    for (let k = 0; k < this.weightLayers - 1; k++) {
      const back = this.#sendBack(k + 1, st.eps[k + 1]!, st.trace[k + 1]!);
      const act = this.activations[k]!;
      const d = act === "identity" ? back : b.mul(back, b.activateGrad(x[k]!, act, this.#slope));
      out.push(b.sub(st.eps[k]!, d));
    }
    return out;
  }

  /**
   * The feed-forward output f_out(μ_{K−1}) for inputs `x` (value nodes play no part).
   *
   * @param x Inputs, batch × (c·h·w).
   * @returns Outputs, batch × outputs.
   */
  predict(x: Tensor): Tensor {
    return this.backend.activate(
      this.feedForward(x)[this.weightLayers - 1]!,
      this.activations[this.weightLayers - 1]!,
      this.#slope,
    );
  }

  /**
   * The feed-forward predictions μₖ of every weight layer (the hidden ones are where the value
   * nodes start from).
   *
   * @param x Inputs, batch × (c·h·w).
   * @returns μ₀…μ_{K−1}.
   */
  feedForward(x: Tensor): Tensor[] {
    this.#checkInput(x);
    const b = this.backend, K = this.weightLayers, mu: Tensor[] = [];
    let source = x;
    for (let k = 0; k < K; k++) {
      const m = this.#predict(k, this.#fixedMaps(k, source)[0]);
      mu.push(m);
      if (k < K - 1) source = b.activate(m, this.activations[k]!, this.#slope);
    }
    return mu;
  }

  /**
   * F and its gradients with respect to the hidden value nodes, the weights and the biases, at
   * value nodes `values` (default: the feed-forward state xₖ = μₖ). Nothing changes.
   *
   * @param x Inputs, batch × (c·h·w).
   * @param y Targets, batch × outputs.
   * @param values Hidden value nodes x₀…x_{K−2}, each of its layer's pre-activation shape.
   * @returns F, ∂F/∂x, ∂F/∂W and ∂F/∂b (the loss summed over the batch).
   */
  energy(x: Tensor, y: Tensor, values?: readonly Tensor[]): ConvPCEnergy {
    this.#checkInput(x);
    this.#checkTarget(x, y);
    const K = this.weightLayers;
    const xs = values ?? this.feedForward(x).slice(0, K - 1);
    if (xs.length !== K - 1) {
      throw new Error(`Got ${xs.length} value nodes: expected ${K - 1}, one per hidden layer`);
    }
    const st = this.#evaluate(x, y, xs);
    const dW: Tensor[] = [], db: (Tensor | undefined)[] = [];
    for (let k = 0; k < K; k++) {
      const [gw, gb] = this.#weightGrads(k, st.h[k]!, st.eps[k]!, 1);
      dW.push(gw);
      db.push(gb);
    }
    return { F: st.F, dx: this.#valueGrads(st, xs), dW, db };
  }

  /**
   * One learning step on a batch, with the loop of {@linkcode PCNetwork.step}.
   *
   * `pc` mode: value nodes start at the feed-forward predictions, xₖ := μₖ; then for t = 0…T−1:
   * μ, ε and F_t at the current x; the weight step Wₖ ← Wₖ − α(c·∂F/∂Wₖ + λ₂Wₖ) at t = T − 1 (or
   * at every t with `update_p_at: "all"`, Fig. 4i's setting), c = 1 / the loss's divisor; and,
   * for t < T − 1, xₖ ← xₖ − γ ∂F/∂xₖ with the errors of t (those of the weights before their
   * step); γ ← γ·d whenever t ≥ 1 and F_t ≥ F_{t−1}.
   *
   * `bp` mode: no value nodes; the errors are εₖ = φ′ₖ(μₖ) ⊙ Pₖ₊₁ᵀ(Wₖ₊₁ᵀ εₖ₊₁) from ε_{K−1} =
   * −∂ℓ/∂μ_{K−1}, so c·∂F/∂Wₖ = −c·hₖᵀεₖ is the gradient of the loss, and one weight step follows.
   *
   * @param x Inputs, batch × (c·h·w).
   * @param y Targets, batch × outputs.
   * @param options `optimizer` to use instead of the network's own; `capture` to return the
   * relaxed value nodes (those the last weight step saw).
   * @returns Loss before the step (with the loss's reduction), the energy trace, final γ and the
   * number of decays.
   */
  step(
    x: Tensor,
    y: Tensor,
    options: { optimizer?: Optimizer; capture?: boolean } = {},
  ): PCStepResult {
    this.#checkInput(x);
    this.#checkTarget(x, y);
    const opt = options.optimizer ?? this.#opt;
    const r = this.#run(x, y, (gw, gb) => this.#applyUpdate(opt, gw, gb), options.capture);
    this.lastEnergies = r.energies;
    return r;
  }

  /**
   * The weight and bias gradients c·∂F/∂W, c·∂F/∂b one step would apply at its last iteration,
   * without changing anything (`update_p_at: "all"` is read as `last`: the weights stay fixed
   * during the relaxation). In `bp` mode they are the gradients of the loss.
   *
   * @param x Inputs, batch × (c·h·w).
   * @param y Targets, batch × outputs.
   * @returns The gradients per weight layer and the energy trace.
   */
  relaxedGradients(
    x: Tensor,
    y: Tensor,
  ): { dW: Tensor[]; db: (Tensor | undefined)[]; energies: number[] } {
    this.#checkInput(x);
    this.#checkTarget(x, y);
    let dW: Tensor[] = [], db: (Tensor | undefined)[] = [];
    const r = this.#run(
      x,
      y,
      (gw, gb) => {
        dW = gw;
        db = gb;
      },
      false,
      true,
    );
    return { dW, db, energies: r.energies };
  }

  #run(
    s: Tensor,
    y: Tensor,
    update: (gw: Tensor[], gb: (Tensor | undefined)[]) => void,
    capture = false,
    fixedWeights = false,
  ): PCStepResult {
    const b = this.backend, K = this.weightLayers, cfg = this.config;
    const c = 1 / lossDivisor(this.loss, s.rows, this.outputSize);
    const grads = (st: State) => {
      const gw: Tensor[] = [], gb: (Tensor | undefined)[] = [];
      for (let k = 0; k < K; k++) {
        const [w, bb] = this.#weightGrads(k, st.h[k]!, st.eps[k]!, c);
        gw.push(w);
        gb.push(bb);
      }
      update(gw, gb);
    };
    if (cfg.mode === "bp") {
      const st = this.#evaluate(s, y);
      for (let k = K - 2; k >= 0; k--) {
        const back = this.#sendBack(k + 1, st.eps[k + 1]!, st.trace[k + 1]!);
        const act = this.activations[k]!;
        st.eps[k] = act === "identity"
          ? back
          : b.mul(back, b.activateGrad(st.mu[k]!, act, this.#slope));
      }
      grads(st);
      return { loss: st.loss * c, energies: [st.loss], gamma: 0, decays: 0 };
    }
    let x = this.feedForward(s).slice(0, K - 1);
    const energies: number[] = [];
    let gamma = cfg.gamma, prev = NaN, decays = 0, loss = NaN;
    let relaxed: Float32Array[] | undefined;
    const everyT = cfg.update_p_at === "all" && !fixedWeights;
    for (let t = 0; t < cfg.T; t++) {
      const st = this.#evaluate(s, y, x);
      if (t === 0) loss = st.loss;
      energies.push(st.F);
      const last = t === cfg.T - 1;
      const dx = last ? [] : this.#valueGrads(st, x);
      if (last || everyT) {
        if (capture && last) relaxed = x.map((v) => b.read(v));
        grads(st);
      }
      if (!last) x = x.map((v, k) => b.axpy(-gamma, dx[k]!, v));
      if (t >= 1 && !(st.F < prev)) {
        gamma *= cfg.decay;
        decays++;
      }
      prev = st.F;
    }
    const r: PCStepResult = { loss: loss * c, energies, gamma, decays };
    if (relaxed) r.relaxed = relaxed;
    return r;
  }

  /** p ← optimiser step with gradient g + λ₂p, for every weight and bias. */
  #applyUpdate(opt: Optimizer, gw: Tensor[], gb: (Tensor | undefined)[]): void {
    const b = this.backend, l2 = this.l2;
    const g = (p: Tensor, grad: Tensor) => (l2 === 0 ? grad : b.axpy(l2, p, grad));
    for (let k = 0; k < this.weightLayers; k++) {
      const w = this.W[k]!, bias = this.b[k], gbk = gb[k];
      this.W[k] = opt.update(`W${k}`, w, g(w, gw[k]!));
      b.dispose(w);
      if (bias && gbk) {
        this.b[k] = opt.update(`b${k}`, bias, g(bias, gbk));
        b.dispose(bias);
      }
    }
  }

  /**
   * Target alignment and prospective indices of one learning step on (`x`, `y`), measured with a
   * fresh optimiser of the same settings at the same epoch and undone afterwards, as
   * {@linkcode PCNetwork.probeStep}.
   *
   * @param x Inputs.
   * @param y Targets.
   * @returns `targetAlignment` = cos(Δprediction, y − prediction) and, in `pc` mode,
   * `prospectiveIndex[k]` = cos(V′, V⁺) of hidden layer k + 1.
   */
  probeStep(x: Tensor, y: Tensor): { targetAlignment: number; prospectiveIndex: number[] } {
    const b = this.backend, K = this.weightLayers, saved = this.exportWeights();
    const before = b.read(this.predict(x));
    const ffBefore = this.feedForward(x).slice(0, K - 1).map((t) => b.read(t));
    const energies = this.lastEnergies;
    const opt = new Optimizer(b, this.optimizerSpec as OptimizerSpec, this.#opt.epochsDone);
    const r = this.step(x, y, { optimizer: opt, capture: true });
    opt.reset();
    this.lastEnergies = energies;
    const after = b.read(this.predict(x));
    const ffAfter = this.feedForward(x).slice(0, K - 1).map((t) => b.read(t));
    this.importWeights(saved);
    const pi = r.relaxed
      ? r.relaxed.map((v, i) => prospectiveIndex(ffBefore[i]!, v, ffAfter[i]!))
      : [];
    return { targetAlignment: targetAlignment(before, after, b.read(y)), prospectiveIndex: pi };
  }

  /** Ends an epoch: advances the weight optimiser's schedule (if any). */
  endEpoch(): void {
    this.#opt.endEpoch();
  }

  /**
   * Weights `W0…` and biases `b0…` (one per conv or dense layer, in order, in the layout of
   * backprop's `ConvNet`), as plain arrays.
   *
   * @returns The matrices by name.
   */
  exportWeights(): Record<string, WeightArray> {
    const out: Record<string, WeightArray> = {};
    this.W.forEach((w, k) => (out[`W${k}`] = exportTensor(this.backend, w)));
    this.b.forEach((t, k) => {
      if (t) out[`b${k}`] = exportTensor(this.backend, t);
    });
    return out;
  }

  /**
   * Restores matrices from {@linkcode ConvPCNetwork.exportWeights}; shapes must match, keys not
   * given keep their values.
   *
   * @param weights Matrices by name.
   */
  importWeights(weights: Record<string, WeightArray>): void {
    const b = this.backend, K = this.weightLayers;
    for (const [key, v] of Object.entries(weights)) {
      const m = /^([Wb])(\d+)$/.exec(key);
      const k = m ? Number(m[2]) : -1;
      const list = m?.[1] === "W" ? this.W : this.b;
      const cur = k >= 0 && k < K ? list[k] : undefined;
      if (!cur) {
        throw new Error(
          `Unknown weight ${JSON.stringify(key)}: expected one of ${
            Object.keys(this.exportWeights()).join(", ")
          }`,
        );
      }
      if (v.rows !== cur.rows || v.cols !== cur.cols) {
        throw new Error(`Weight ${key} of shape ${v.rows}×${v.cols}: expected ${shapeOf(cur)}`);
      }
      list[k] = b.fromArray(v.data, v.rows, v.cols);
      b.dispose(cur);
    }
  }

  /** Frees the parameters and the optimiser's state. */
  dispose(): void {
    const b = this.backend;
    for (const w of this.W) b.dispose(w);
    for (const t of this.b) if (t) b.dispose(t);
    this.#opt.reset();
  }
}
