/**
 * The predictive-coding network of the prospective-configuration paper (Song et al., Nat.
 * Neurosci. 2024), with backpropagation (the same network without value nodes) and PC-Nudge
 * (Millidge et al. 2023) as modes of the same code.
 *
 * Notation (rows are samples, weights are stored fanIn × fanOut so a layer computes `a @ W`):
 * x₀ = s is the clamped input, a_l = φ_l(x_l) (φ₀ = identity unless `input_activation`),
 * μ_l = a_{l−1} W_l + b_l for l = 1…L. Hidden value nodes x_l (l = 1…L−1) stand for the
 * pre-activations; their errors are ε_l = x_l − μ_l. The output has no value node in `pc` mode:
 * the target enters through the loss ℓ(f_out(μ_L), y), i.e. ε_L = −∂ℓ/∂μ_L (= y − μ_L for ½
 * squared error), so the energy is
 *
 *   F = ℓ(f_out(μ_L), y) + Σ_{l=1}^{L−1} ½‖x_l − μ_l‖²,
 *
 * summed over units and over the batch.
 *
 * @module
 */
import {
  type Activation,
  type Backend,
  createRng,
  deriveSeed,
  exportTensor,
  hiddenActivation,
  initWeights,
  lossDivisor,
  type LossSpec,
  NETWORK_DEFAULTS,
  type NetworkSpec,
  Optimizer,
  OPTIMIZER_SECTION,
  type OptimizerSpec,
  parseActivation,
  type Rng,
  schemaDefaults,
  shapeOf,
  signedBeta,
  type Tensor,
  type WeightArray,
} from "@plasticity/core";
import { BufferOps, type Ops, opsFor } from "./_ops.ts";
import { DEFAULT_PC_CONFIG, type PCConfig } from "./settings.ts";
import { prospectiveIndex, targetAlignment } from "./metrics.ts";

const DEFAULT_OPTIMIZER = schemaDefaults({ optimizer: OPTIMIZER_SECTION })
  .optimizer as unknown as OptimizerSpec;

/** Everything needed to build a {@linkcode PCNetwork}. */
export interface PCNetworkOptions {
  /**
   * Architecture, as `resolveNetwork` validates it (not checked again here); biases default to on
   * as in core's `NetworkSpec` (the paper turns them off).
   */
  network: NetworkSpec;
  /**
   * Loop settings, validated by {@linkcode pcConfig} (or {@linkcode toPCConfig} for a resolved
   * `rule:` section); default {@linkcode DEFAULT_PC_CONFIG}. They are not checked again here.
   */
  config?: PCConfig;
  /** Weight optimiser (default: the defaults of core's `OPTIMIZER_SECTION`, SGD with lr 0.01). */
  optimizer?: OptimizerSpec;
  /**
   * Output loss (default ½ squared error summed over the batch, the paper's). The energy is always
   * summed over the batch, so inference of a sample does not depend on the batch; `reduction:
   * "mean"` divides the weight gradients (and the reported loss) by the batch size.
   */
  loss?: LossSpec;
  /** The backend. */
  backend: Backend;
  /** Seed of the initial weights and of PC-Nudge's random signs. */
  seed: number;
}

/** Outcome of one learning step. */
export interface PCStepResult {
  /** Loss of the feed-forward prediction before the step (with the loss's reduction). */
  loss: number;
  /** Energy F_t at every inference iteration (for `bp`, the summed loss). */
  energies: number[];
  /** Inference rate after the last decay. */
  gamma: number;
  /** Number of decays γ ← γ·d. */
  decays: number;
  /** Value nodes x_l (l = 1…L−1, pre-activations) at the weight update, when captured. */
  relaxed?: Float32Array[];
}

/**
 * The default loss of this package: ½ squared error summed over the batch (the paper's).
 *
 * @example
 * ```ts
 * import { PC_LOSS } from "@plasticity/predictive-coding";
 * console.assert(PC_LOSS.reduction === "sum");
 * ```
 */
