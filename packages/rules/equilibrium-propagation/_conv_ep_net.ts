// The learner behind `conv-ep`: free and nudged relaxations s ← σ(∂Φ/∂s) of the primitive
// function of _conv_phi.ts and the EP estimate of the gradient, handed to core's optimiser.
// Private; the public entry point is conv_ep.ts.
import {
  type Activation,
  type Backend,
  createRng,
  deriveSeed,
  exportTensor,
  hiddenActivation,
  type HyperValue,
  type Learner,
  lossGrad,
  type LossSpec,
  lossValue,
  NETWORK_DEFAULTS,
  Optimizer,
  type ResolvedLearnerOptions,
  type Rng,
  scheduledLr,
  shapeOf,
  signedBeta,
  stepNorm,
  type StepStats,
  type Tensor,
  type WeightArray,
} from "@plasticity/core";
import { ConvNet } from "@plasticity/backprop";
import { blockDrive, type PhiBlock, phiBlocks, phiParamGrad, phiStateGrad } from "./_conv_phi.ts";

/** Resolved settings of `conv-ep`. */
export interface ConvEpSettings {
  beta: number;
  tFree: number;
  tNudged: number;
  symmetric: boolean;
  randomSign: boolean;
  /** Per-weight-layer rates replacing the optimiser's `lr`, or `undefined`. */
  lrs: number[] | undefined;
}

/** Reads the settings from resolved hyper-parameters. */
export function convEpSettings(h: Record<string, HyperValue>): ConvEpSettings {
  const lrs = h["lrs"] as readonly number[] | undefined;
  return {
    beta: h["beta"] as number,
    tFree: h["t_free"] as number,
    tNudged: h["t_nudged"] as number,
    symmetric: h["estimator"] === "symmetric",
    randomSign: h["random_sign"] as boolean,
    lrs: lrs ? [...lrs] : undefined,
  };
}

/** PyTorch's default weight initialiser (U(±1/√fan-in)), the reference's. */
export const TORCH_DEFAULT_INIT = { kind: "kaimingUniform", a: Math.sqrt(5) } as const;

/** The conv-EP learner (see conv_ep.ts for the equations). */
export class ConvEpNet implements Learner {
  readonly rule: string;
  readonly backend: Backend;
  readonly settings: ConvEpSettings;
  readonly blocks: readonly PhiBlock[];
  readonly optimizer: Optimizer;
  #W: Tensor[];
  #b: (Tensor | undefined)[];
  #acts: Activation[];
  #slope: number;
  #loss: LossSpec;
  #rng: Rng;
  #inputs: number;
  #inputShape: string;
  /** Size of the last step of the last free phase (for `diagnostics`). */
  #lastStep = Number.NaN;

  constructor(rule: string, options: ResolvedLearnerOptions, settings: ConvEpSettings) {
    const b = options.backend, net = options.network;
    this.rule = rule;
    this.backend = b;
    this.settings = settings;
    this.blocks = phiBlocks(net, rule);
    if (!options.optimizer) throw new Error(`optimizer: missing; ${rule} needs an optimiser`);
    this.optimizer = new Optimizer(b, options.optimizer);
    const K = this.blocks.length;
    this.#acts = [];
    for (let k = 0; k < K - 1; k++) this.#acts.push(hiddenActivation(net, k));
    this.#acts.push(net.output_activation ?? (K > 1 ? this.#acts[0]! : "hardSigmoid"));
    this.#slope = net.leaky_slope ?? NETWORK_DEFAULTS.leaky_slope;
    this.#loss = options.loss;
    // The weights come from the stream `weights` drawn as backprop's conv net draws them.
    const init = ConvNet.init(
      b,
      { ...net, init: net.init ?? TORCH_DEFAULT_INIT },
      createRng(deriveSeed(options.seed, "weights")),
    );
    this.#W = init.W;
    this.#b = init.b;
    this.#rng = createRng(deriveSeed(options.seed, `${rule}-beta-sign`));
    this.#inputs = init.inputSize;
    const s = init.shapes.input;
    this.#inputShape = `${s.c}×${s.h}×${s.w}`;
  }

