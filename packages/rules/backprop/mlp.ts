/**
 * A multilayer perceptron with an explicit forward pass and an explicit backward pass whose
 * "feedback path" (how an error at a layer's output reaches the layer's input) is a parameter.
 * Backpropagation sends δ through Wᵀ; feedback alignment and its relatives swap in other
 * matrices without touching the rest of the machinery.
 *
 * Notation (row vectors, weights stored fanIn × fanOut as in core `init.ts`):
 * h₀ = x, aᵢ = hᵢWᵢ + bᵢ, hᵢ₊₁ = φᵢ(aᵢ) for layers i = 0 … L−1, the output is h_L.
 *
 * @module
 */
import {
  type Activation,
  type Backend,
  hiddenActivation,
  type InitSpec,
  initWeights,
  NETWORK_DEFAULTS,
  type NetworkSpec,
  type Rng,
  shapeOf,
  type Tensor,
} from "@plasticity/core";

/** Everything the forward pass keeps for the backward pass. */
export interface MlpCache {
  /** Layer inputs and the output: `h[0]` = x, `h[i + 1]` = φᵢ(aᵢ); length L + 1. */
  readonly h: Tensor[];
  /** Pre-activations `a[i]` = h[i] Wᵢ + bᵢ; length L. */
  readonly a: Tensor[];
}

/** Parameter gradients (or a rule's stand-in for them) and the errors δᵢ = ∂ℒ/∂aᵢ used. */
export interface MlpGrads {
  /** ∂ℒ/∂Wᵢ = hᵢᵀ δᵢ, fanIn × fanOut. */
  readonly dW: Tensor[];
  /** ∂ℒ/∂bᵢ = Σ_rows δᵢ (1 × fanOut); `undefined` when the net has no biases. */
  readonly db: (Tensor | undefined)[];
  /** The errors δᵢ at the pre-activations, batch × fanOut. */
  readonly delta: Tensor[];
}

/**
 * The feedback path: the error signal at hᵢ (the input of layer i, i ≥ 1), given layer i's error
 * δᵢ and the output layer's error δ_{L−1}. Backprop returns δᵢWᵢᵀ; the hidden error then is
 * δᵢ₋₁ = φ'ᵢ₋₁(aᵢ₋₁) ⊙ signal.
 */
export type FeedbackSignal = (i: number, delta: Tensor, deltaOut: Tensor) => Tensor;

/** Default initialiser of the MLP rules: Flax's `lecun_normal`, as in bioflax. */
export const DEFAULT_MLP_INIT: InitSpec = { kind: "lecunNormal" };

/**
 * A fully connected network with explicit forward and backward passes on any {@linkcode Backend}.
 *
 * @example Forward and backward pass of a 2-3-1 network
 * ```ts
 * import { createRng, jsBackend as b } from "@plasticity/core";
 * import { Mlp } from "@plasticity/backprop";
 * const mlp = Mlp.init(b, { sizes: [2, 3, 1], activation: "tanh" }, createRng(0));
 * const cache = mlp.forward(b.fromArray([1, -1], 1, 2));
 * const g = mlp.backward(cache, b.fill(1, 1, 1), mlp.bpSignal);
 * console.assert(g.dW[0]!.rows === 2 && g.dW[0]!.cols === 3);
 * ```
 */
export class Mlp {
  /** The backend every tensor lives on. */
  readonly backend: Backend;
  /** Layer sizes, input to output. */
  readonly sizes: readonly number[];
  /** Activation φᵢ of each layer, the last being the output activation. */
  readonly activations: readonly Activation[];
  /** Negative slope of `leakyRelu`. */
  readonly slope: number;
  /** Weights Wᵢ, fanIn × fanOut. */
  W: Tensor[];
  /** Biases bᵢ (1 × fanOut), or `undefined` per layer when the net has none. */
  b: (Tensor | undefined)[];