export const PC_LOSS: Readonly<LossSpec> = { kind: "mse", half: true, reduction: "sum" };

/**
 * A layered network trained by predictive coding, backpropagation or PC-Nudge.
 *
 * @example Fig. 3a of the paper: one step of PC and of BP on the 1-1-2 linear network
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { pcConfig, PCNetwork } from "@plasticity/predictive-coding";
 * const make = (mode: "pc" | "bp") => new PCNetwork({
 *   network: { sizes: [1, 1, 2], activation: "identity", bias: false, init: { kind: "uniform", low: 1, high: 1 } },
 *   config: pcConfig(mode), // the paper's T = 128, γ = 0.1, d = 0.5
 *   optimizer: { name: "sgd", lr: 0.2 },
 *   backend: b,
 *   seed: 0,
 * });
 * const s = b.fromArray([1], 1, 1), y = b.fromArray([0, 1], 1, 2);
 * const pc = make("pc"), bp = make("bp");
 * pc.step(s, y);
 * bp.step(s, y);
 * console.assert(b.read(pc.predict(s))[1]! > b.read(bp.predict(s))[1]!);
 * ```
 */
export class PCNetwork {
  /** The backend. */
  readonly backend: Backend;
  /** Layer sizes n₀…n_L. */
  readonly sizes: readonly number[];
  /** Number of weight layers L. */
  readonly L: number;
  /** The loop settings. */
  readonly config: Readonly<PCConfig>;
  /** The output loss. */
  readonly loss: Readonly<LossSpec>;
  /** The weight optimiser's settings. */
  readonly optimizerSpec: Readonly<OptimizerSpec>;
  /** Energies of the last step, one per inference iteration. */
  lastEnergies: number[] = [];

  #ops: Ops;
  #acts: Activation[]; // index l = 0…L−1: φ_l (φ₀ for the input)
  #fOut: Activation;
  #slope: number;
  #W: Tensor[]; // index l = 1…L (0 unused)
  #Wt: (Tensor | undefined)[];
  #bias: (Tensor | undefined)[];
  #opt: Optimizer;
  #signRng: Rng;
  // State, index l = 0…L.
  #mu: (Tensor | undefined)[];
  #x: (Tensor | undefined)[];
  #a: (Tensor | undefined)[];
  #eps: (Tensor | undefined)[];
  #back: (Tensor | undefined)[];
  #tmp: Tensor | undefined;
  #scratch: (Tensor | undefined)[];
  /** Weight-gradient buffers reused between steps (raw buffers, optimisers that keep no gradient). */
  #grad: (Tensor | undefined)[] = [];