  get #net() {
    return { blocks: this.blocks, W: this.#W, b: this.#b };
  }

  /**
   * T synchronous steps s_j ← σ_j(∂Φ/∂s_j − β·m·∂L/∂s_j) from `s0` (the cost term on the output
   * only, m the batch size so that L's batch mean becomes a per-sample cost). Every step runs in
   * its own `tidy`; `s0` is left alive, the intermediate states are freed.
   */
  #relax(
    x: Tensor,
    drive0: Tensor,
    s0: Tensor[],
    beta: number,
    T: number,
    y?: Tensor,
  ): { s: Tensor[]; last: number } {
    const b = this.backend, L = this.blocks.length;
    let s = s0, last = Number.NaN;
    for (let t = 0; t < T; t++) {
      const cur = s;
      const next = b.tidy(() => {
        const g = phiStateGrad(b, this.#net, x, cur, drive0);
        if (beta !== 0) {
          const e = lossGrad(b, this.#loss, cur[L - 1]!, y!);
          g[L - 1] = b.axpy(-beta * x.rows, e, g[L - 1]!);
        }
        return g.map((gj, j) => b.activate(gj, this.#acts[j]!, this.#slope));
      });
      if (t === T - 1) last = stepNorm(b, next, cur);
      if (cur !== s0) b.dispose(...cur);
      s = next;
    }
    return { s, last };
  }

  #zeros(m: number): Tensor[] {
    return this.blocks.map((blk) => this.backend.zeros(m, blk.units));
  }

  trainBatch(x: Tensor, y: Tensor): StepStats {
    this.#check("trainBatch", x, y);
    const b = this.backend, st = this.settings, opt = this.optimizer, m = x.rows;
    const beta = signedBeta(this.#rng, st.beta, st.randomSign);
    const net = this.#net;
    const out = b.tidy(() => {
      const d0 = blockDrive(b, net, 0, x).drive;
      const free = this.#relax(x, d0, this.#zeros(m), 0, st.tFree);
      this.#lastStep = free.last;
      const loss = lossValue(b, this.#loss, free.s[free.s.length - 1]!, y);
      if (!Number.isFinite(loss)) return { loss };
      // Two-phase: (s^β, β) against the free state; symmetric: against (s^−β, −β).
      const sA = this.#relax(x, d0, free.s, beta, st.tNudged, y).s;
      const sB = st.symmetric ? this.#relax(x, d0, free.s, -beta, st.tNudged, y).s : free.s;
      const gA = phiParamGrad(b, net, x, sA), gB = phiParamGrad(b, net, x, sB);
      // ĝ = −(∂Φ/∂θ(s^A) − ∂Φ/∂θ(s^B)) / (c·m), c = 2β or β: the estimate of ∂L/∂θ.
      const c = -1 / ((st.symmetric ? 2 * beta : beta) * m);
      const dW = gA.dW.map((g, k) => b.scale(b.sub(g, gB.dW[k]!), c));
      const db = gA.db.map((g, k) => g ? b.scale(b.sub(g, gB.db[k]!), c) : undefined);
      const wd = opt.spec.weight_decay ?? 0, adam = opt.spec.name === "adam";
      const W: Tensor[] = [], bias: (Tensor | undefined)[] = [];
      for (let k = 0; k < dW.length; k++) {
        const lr = st.lrs ? scheduledLr(opt.spec.schedule, st.lrs[k]!, opt.epochsDone) : opt.lr;
        const step = (p: Tensor, u: Tensor) => b.axpy(-lr, u, wd === 0 ? p : b.scale(p, 1 - wd));
        const u = opt.direction(`W${k}`, dW[k]!, this.#W[k]!);
        W.push(step(this.#W[k]!, u));
        if (adam) b.dispose(u);
        const g = db[k], p = this.#b[k];
        if (g && p) {
          const ub = opt.direction(`b${k}`, g, p);
          bias.push(step(p, ub));
          if (adam) b.dispose(ub);
        } else bias.push(undefined);
      }
      return { loss, W, bias };
    });
    if (!out.W) return { loss: Number.NaN, diverged: 1, beta };
    const old = [...this.#W, ...this.#b.filter((t): t is Tensor => t !== undefined)];
    this.#W = out.W;
    this.#b = out.bias;
    b.dispose(...old);
    return { loss: out.loss, beta };
  }

  predict(x: Tensor): Tensor {
    this.#check("predict", x);
    const b = this.backend;
    return b.tidy(() => {
      const d0 = blockDrive(b, this.#net, 0, x).drive;
      const { s } = this.#relax(x, d0, this.#zeros(x.rows), 0, this.settings.tFree);
      return s[s.length - 1]!;
    });
  }

  /**
   * `w_norm_k` = ‖W_k‖_F and `free_last_step` = ‖s_T − s_{T−1}‖ of the last free phase of
   * `trainBatch` (how far it was from a fixed point).
   */
  diagnostics(x?: Tensor, y?: Tensor): Record<string, number> {
    if (x && !y) throw new Error("diagnostics: got inputs x without targets y: expected both");
    if (x) this.#check("diagnostics", x, y);
    const b = this.backend, out: Record<string, number> = { "free_last_step": this.#lastStep };
    this.#W.forEach((w, k) => out[`w_norm_${k}`] = Math.sqrt(b.sumSquares(w)));
    return out;
  }

  endEpoch(_epoch: number): void {
    this.optimizer.endEpoch();
  }

  exportWeights(): Record<string, WeightArray> {
    const b = this.backend, out: Record<string, WeightArray> = {};
    this.#W.forEach((w, k) => out[`W${k}`] = exportTensor(b, w));
    this.#b.forEach((t, k) => {
      if (t) out[`b${k}`] = exportTensor(b, t);
    });
    return out;
  }

  importWeights(weights: Record<string, WeightArray>): void {
    const b = this.backend;
    for (const [key, wa] of Object.entries(weights)) {
      const m = /^([Wb])(\d+)$/.exec(key), k = m ? Number(m[2]) : -1;
      const list = m?.[1] === "W" ? this.#W : this.#b;
      const old = m && k < list.length ? list[k] : undefined;
      if (!old) {
        throw new Error(
          `${this.rule} importWeights: unknown weight ${JSON.stringify(key)}: expected one of ${
            Object.keys(this.exportWeights()).join(", ")
          }`,
        );
      }
      if (
        !wa || wa.rows !== old.rows || wa.cols !== old.cols || wa.data?.length !== wa.rows * wa.cols
      ) {
        throw new Error(
          `${this.rule} importWeights: ${key} is ${wa?.rows}×${wa?.cols} with ${wa?.data?.length} values: expected ${old.rows}×${old.cols}`,
        );
      }
      list[k] = b.fromArray(wa.data, wa.rows, wa.cols);
      b.dispose(old);
    }
  }

  dispose(): void {
    this.backend.dispose(...this.#W, ...this.#b.filter((t): t is Tensor => t !== undefined));
    this.optimizer.reset();
  }

  #check(what: string, x: Tensor, y?: Tensor): void {
    if (x.cols !== this.#inputs) {
      throw new Error(
        `${this.rule} ${what}: input x has shape ${
          shapeOf(x)
        }: expected batch×${this.#inputs} (${this.#inputShape} images)`,
      );
    }
    const n = this.blocks[this.blocks.length - 1]!.units;
    if (y && (y.rows !== x.rows || y.cols !== n)) {
      throw new Error(
        `${this.rule} ${what}: target y has shape ${shapeOf(y)}: expected ${x.rows}×${n}`,
      );
    }
  }
}