  /**
   * Wraps existing parameters.
   *
   * @param backend The backend.
   * @param network The architecture, as core's `resolveNetwork` validates it (not checked again).
   * @param W Weights per layer.
   * @param b Biases per layer (`undefined` entries when there are none).
   */
  constructor(backend: Backend, network: NetworkSpec, W: Tensor[], b: (Tensor | undefined)[]) {
    if (network.layers) {
      throw new Error(
        "Mlp: network.layers is set: expected a multilayer perceptron of network.sizes (a network given by layers is a ConvNet)",
      );
    }
    const L = network.sizes.length - 1;
    const acts: Activation[] = [];
    for (let i = 0; i < L - 1; i++) acts.push(hiddenActivation(network, i));
    acts.push(network.output_activation ?? "identity");
    if (W.length !== L || b.length !== L) {
      throw new Error(`Mlp: got ${W.length} weights and ${b.length} biases: expected ${L} of each`);
    }
    for (let i = 0; i < L; i++) {
      const w = W[i]!, bi = b[i];
      if (w.rows !== network.sizes[i] || w.cols !== network.sizes[i + 1]) {
        throw new Error(
          `Mlp: W${i} has shape ${shapeOf(w)}: expected ${network.sizes[i]}×${
            network.sizes[i + 1]
          }`,
        );
      }
      if (bi && (bi.rows !== 1 || bi.cols !== w.cols)) {
        throw new Error(`Mlp: b${i} has shape ${shapeOf(bi)}: expected 1×${w.cols}`);
      }
    }
    this.backend = backend;
    this.sizes = [...network.sizes];
    this.activations = acts;
    this.slope = network.leaky_slope ?? NETWORK_DEFAULTS.leaky_slope;
    this.W = W;
    this.b = b;
  }

  /**
   * A freshly initialised network: weights from `network.init` (default
   * {@linkcode DEFAULT_MLP_INIT}), biases zero (when `network.bias` is not false).
   *
   * @param backend The backend.
   * @param network The architecture, as core's `resolveNetwork` validates it (not checked again).
   * @param rng Generator of the weights, drawn layer by layer.
   * @returns The network.
   *
   * @example
   * ```ts
   * import { createRng, jsBackend } from "@plasticity/core";
   * import { Mlp } from "@plasticity/backprop";
   * const mlp = Mlp.init(jsBackend, { sizes: [4, 8, 2], activation: "relu", bias: false }, createRng(1));
   * console.assert(mlp.layers === 2 && mlp.b[0] === undefined);
   * ```
   */
  static init(backend: Backend, network: NetworkSpec, rng: Rng): Mlp {
    const spec = network.init ?? DEFAULT_MLP_INIT;
    const W: Tensor[] = [], b: (Tensor | undefined)[] = [];
    for (let i = 0; i + 1 < network.sizes.length; i++) {
      const fanIn = network.sizes[i]!, fanOut = network.sizes[i + 1]!;
      W.push(initWeights(backend, fanIn, fanOut, spec, rng));
      b.push(network.bias === false ? undefined : backend.zeros(1, fanOut));
    }
    return new Mlp(backend, network, W, b);
  }

  /** Number of weight layers L. */
  get layers(): number {
    return this.W.length;
  }

  /**
   * The forward pass aᵢ = hᵢWᵢ + bᵢ, hᵢ₊₁ = φᵢ(aᵢ).
   *
   * @param x Inputs, batch × sizes[0].
   * @returns Every layer's input and pre-activation.
   *
   * @example
   * ```ts
   * import { createRng, jsBackend as b } from "@plasticity/core";
   * import { Mlp } from "@plasticity/backprop";
   * const mlp = Mlp.init(b, { sizes: [2, 4, 3], activation: "relu" }, createRng(0));
   * const { h } = mlp.forward(b.zeros(5, 2));
   * console.assert(h[2]!.rows === 5 && h[2]!.cols === 3);
   * ```
   */
  forward(x: Tensor): MlpCache {
    if (x.cols !== this.sizes[0]) {
      throw new Error(`Mlp input has shape ${shapeOf(x)}: expected batch×${this.sizes[0]}`);
    }
    const bk = this.backend, h: Tensor[] = [x], a: Tensor[] = [];
    for (let i = 0; i < this.layers; i++) {
      const z = bk.matmul(h[i]!, this.W[i]!);
      const bi = this.b[i];
      const ai = bi ? bk.addRow(z, bi) : z;
      a.push(ai);
      h.push(bk.activate(ai, this.activations[i]!, this.slope));
    }
    return { h, a };
  }