  /**
   * Builds the network and draws its weights (default init `xavierUniform`).
   *
   * @param options Architecture, settings, optimiser, loss, backend and seed.
   */
  constructor(options: PCNetworkOptions) {
    const { network, backend } = options;
    this.backend = backend;
    this.sizes = [...network.sizes];
    const L = (this.L = network.sizes.length - 1);
    this.config = { ...(options.config ?? DEFAULT_PC_CONFIG) };
    this.loss = { ...(options.loss ?? PC_LOSS) };
    this.optimizerSpec = { ...(options.optimizer ?? DEFAULT_OPTIMIZER) };
    this.#slope = network.leaky_slope ?? NETWORK_DEFAULTS.leaky_slope;
    this.#fOut = parseActivation(
      network.output_activation ?? "identity",
      "network.output_activation",
    );
    const first = L > 1
      ? hiddenActivation(network, 0)
      : typeof network.activation === "string"
      ? network.activation
      : this.#fOut;
    this.#acts = [
      this.config.input_activation ? parseActivation(first, "network.activation") : "identity",
    ];
    for (let l = 1; l < L; l++) {
      this.#acts.push(parseActivation(hiddenActivation(network, l - 1), "network.activation"));
    }
    if (this.config.mode === "nudge" && this.#fOut !== "identity") {
      throw new Error(
        `network.output_activation: PC-Nudge needs a linear output node, got ${
          JSON.stringify(this.#fOut)
        }: expected "identity"`,
      );
    }
    this.#ops = opsFor(backend);
    const rng = createRng(deriveSeed(options.seed, "pc-init"));
    const init = network.init ?? { kind: "xavierUniform" };
    const bias = network.bias ?? NETWORK_DEFAULTS.bias;
    this.#W = [backend.zeros(1, 1)];
    this.#Wt = [undefined];
    this.#bias = [undefined];
    for (let l = 1; l <= L; l++) {
      const w = initWeights(backend, this.sizes[l - 1]!, this.sizes[l]!, init, rng);
      this.#W.push(w);
      this.#Wt.push(this.#ops.transposed(w));
      this.#bias.push(bias ? backend.zeros(1, this.sizes[l]!) : undefined);
    }
    this.#opt = new Optimizer(backend, this.optimizerSpec as OptimizerSpec);
    this.#signRng = createRng(deriveSeed(options.seed, "pc-nudge-sign"));
    const empty = () => new Array<Tensor | undefined>(L + 1).fill(undefined);
    this.#mu = empty();
    this.#x = empty();
    this.#a = empty();
    this.#eps = empty();
    this.#back = empty();
    this.#scratch = empty();
  }

  /**
   * Weight matrix W_l (fanIn × fanOut).
   *
   * @param l Layer, 1…L.
   * @returns The current matrix. Plain SGD steps (no momentum, no weight decay) on the `js` and
   * `blas` backends update it in place; every other update replaces it. Read it (`backend.read`)
   * or {@linkcode PCNetwork.exportWeights} to keep a snapshot.
   */
  weight(l: number): Tensor {
    const w = this.#W[l];
    if (l < 1 || !w) throw new Error(`Invalid layer ${JSON.stringify(l)}: expected 1 to ${this.L}`);
    return w;
  }

  /**
   * The feed-forward output f_out(μ_L) for inputs `x` (value nodes play no part).
   *
   * @param x Inputs, batch × n₀.
   * @returns Outputs, batch × n_L.
   */
  predict(x: Tensor): Tensor {
    const mus = this.#feedForward(x, false);
    const b = this.backend;
    const out = b.keep(b.tidy(() => b.activate(mus[this.L]!, this.#fOut, this.#slope)));
    if (out !== mus[this.L]) b.dispose(mus[this.L]!);
    return out;
  }

  /**
   * The feed-forward hidden pre-activations μ_l, l = 1…L−1 (what the value nodes start from).
   *
   * @param x Inputs.
   * @returns One array per hidden layer, row-major.
   */
  hiddenPreActivations(x: Tensor): Float32Array[] {
    const mus = this.#feedForward(x, true);
    const out: Float32Array[] = [];
    for (let l = 1; l < this.L; l++) out.push(this.backend.read(mus[l]!));
    for (const m of mus) if (m) this.backend.dispose(m);
    return out;
  }

  #feedForward(x: Tensor, keepAll: boolean): (Tensor | undefined)[] {
    const b = this.backend;
    this.#checkInput(x);
    return b.tidy(() => {
      let a = this.#input(x);
      const mus: (Tensor | undefined)[] = [undefined];
      for (let l = 1; l <= this.L; l++) {
        const mu = this.#bias[l]
          ? b.addRow(b.matmul(a, this.#W[l]!), this.#bias[l]!)
          : b.matmul(a, this.#W[l]!);
        mus.push(keepAll || l === this.L ? b.keep(mu) : mu);
        if (l < this.L) a = b.activate(mu, this.#acts[l]!, this.#slope);
      }
      if (!keepAll) { for (let l = 1; l < this.L; l++) mus[l] = undefined; }
      return mus;
    });
  }

  #checkInput(x: Tensor): void {
    if (x.cols !== this.sizes[0]) {
      throw new Error(`Input of shape ${shapeOf(x)}: expected ${this.sizes[0]} columns`);
    }
  }

  /** φ₀(transform(s)) as a tensor owned by the caller. */
  #input(x: Tensor): Tensor {
    const b = this.backend, c = this.config, f = this.#acts[0]!;
    if (c.input_transform === "none" && f === "identity") return x;
    return b.keep(b.tidy(() => {
      let s = x;
      if (c.input_transform === "logit") {
        const d = b.read(x);
        for (let i = 0; i < d.length; i++) d[i] = Math.log(d[i]! / (1 - d[i]!));
        s = b.fromArray(d, x.rows, x.cols);
      }
      return f === "identity" ? s : b.activate(s, f, this.#slope);
    }));
  }

  #target(y: Tensor): Tensor {
    const b = this.backend, r = this.config.target_range;
    if (y.cols !== this.sizes[this.L] || y.rows < 1) {
      throw new Error(`Target of shape ${shapeOf(y)}: expected ${this.sizes[this.L]} columns`);
    }
    return r ? b.tidy(() => b.addScalar(b.scale(y, r[1] - r[0]), r[0])) : y;
  }

  /**
   * One learning step on a batch: feed-forward initialisation of the value nodes, inference, and
   * the weight update(s) (see {@linkcode PCConfig}).
   *
   * Inference (`pc`), for t = 0…T−1: ε_l = x_l − μ_l, ε_L = −∂ℓ/∂μ_L, F_t as above; then
   *   ∂F/∂x_l = ε_l − φ′(x_l) ⊙ (ε_{l+1} W_{l+1}ᵀ),   x_l ← x_l − γ ∂F/∂x_l  (t < T − 1),
   * and γ ← γ·d if t ≥ 1 and F_t ≥ F_{t−1}. At t = T − 1 (or every t with `update_p_at: "all"`,
   * before the x step) W_l ← W_l − α ∂F/∂W_l with ∂F/∂W_l = −a_{l−1}ᵀ ε_l and ∂F/∂b_l = −Σ ε_l.
   *
   * PC-Nudge (`nudge`) uses the CorInfoMax repository's energy without the ½,
   * E = Σ_{l=1}^{L} ‖x_l − μ_l‖² + λ‖x_L − y‖², so x ← x − γ ∂E/∂x for T steps on every node
   * including the output, then one weight step along −(1/λ) ∂E/∂W (λ with a random sign per
   * batch when `random_sign`).
   *
   * @param x Inputs, batch × n₀.
   * @param y Targets, batch × n_L.
   * With `weightSteps` k > 1 (not `nudge`), the value nodes stay frozen at their relaxed values
   * after the first weight update and k − 1 more updates follow, each with the errors
   * ε_l = x_l − μ_l recomputed from the current weights (the w* of Song et al. 2024's prospective
   * index: weights trained towards the relaxed x).
   *
   * @param x Inputs, batch × n₀.
   * @param y Targets, batch × n_L.
   * @param options `optimizer` to use instead of the network's own; `capture` to return the
   * relaxed value nodes; `weightSteps` (1) weight updates at the relaxed value nodes.
   * @returns Loss before the step, the energy trace, final γ and the number of decays.
   */
  step(
    x: Tensor,
    y: Tensor,
    options: { optimizer?: Optimizer; capture?: boolean; weightSteps?: number } = {},
  ): PCStepResult {
    const weightSteps = options.weightSteps ?? 1;
    if (!Number.isInteger(weightSteps) || weightSteps < 1) {
      throw new Error(`Invalid weightSteps ${weightSteps}: expected an integer ≥ 1`);
    }
    if (weightSteps > 1 && this.config.mode !== "pc") {
      throw new Error(
        `Invalid weightSteps ${weightSteps} in mode "${this.config.mode}": expected 1 (frozen-x weight steps need mode "pc")`,
      );
    }
    this.#checkInput(x);
    if (y.rows !== x.rows) {
      throw new Error(`Target of shape ${shapeOf(y)}: expected ${x.rows} rows like the input`);
    }
    const yt = this.#target(y);
    const a0 = this.#input(x);
    try {
      const r = this.config.mode === "bp"
        ? this.#stepBP(a0, yt, options.optimizer ?? this.#opt)
        : this.#stepPC(
          a0,
          yt,
          options.optimizer ?? this.#opt,
          options.capture ?? false,
          weightSteps,
        );
      this.lastEnergies = r.energies;
      return r;
    } finally {
      if (a0 !== x) this.backend.dispose(a0);
      if (yt !== y) this.backend.dispose(yt);
      if (!(this.#ops instanceof BufferOps)) this.#freeState();
    }
  }

  #freeState(): void {
    for (const arr of [this.#mu, this.#x, this.#a, this.#eps, this.#back, this.#scratch]) {
      for (let l = 0; l < arr.length; l++) {
        this.#ops.free(arr[l]);
        arr[l] = undefined;
      }
    }
    this.#ops.free(this.#tmp);
    this.#tmp = undefined;
  }

  #reductionScale(rows: number): number {
    return 1 / lossDivisor(this.loss, rows, this.sizes[this.L]!);
  }

  #stepBP(a0: Tensor, y: Tensor, opt: Optimizer): PCStepResult {
    const ops = this.#ops,
      L = this.L,
      mu = this.#mu,
      a = this.#a,
      eps = this.#eps,
      back = this.#back;
    for (let l = 1; l <= L; l++) {
      mu[l] = ops.predict(mu[l], l === 1 ? a0 : a[l - 1]!, this.#W[l]!, this.#bias[l]);
      if (l < L) a[l] = ops.activate(a[l], mu[l]!, this.#acts[l]!, this.#slope);
    }
    const [eL, lossSum] = ops.outputError(eps[L], mu[L]!, y, this.loss, this.#fOut, this.#slope);
    eps[L] = eL;
    for (let l = L - 1; l >= 1; l--) {
      back[l] = ops.backProject(back[l], eps[l + 1]!, this.#W[l + 1]!, this.#Wt[l + 1]);
      eps[l] = ops.delta(eps[l], back[l]!, mu[l]!, this.#acts[l]!, this.#slope);
    }
    const c = this.#reductionScale(a0.rows);
    this.#updateWeights(opt, a0, -c);
    return { loss: lossSum * c, energies: [lossSum], gamma: 0, decays: 0 };
  }

  #stepPC(
    a0: Tensor,
    y: Tensor,
    opt: Optimizer,
    capture: boolean,
    weightSteps = 1,
  ): PCStepResult {
    const ops = this.#ops, L = this.L, cfg = this.config, nudge = cfg.mode === "nudge";
    const mu = this.#mu, x = this.#x, a = this.#a, eps = this.#eps, back = this.#back;
    const slope = this.#slope, acts = this.#acts;
    ops.reserve(a0.rows, this.sizes.reduce((w, n, l) => (l > 0 ? w + n : w), 0));
    const kappa = nudge ? 2 : 1;
    const lambda = nudge ? signedBeta(this.#signRng, cfg.nudge, cfg.random_sign) : cfg.nudge;
    const c = this.#reductionScale(a0.rows);
    const gradScale = nudge ? -(kappa / lambda) * c : -c;
    // Feed-forward initialisation: x_l := μ_l, so every hidden error starts at 0.
    for (let l = 1; l <= L; l++) {
      mu[l] = ops.predict(mu[l], l === 1 ? a0 : a[l - 1]!, this.#W[l]!, this.#bias[l]);
      if (l < L || nudge) x[l] = ops.copy(mu[l]!, x[l]);
      if (l < L) a[l] = ops.activate(a[l], x[l]!, acts[l]!, slope);
    }
    let lossSum = 0;
    if (nudge) {
      const [t, v] = ops.outputError(this.#tmp, mu[L]!, y, this.loss, this.#fOut, slope);
      this.#tmp = t;
      lossSum = v;
    }
    const iterations = nudge ? cfg.T + 1 : cfg.T;
    const energies: number[] = [];
    let gamma = cfg.gamma, prev = NaN, decays = 0, changed = false;
    let relaxed: Float32Array[] | undefined;
    // The error front: layers below it still have ε_l = 0 exactly (set at t = 0), because the
    // error advances one layer per step; their products are skipped until it reaches them.
    let front = nudge ? L + 1 : L;
    // ε_1 and ½Σε_1² already formed by the last relaxation step (BufferOps, μ_1 unchanged).
    let e1: number | undefined;
    const fuse = this.#ops instanceof BufferOps ? this.#ops : undefined;
    for (let t = 0; t < iterations; t++) {
      // Errors and energy at the current value nodes. μ₁ depends on the clamped input only, so it
      // is recomputed only after a weight change; the other hidden predictions are fused with
      // their error pass (the prediction itself is not kept).
      let F = 0;
      for (let l = 1; l < L; l++) {
        if (t > 0 && l < front) continue;
        if (t > 0 && l === 1 && changed) {
          mu[1] = ops.predict(mu[1], a0, this.#W[1]!, this.#bias[1]);
        }
        let e: Tensor, v: number;
        if (l === 1 && e1 !== undefined) [e, v] = [eps[1]!, e1];
        else if (t === 0 || l === 1) [e, v] = ops.error(eps[l], x[l]!, mu[l]!);
        else {
          [e, v, this.#scratch[l]] = ops.predictError(
            eps[l],
            this.#scratch[l],
            a[l - 1]!,
            this.#W[l]!,
            this.#bias[l],
            x[l]!,
          );
        }
        eps[l] = e;
        F += v;
      }
      if (t > 0) mu[L] = ops.predict(mu[L], L === 1 ? a0 : a[L - 1]!, this.#W[L]!, this.#bias[L]);
      if (nudge) {
        const [e, v] = ops.error(eps[L], x[L]!, mu[L]!);
        eps[L] = e;
        F += v + lambda * ops.halfSquaredDistance(x[L]!, y);
      } else {
        const [e, v] = ops.outputError(eps[L], mu[L]!, y, this.loss, this.#fOut, slope);
        eps[L] = e;
        F += v;
        if (t === 0) lossSum = v;
      }
      F *= kappa;
      energies.push(F);
      const last = t === iterations - 1;
      const from = Math.max(1, front - 1); // lowest layer with a non-zero x-gradient
      if (!last) {
        for (let l = from; l < L; l++) {
          back[l] = ops.backProject(back[l], eps[l + 1]!, this.#W[l + 1]!, this.#Wt[l + 1]);
        }
      }
      if (last || cfg.update_p_at === "all") {
        if (capture && last) relaxed = x.slice(1, L).map((t) => this.backend.read(t!));
        this.#updateWeights(opt, a0, gradScale);
        changed = true;
      }
      if (!last) {
        const step = gamma * kappa;
        e1 = undefined;
        for (let l = from; l < L; l++) {
          if (l === 1 && fuse && !changed) {
            // The next step's ε_1 = x_1 − μ_1 in the same pass (μ_1 changes only with W_1).
            e1 = fuse.relaxError(x[1]!, a[1]!, eps[1]!, back[1]!, step, acts[1]!, slope, mu[1]!);
            continue;
          }
          const [nx, na] = ops.relax(x[l]!, a[l]!, eps[l]!, back[l]!, step, acts[l]!, slope);
          x[l] = nx;
          a[l] = na;
        }
        if (nudge) x[L] = ops.nudgeRelax(x[L]!, eps[L]!, y, step, lambda);
      }
      front = changed ? 1 : from;
      if (t >= 1 && !(F < prev)) {
        gamma *= cfg.decay;
        decays++;
      }
      prev = F;
    }
    for (let k = 1; k < weightSteps; k++) this.#frozenWeightStep(a0, y, opt, gradScale);
    const r: PCStepResult = { loss: lossSum * c, energies, gamma, decays };
    if (relaxed) r.relaxed = relaxed;
    return r;
  }

  /**
   * One more weight update at the frozen value nodes: μ_l and ε_l = x_l − μ_l (ε_L from the loss)
   * from the current weights, then W_l ← W_l − α ∂F/∂W_l.
   */
  #frozenWeightStep(a0: Tensor, y: Tensor, opt: Optimizer, gradScale: number): void {
    const ops = this.#ops, L = this.L, mu = this.#mu, eps = this.#eps, x = this.#x, a = this.#a;
    for (let l = 1; l <= L; l++) {
      mu[l] = ops.predict(mu[l], l === 1 ? a0 : a[l - 1]!, this.#W[l]!, this.#bias[l]);
      if (l < L) eps[l] = ops.error(eps[l], x[l]!, mu[l]!)[0];
    }
    eps[L] = ops.outputError(eps[L], mu[L]!, y, this.loss, this.#fOut, this.#slope)[0];
    this.#updateWeights(opt, a0, gradScale);
  }

  /** W_l ← optimiser step with gradient `scale`·a_{l−1}ᵀ ε_l (and `scale`·Σ ε_l for b_l). */
  #updateWeights(opt: Optimizer, a0: Tensor, scale: number): void {
    const ops = this.#ops, b = this.backend;
    const keepGrad = opt.spec.name === "sgd" && (opt.spec.momentum ?? 0) !== 0;
    // SGD without momentum, weight decay or L2 steps W_l in place where the backend can (js, blas).
    const inPlace = opt.spec.name === "sgd" && !keepGrad && (opt.spec.weight_decay ?? 0) === 0 &&
        (opt.spec.l2 ?? 0) === 0
      ? b.axpyInPlace?.bind(b)
      : undefined;
    for (let l = 1; l <= this.L; l++) {
      const eps = this.#eps[l]!;
      const reuse = !keepGrad && this.#ops instanceof BufferOps;
      const g = ops.gradW(
        l === 1 ? a0 : this.#a[l - 1]!,
        eps,
        scale,
        reuse ? this.#grad[l] : undefined,
      );
      if (reuse) this.#grad[l] = g;
      const old = this.#W[l]!;
      if (reuse && inPlace) {
        // Plain SGD in place: the direction is g itself (the call advances the slot's count) and
        // y ← y − η g is the same axpy as the optimiser's, into W_l's own storage.
        inPlace(-opt.lr, opt.direction(`W${l}`, g), old);
        this.#Wt[l] = ops.transposed(old, this.#Wt[l]);
      } else {
        const nw = b.keep(opt.update(`W${l}`, old, g));
        this.#W[l] = nw;
        this.#Wt[l] = ops.transposed(nw, this.#Wt[l]);
        b.dispose(old);
      }
      if (!keepGrad && !reuse) b.dispose(g);
      const bias = this.#bias[l];
      if (bias) {
        const gb = ops.gradB(eps, scale);
        this.#bias[l] = b.keep(opt.update(`b${l}`, bias, gb));
        b.dispose(bias);
        if (!keepGrad) b.dispose(gb);
      }
    }
  }

  /**
   * Target alignment and prospective indices of one learning step on (`x`, `y`), measured with a
   * fresh optimiser of the same settings at the same epoch (so the same scheduled rate) and undone
   * afterwards (the network is left unchanged).
   *
   * @param x Inputs.
   * @param y Targets (before any `target_range` mapping).
   * @param options `weightSteps` (1) weight updates at the relaxed value nodes (see
   * {@linkcode PCNetwork.step}): 1 measures w′ of the prospective index, many w*.
   * @returns `targetAlignment` = cos(Δprediction, y − prediction) and, outside `bp` mode,
   * `prospectiveIndex[l−1]` = cos(V′, V⁺) of hidden layer l.
   */
  probeStep(
    x: Tensor,
    y: Tensor,
    options: { weightSteps?: number } = {},
  ): { targetAlignment: number; prospectiveIndex: number[] } {
    const b = this.backend;
    const saved = this.exportWeights();
    const readOut = (t: Tensor) => {
      const v = b.read(t);
      b.dispose(t);
      return v;
    };
    const before = readOut(this.predict(x));
    const ffBefore = this.hiddenPreActivations(x);
    const yt = this.#target(y);
    const target = b.read(yt);
    if (yt !== y) b.dispose(yt);
    const energies = this.lastEnergies;
    const opt = new Optimizer(b, this.optimizerSpec as OptimizerSpec, this.#opt.epochsDone);
    const r = this.step(x, y, { optimizer: opt, capture: true, ...options });
    opt.reset();
    this.lastEnergies = energies;
    const after = readOut(this.predict(x));
    const ffAfter = this.hiddenPreActivations(x);
    this.importWeights(saved);
    const pi = r.relaxed
      ? r.relaxed.map((v, i) => prospectiveIndex(ffBefore[i]!, v, ffAfter[i]!))
      : [];
    return { targetAlignment: targetAlignment(before, after, target), prospectiveIndex: pi };
  }

  /**
   * Ends an epoch: advances the weight optimiser's epoch count, so later steps use the rate of its
   * `schedule` (nothing changes without one). Independent of the inference rate γ and its `decay`,
   * which act within each step's relaxation.
   */
  endEpoch(): void {
    this.#opt.endEpoch();
  }

  /**
   * Every weight and bias as plain arrays: `W1`…`WL`, `b1`…`bL`.
   *
   * @returns The weights.
   */
  exportWeights(): Record<string, WeightArray> {
    const out: Record<string, WeightArray> = {};
    for (let l = 1; l <= this.L; l++) {
      const w = this.#W[l]!;
      out[`W${l}`] = exportTensor(this.backend, w);
      const bias = this.#bias[l];
      if (bias) {
        out[`b${l}`] = exportTensor(this.backend, bias);
      }
    }
    return out;
  }

  /**
   * Restores weights exported by {@linkcode PCNetwork.exportWeights}; shapes must match.
   *
   * @param weights The weights (keys not given are left as they are).
   */
  importWeights(weights: Record<string, WeightArray>): void {
    const b = this.backend;
    for (const [key, v] of Object.entries(weights)) {
      const m = /^([Wb])(\d+)$/.exec(key);
      const l = m ? Number(m[2]) : NaN;
      const cur = m?.[1] === "W" ? this.#W[l] : this.#bias[l];
      if (!m || !(l >= 1 && l <= this.L) || !cur) {
        throw new Error(
          `Unknown weight ${
            JSON.stringify(key)
          }: expected W1…W${this.L} or b1…b${this.L} of a layer with a bias`,
        );
      }
      if (v.rows !== cur.rows || v.cols !== cur.cols) {
        throw new Error(`Weight ${key} of shape ${v.rows}×${v.cols}: expected ${shapeOf(cur)}`);
      }
      const t = b.fromArray(v.data, v.rows, v.cols);
      b.dispose(cur);
      if (m[1] === "W") {
        this.#W[l] = t;
        this.#Wt[l] = this.#ops.transposed(t, this.#Wt[l]);
      } else this.#bias[l] = t;
    }
  }

  /** Frees every tensor. */
  dispose(): void {
    this.#freeState();
    const b = this.backend;
    for (const t of [...this.#W, ...this.#bias, ...this.#Wt]) if (t) b.dispose(t);
    this.#opt.reset();
  }
}
