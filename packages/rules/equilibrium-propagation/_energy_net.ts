// The learner behind `ep` and `csm`: relaxation of the energy of energy.ts and the contrastive
// weight update. Private; the public entry points are ep.ts and csm.ts.
import {
  type Activation,
  type Backend,
  createRng,
  deriveSeed,
  divergedWhy,
  exportTensor,
  hiddenActivation,
  type HyperValue,
  importTensor,
  initWeights,
  type Learner,
  type LossSpec,
  lossValue,
  NETWORK_DEFAULTS,
  type ResolvedLearnerOptions,
  type Rng,
  signedBeta,
  stateNorm,
  stepNorm,
  type StepStats,
  type Tensor,
  type WeightArray,
} from "@plasticity/core";
import { energyGradient, type EnergyParams } from "./energy.ts";
import { perLayer } from "./_shared.ts";

/** Resolved settings of an energy network. */
export interface EnergyNetSettings {
  rule: string;
  lateral: boolean;
  lr: number[];
  lrM: number[];
  neuralLr: number;
  /** η of the free phase of `predict` (evaluation). */
  evalNeuralLr: number;
  tFree: number;
  tNudged: number;
  beta: number;
  randomSign: boolean;
  symmetric: boolean;
  stepEpochs: number;
  stepGamma: number;
  divergenceRatio: number;
  onDivergence: "nan" | "throw";
}

/** Reads the settings from resolved hyper-parameters. */
export function energyNetSettings(
  rule: string,
  lateral: boolean,
  h: Record<string, HyperValue>,
  sizes: readonly number[],
): EnergyNetSettings {
  const P = sizes.length - 1;
  const beta = h["beta"] as number; // > 0, declared by the schema
  return {
    rule,
    lateral,
    lr: perLayer(h, "lr", P, `weight matrix of ${JSON.stringify(sizes)}`),
    lrM: lateral ? perLayer(h, "lr_m", P - 1, `hidden layer of ${JSON.stringify(sizes)}`) : [],
    neuralLr: h["neural_lr"] as number,
    evalNeuralLr: (h["eval_neural_lr"] ?? h["neural_lr"]) as number,
    tFree: h["t_free"] as number,
    tNudged: h["t_nudged"] as number,
    beta,
    randomSign: h["random_sign"] as boolean,
    symmetric: h["estimator"] === "symmetric",
    stepEpochs: h["lr_step_epochs"] as number,
    stepGamma: h["lr_step_gamma"] as number,
    divergenceRatio: h["divergence_ratio"] as number,
    onDivergence: h["on_divergence"] as "nan" | "throw",
  };
}

/** EP / CSM learner. */
export class EnergyNet implements Learner {
  readonly rule: string;
  readonly backend: Backend;
  readonly sizes: readonly number[];
  readonly settings: EnergyNetSettings;
  #W: Tensor[] = [];
  #b: Tensor[] | undefined;
  #M: Tensor[] | undefined;
  #acts: Activation[];
  #slope: number;
  #loss: LossSpec;
  #rng: Rng;
  #lrScale = 1;

  constructor(options: ResolvedLearnerOptions, settings: EnergyNetSettings) {
    const b = options.backend, net = options.network, sizes = [...net.sizes];
    this.rule = settings.rule;
    this.backend = b;
    this.sizes = sizes;
    this.settings = settings;
    const P = sizes.length - 1;
    this.#acts = [];
    for (let l = 0; l < P - 1; l++) this.#acts.push(hiddenActivation(net, l));
    this.#acts.push(net.output_activation ?? (P > 1 ? this.#acts[0]! : "hardSigmoid"));
    this.#slope = net.leaky_slope ?? NETWORK_DEFAULTS.leaky_slope;
    this.#loss = options.loss;
    const init = createRng(deriveSeed(options.seed, `${settings.rule}-init`));
    this.#rng = createRng(deriveSeed(options.seed, `${settings.rule}-beta-sign`));
    const spec = net.init ?? { kind: "xavierUniform" as const };
    for (let l = 0; l < P; l++) this.#W.push(initWeights(b, sizes[l]!, sizes[l + 1]!, spec, init));
    if (net.bias !== false) this.#b = sizes.slice(1).map((n) => b.zeros(1, n));
    if (settings.lateral) {
      // M_l = A Aᵀ with A Xavier-uniform (symmetric positive semi-definite).
      this.#M = [];
      for (let l = 1; l < P; l++) {
        const A = initWeights(b, sizes[l]!, sizes[l]!, { kind: "xavierUniform" }, init);
        this.#M.push(b.matmul(A, A, false, true));
      }
    }
  }