  /**
   * The backward pass with a chosen feedback path. With `e` = ∂ℒ/∂h_L:
   * δ_{L−1} = φ'_{L−1}(a_{L−1}) ⊙ e, δᵢ₋₁ = φ'ᵢ₋₁(aᵢ₋₁) ⊙ signal(i, δᵢ, δ_{L−1}),
   * ∂Wᵢ = hᵢᵀδᵢ, ∂bᵢ = Σ_rows δᵢ. No signal is computed for the input layer.
   *
   * @param cache The forward pass.
   * @param e ∂ℒ/∂h_L (e.g. core `lossGrad`), batch × sizes[L].
   * @param signal The feedback path ({@linkcode Mlp.bpSignal} for backpropagation).
   * @returns The gradients and errors.
   *
   * @example Backprop of ½(y − t)² through one linear layer
   * ```ts
   * import { jsBackend as b } from "@plasticity/core";
   * import { Mlp } from "@plasticity/backprop";
   * const mlp = new Mlp(b, { sizes: [1, 1], activation: "identity" }, [b.fill(1, 1, 2)], [undefined]);
   * const g = mlp.backward(mlp.forward(b.fill(1, 1, 3)), b.fill(1, 1, 0.5), mlp.bpSignal);
   * console.assert(b.read(g.dW[0]!)[0] === 1.5);
   * ```
   */
  backward(cache: MlpCache, e: Tensor, signal: FeedbackSignal): MlpGrads {
    const bk = this.backend, L = this.layers;
    const delta: Tensor[] = new Array(L);
    const dW: Tensor[] = new Array(L), db: (Tensor | undefined)[] = new Array(L);
    const outAct = this.activations[L - 1]!;
    const deltaOut = outAct === "identity"
      ? e
      : bk.mul(e, bk.activateGrad(cache.a[L - 1]!, outAct, this.slope));
    delta[L - 1] = deltaOut;
    for (let i = L - 1; i >= 0; i--) {
      const d = delta[i]!;
      dW[i] = bk.matmul(cache.h[i]!, d, true, false);
      db[i] = this.b[i] ? bk.sum(d, 0) : undefined;
      if (i > 0) {
        const s = signal(i, d, deltaOut);
        const act = this.activations[i - 1]!;
        delta[i - 1] = act === "identity"
          ? s
          : bk.mul(s, bk.activateGrad(cache.a[i - 1]!, act, this.slope));
      }
    }
    return { dW, db, delta };
  }

  /**
   * Backpropagation's feedback path: the signal at hᵢ is δᵢWᵢᵀ.
   *
   * @param i The layer (≥ 1).
   * @param delta Its error δᵢ.
   * @returns δᵢWᵢᵀ, batch × sizes[i].
   *
   * @example
   * ```ts
   * import { createRng, jsBackend as b } from "@plasticity/core";
   * import { Mlp } from "@plasticity/backprop";
   * const mlp = Mlp.init(b, { sizes: [2, 3, 4], activation: "relu" }, createRng(0));
   * console.assert(mlp.bpSignal(1, b.zeros(5, 4), b.zeros(5, 4)).cols === 3);
   * ```
   */
  readonly bpSignal: FeedbackSignal = (i, delta) =>
    this.backend.matmul(delta, this.W[i]!, false, true);

  /** Frees the parameters. */
  dispose(): void {
    for (const w of this.W) this.backend.dispose(w);
    for (const b of this.b) if (b) this.backend.dispose(b);
  }
}