  get #params(): EnergyParams {
    return { W: this.#W, b: this.#b, M: this.#M };
  }

  /** The input drive `x W_0 + b_0`, constant while the neurons relax. */
  #drive0(x: Tensor): Tensor {
    const d = this.backend.matmul(x, this.#W[0]!);
    return this.#b ? this.backend.addRow(d, this.#b[0]!) : d;
  }

  /**
   * T synchronous steps s_l ← σ(s_l − η ∂Φ/∂s_l) from `s`. Returns the state and the sizes of the
   * first and last steps (for the divergence check).
   */
  #relax(
    x: Tensor,
    drive0: Tensor,
    s: Tensor[],
    beta: number,
    T: number,
    y?: Tensor,
    eta: number = this.settings.neuralLr,
  ): { s: Tensor[]; first: number; last: number } {
    const b = this.backend;
    let first = 0, last = 0;
    for (let t = 0; t < T; t++) {
      const g = energyGradient(b, this.#params, x, s, beta, y, drive0);
      const next = s.map((sl, l) =>
        b.activate(b.axpy(-eta, g[l]!, sl), this.#acts[l]!, this.#slope)
      );
      if (t === 0) first = stepNorm(b, next, s);
      if (t === T - 1) last = stepNorm(b, next, s);
      s = next;
    }
    return { s, first, last };
  }

  #zeros(m: number): Tensor[] {
    return this.sizes.slice(1).map((n) => this.backend.zeros(m, n));
  }

  trainBatch(x: Tensor, y: Tensor): StepStats {
    const b = this.backend, st = this.settings;
    this.#checkBatch(x, y);
    const beta2 = signedBeta(this.#rng, st.beta, st.randomSign);
    const out = b.tidy(() => {
      const d0 = this.#drive0(x);
      const free = this.#relax(x, d0, this.#zeros(x.rows), 0, st.tFree);
      const s1 = free.s;
      const loss = lossValue(b, this.#loss, s1[s1.length - 1]!, y);
      const why = divergedWhy(
        free.first,
        free.last,
        stateNorm(b, s1),
        st.divergenceRatio,
        st.tFree,
      );
      if (why !== undefined || !Number.isFinite(loss)) {
        return { diverged: why ?? "the loss is not finite", loss };
      }
      const s2 = this.#relax(x, d0, s1, beta2, st.tNudged, y).s;
      // Two-phase: contrast (s², β₂) against the free state; symmetric: against (s³, −β₂).
      const sB = st.symmetric ? this.#relax(x, d0, s1, -beta2, st.tNudged, y).s : s1;
      const factor = st.symmetric ? 1 / (2 * beta2) : 1 / beta2;
      const upd = this.#update(x, s2, sB, factor, beta2);
      return { diverged: undefined, loss, ...upd };
    });
    if (out.diverged !== undefined) {
      const msg =
        `Neural dynamics diverged (${st.rule}, neural_lr ${st.neuralLr}): ${out.diverged}`;
      if (st.onDivergence === "throw") throw new Error(msg);
      return { loss: Number.NaN, diverged: 1, beta: beta2 };
    }
    const old = [...this.#W, ...(this.#b ?? []), ...(this.#M ?? [])];
    this.#W = out.W!;
    this.#b = out.b;
    this.#M = out.M;
    b.dispose(...old);
    return { loss: out.loss, beta: beta2 };
  }

  /**
   * ΔW_l = α_l·c·⟨s^a_{l+1} ⊗ s^a_l − s^b_{l+1} ⊗ s^b_l⟩, Δb_l = α_l·c·⟨s^a_{l+1} − s^b_{l+1}⟩ with
   * c = 1/β (two-phase) or 1/(2β) (symmetric); CSM lateral M as in the repository:
   * M ← M − (α_M/(2β))⟨s² s²ᵀ⟩, then M ← M + α_M·M/(2|β|).
   */
  #update(
    x: Tensor,
    sA: Tensor[],
    sB: Tensor[],
    factor: number,
    beta2: number,
  ): { W: Tensor[]; b: Tensor[] | undefined; M: Tensor[] | undefined } {
    const b = this.backend, st = this.settings, m = x.rows, k = this.#lrScale;
    const deltas = contrastiveDeltas(b, x, sA, sB);
    const W = this.#W.map((w, l) => b.axpy((k * st.lr[l]! * factor) / m, deltas.dW[l]!, w));
    const bias = this.#b?.map((bl, l) => b.axpy((k * st.lr[l]! * factor) / m, deltas.db[l]!, bl));
    const M = this.#M?.map((Ml, i) => {
      const a = st.lrM[i]!, s = sA[i]!;
      const grown = b.axpy((-k * a) / (2 * beta2 * m), b.matmul(s, s, true, false), Ml);
      return b.scale(grown, 1 + a / (2 * Math.abs(beta2)));
    });
    return { W, b: bias, M };
  }

  predict(x: Tensor): Tensor {
    const b = this.backend;
    return b.tidy(() => {
      const st = this.settings;
      const s = this.#relax(
        x,
        this.#drive0(x),
        this.#zeros(x.rows),
        0,
        st.tFree,
        undefined,
        st.evalNeuralLr,
      )
        .s;
      return s[s.length - 1]!;
    });
  }

  diagnostics(): Record<string, number> {
    const b = this.backend, out: Record<string, number> = { "lr_scale": this.#lrScale };
    this.#W.forEach((w, l) => out[`w_norm_${l}`] = Math.sqrt(b.sumSquares(w)));
    this.#M?.forEach((M, i) => out[`m_norm_${i + 1}`] = Math.sqrt(b.sumSquares(M)));
    return out;
  }

  endEpoch(epoch: number): void {
    const st = this.settings;
    this.#lrScale = st.stepEpochs > 0 ? st.stepGamma ** Math.floor(epoch / st.stepEpochs) : 1;
  }

  exportWeights(): Record<string, WeightArray> {
    const b = this.backend, out: Record<string, WeightArray> = {};
    this.#W.forEach((w, l) => out[`W_${l}`] = exportTensor(b, w));
    this.#b?.forEach((t, l) => out[`b_${l}`] = exportTensor(b, t));
    this.#M?.forEach((t, i) => out[`M_${i + 1}`] = exportTensor(b, t));
    return out;
  }

  importWeights(weights: Record<string, WeightArray>): void {
    const b = this.backend, n = this.sizes, r = this.rule;
    const W = this.#W.map((_, l) => importTensor(b, weights, `W_${l}`, n[l]!, n[l + 1]!, r));
    const bias = this.#b?.map((_, l) => importTensor(b, weights, `b_${l}`, 1, n[l + 1]!, r));
    const M = this.#M?.map((_, i) =>
      importTensor(b, weights, `M_${i + 1}`, n[i + 1]!, n[i + 1]!, r)
    );
    this.dispose();
    this.#W = W;
    this.#b = bias;
    this.#M = M;
  }

  dispose(): void {
    this.backend.dispose(...this.#W, ...(this.#b ?? []), ...(this.#M ?? []));
  }

  #checkBatch(x: Tensor, y: Tensor): void {
    const n0 = this.sizes[0]!, nP = this.sizes[this.sizes.length - 1]!;
    if (x.cols !== n0) {
      throw new Error(
        `${this.rule} trainBatch: x has ${x.cols} columns: expected ${n0} (network.sizes[0])`,
      );
    }
    if (y.cols !== nP || y.rows !== x.rows) {
      throw new Error(
        `${this.rule} trainBatch: y is ${y.rows}×${y.cols}: expected ${x.rows}×${nP}`,
      );
    }
  }
}

/**
 * Unscaled contrastive sums: dW_l = s^aᵀ_l s^a_{l+1} − s^bᵀ_l s^b_{l+1} (s_0 = x, so
 * dW_0 = xᵀ(s^a_1 − s^b_1)), db_l = Σ_rows (s^a_{l+1} − s^b_{l+1}).
 */
export function contrastiveDeltas(
  b: Backend,
  x: Tensor,
  sA: readonly Tensor[],
  sB: readonly Tensor[],
): { dW: Tensor[]; db: Tensor[] } {
  const dW: Tensor[] = [], db: Tensor[] = [];
  for (let l = 0; l < sA.length; l++) {
    const diff = b.sub(sA[l]!, sB[l]!);
    if (l === 0) dW.push(b.matmul(x, diff, true, false));
    else {dW.push(
        b.sub(b.matmul(sA[l - 1]!, sA[l]!, true, false), b.matmul(sB[l - 1]!, sB[l]!, true, false)),
      );}
    db.push(b.sum(diff, 0));
  }
  return { dW, db };
}
