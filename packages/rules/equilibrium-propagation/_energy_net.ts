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
  type RawKernels,
  type ResolvedLearnerOptions,
  type Rng,
  signedBeta,
  SimdArena,
  stateNorm,
  stepNorm,
  type StepStats,
  type Tensor,
  type WeightArray,
} from "@plasticity/core";
import { energyGradient, type EnergyParams } from "./energy.ts";
import { perLayer } from "./_shared.ts";

/** The buffers of the fused relaxation for one batch size, all in one {@linkcode SimdArena}. */
interface Workspace {
  m: number;
  arena: SimdArena;
  /** Each layer's state, alternating between the two buffers. */
  state: (readonly [Float32Array, Float32Array])[];
  /** The products from below (the first layer: its drive). */
  pre: Float32Array[];
  /** The products from above (hidden layers). */
  back: Float32Array[];
  /** The lateral products (hidden layers of CSM). */
  sM: Float32Array[];
  /** The targets. */
  y: Float32Array;
}

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
  /** Buffers of the fused relaxation, for one batch size at a time. */
  #ws: Workspace | undefined;
  /** The first layer's contrastive sum, kept between batches on raw-buffer backends. */
  #dW0: Float32Array | undefined;

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
    const raw = b.raw;
    if (raw && x.rows > 1 && this.#acts.every((a) => a === "hardSigmoid" || a === "relu")) {
      return this.#relaxRaw(raw, drive0, s, beta, T, y, eta);
    }
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

  #workspace(m: number): Workspace {
    if (this.#ws?.m !== m) {
      const n = this.sizes.slice(1), P = n.length, lateral = this.#M !== undefined;
      // Per layer: the state's two buffers, pre (the drive, copied in for the first layer) and,
      // below the output, back and (CSM) sM; then the targets.
      const arena = SimdArena.forRows(m, [
        ...n.flatMap((k, l) => new Array<number>(l < P - 1 ? (lateral ? 5 : 4) : 3).fill(k)),
        n[P - 1]!,
      ]);
      const alloc = (k: number) => arena.alloc(m * k);
      this.#ws = {
        m,
        arena,
        state: n.map((k) => [alloc(k), alloc(k)] as const),
        pre: n.map(alloc),
        back: n.slice(0, P - 1).map(alloc),
        sM: lateral ? n.slice(0, P - 1).map(alloc) : [],
        y: alloc(n[P - 1]!),
      };
    }
    return this.#ws;
  }

  /**
   * {@linkcode #relax} on raw buffers for hard-sigmoid and ReLU layers: the products of each step
   * go into reused buffers (zeroed, then `gemmInto`), and one pass per layer forms ∂Φ/∂s, the step
   * and the rate, rounding to float32 where the tensor path stores (its element-wise operations,
   * with `axpy` as the js backend computes it), into one of two buffers per layer (the input
   * state is copied in, never written). The buffers live in a {@linkcode SimdArena}, whose SIMD
   * kernel takes the steps of hidden layers without a bias of their own (the first: its bias is in
   * its drive; CSM's lateral term included) whose size is
   * not measured; the result is copied out.
   */
  #relaxRaw(
    raw: RawKernels,
    drive0: Tensor,
    s0: Tensor[],
    beta: number,
    T: number,
    y: Tensor | undefined,
    eta: number,
  ): { s: Tensor[]; first: number; last: number } {
    const P = s0.length, m = drive0.rows, n = this.sizes;
    const ws = this.#workspace(m);
    const W = this.#W.map((w) => raw.data(w));
    const bias = this.#b?.map((t) => raw.data(t));
    const M = this.#M?.map((t) => raw.data(t));
    if (beta !== 0 && !y) {
      throw new Error("energyGradient: targets y are required when beta is not 0");
    }
    const d0 = ws.pre[0]!;
    d0.set(raw.data(drive0));
    let yd: Float32Array | undefined;
    if (beta !== 0) (yd = ws.y).set(raw.data(y!));
    const bufs = ws.state;
    const cur = s0.map((t, l) => {
      bufs[l]![0].set(raw.data(t));
      return bufs[l]![0];
    });
    const next: Float32Array[] = [];
    const product = (
      a: Float32Array,
      w: Float32Array,
      c: Float32Array,
      k: number,
      cols: number,
      transB = false,
    ) => {
      c.fill(0);
      raw.gemmInto(a, w, c, { m, k, n: cols, transB });
    };
    let first = 0, last = 0;
    for (let t = 0; t < T; t++) {
      // Every product from the state before the step (the layers update synchronously).
      for (let l = 0; l < P; l++) {
        const nl = n[l + 1]!;
        if (l > 0) product(cur[l - 1]!, W[l]!, ws.pre[l]!, n[l]!, nl);
        if (l < P - 1) {
          product(cur[l + 1]!, W[l + 1]!, ws.back[l]!, n[l + 2]!, nl, true);
          if (M) product(cur[l]!, M[l]!, ws.sM[l]!, nl, nl);
        }
      }
      // Only the first and last step sizes are used (the divergence check).
      let step = 0;
      const measure = t === 0 || t === T - 1;
      for (let l = 0; l < P; l++) {
        const pair = bufs[l]!, out = cur[l] === pair[0] ? pair[1] : pair[0];
        const args: EpLayer = {
          s: cur[l]!,
          pre: l === 0 ? d0 : ws.pre[l]!,
          bias: l === 0 ? undefined : bias?.[l],
          back: l < P - 1 ? ws.back[l] : undefined,
          sM: l < P - 1 && M ? ws.sM[l] : undefined,
          y: l === P - 1 ? yd : undefined,
          twoBeta: 2 * beta,
          eta,
          out,
          cols: n[l + 1]!,
          relu: this.#acts[l] === "relu",
        };
        if (!measure && args.back && !args.bias && !args.y) {
          const hi = args.relu ? Infinity : 1;
          ws.arena.gradientStepRates(args.s, args.pre, args.back, out, eta, hi, args.sM);
        } else {
          let s2 = epLayerStep(args, false);
          if (Number.isNaN(s2)) s2 = epLayerStep(args, true);
          step += s2;
        }
        next[l] = out;
      }
      for (let l = 0; l < P; l++) cur[l] = next[l]!;
      if (t === 0) first = Math.sqrt(step);
      if (t === T - 1) last = Math.sqrt(step);
    }
    return { s: cur.map((a, l) => raw.wrap(a.slice(), m, n[l + 1]!)), first, last };
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
    const kept = new Set([...out.W!, ...(out.b ?? []), ...(out.M ?? [])]);
    const old = [...this.#W, ...(this.#b ?? []), ...(this.#M ?? [])].filter((t) => !kept.has(t));
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
    const raw = b.raw, axpyInPlace = b.axpyInPlace?.bind(b);
    if (raw && axpyInPlace && m > 1) {
      // On raw buffers the first (largest) sum goes into a buffer kept between batches and every
      // W_l is updated in place: the same products and axpy as below, without a new matrix per
      // batch.
      const n0 = this.sizes[0]!, n1 = this.sizes[1]!;
      if (this.#dW0?.length !== n0 * n1) this.#dW0 = new Float32Array(n0 * n1);
      const dW0 = this.#dW0;
      dW0.fill(0);
      const diff0 = b.sub(sA[0]!, sB[0]!);
      raw.gemmInto(raw.data(x), raw.data(diff0), dW0, { m: n0, k: m, n: n1, transA: true });
      const deltas = contrastiveDeltas(b, x, sA, sB, true);
      deltas.dW[0] = raw.wrap(dW0, n0, n1);
      this.#W.forEach((w, l) => axpyInPlace((k * st.lr[l]! * factor) / m, deltas.dW[l]!, w));
      const bias = this.#b?.map((bl, l) => b.axpy((k * st.lr[l]! * factor) / m, deltas.db[l]!, bl));
      return { W: this.#W, b: bias, M: this.#lateralUpdate(sA, beta2) };
    }
    const deltas = contrastiveDeltas(b, x, sA, sB);
    const W = this.#W.map((w, l) => b.axpy((k * st.lr[l]! * factor) / m, deltas.dW[l]!, w));
    const bias = this.#b?.map((bl, l) => b.axpy((k * st.lr[l]! * factor) / m, deltas.db[l]!, bl));
    return { W, b: bias, M: this.#lateralUpdate(sA, beta2) };
  }

  /** CSM's M ← M − (α_M/(2β))⟨s² s²ᵀ⟩, then M ← M + α_M·M/(2|β|). */
  #lateralUpdate(sA: Tensor[], beta2: number): Tensor[] | undefined {
    const b = this.backend, st = this.settings, k = this.#lrScale, m = sA[0]!.rows;
    return this.#M?.map((Ml, i) => {
      const a = st.lrM[i]!, s = sA[i]!;
      const grown = b.axpy((-k * a) / (2 * beta2 * m), b.matmul(s, s, true, false), Ml);
      return b.scale(grown, 1 + a / (2 * Math.abs(beta2)));
    });
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
  skipFirst = false,
): { dW: Tensor[]; db: Tensor[] } {
  const dW: Tensor[] = [], db: Tensor[] = [];
  for (let l = 0; l < sA.length; l++) {
    const diff = b.sub(sA[l]!, sB[l]!);
    if (l === 0) dW.push(skipFirst ? diff : b.matmul(x, diff, true, false));
    else {dW.push(
        b.sub(b.matmul(sA[l - 1]!, sA[l]!, true, false), b.matmul(sB[l - 1]!, sB[l]!, true, false)),
      );}
    db.push(b.sum(diff, 0));
  }
  return { dW, db };
}

/** One layer's buffers and constants for {@linkcode epLayerStep}. */
interface EpLayer {
  s: Float32Array;
  /** s_{l−1} W_{l−1} (without the bias), or the input drive x W_0 + b_0 for the first layer. */
  pre: Float32Array;
  bias: Float32Array | undefined;
  /** s_{l+1} W_lᵀ (hidden layers). */
  back: Float32Array | undefined;
  /** s_l M_l (hidden layers of CSM). */
  sM: Float32Array | undefined;
  /** Targets (output layer, β ≠ 0). */
  y: Float32Array | undefined;
  twoBeta: number;
  eta: number;
  out: Float32Array;
  cols: number;
  relu: boolean;
}

/**
 * s' = σ(s − η ∂Φ/∂s) for one layer into `out`, returning ‖s' − s‖² (each difference rounded to
 * float32, as stepNorm takes it). Every intermediate the tensor path stores is rounded to float32
 * here too, so the values are the js backend's. The hard sigmoid is written without a
 * data-dependent branch on the sign ((v + |v|)/2, then the rarely taken bound at 1); that form
 * gives NaN for −∞ where the tensor path gives 0, so `exact` recomputes with comparisons, which the
 * caller does when the returned sum is NaN (any non-finite value makes it NaN).
 */
function epLayerStep(a: EpLayer, exact: boolean): number {
  const { s, pre, bias, back, sM, y, twoBeta, eta, out, cols, relu } = a;
  if (back && !bias && !sM && !y && !exact) return hiddenStep(s, pre, back, out, eta, relu);
  const f = Math.fround, rows = s.length / cols;
  let step = 0, check = 0;
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let k = 0; k < cols; k++) {
      const j = o + k, sj = s[j]!;
      const p = bias ? f(pre[j]! + bias[k]!) : pre[j]!;
      let g = f(sj - p);
      if (back) g = f(g - back[j]!);
      if (sM) g = f(g + sM[j]!);
      if (y) g = f(twoBeta * f(sj - y[j]!) + g);
      const v = f(-eta * g + sj);
      let r: number;
      if (relu) r = (v + Math.abs(v)) * 0.5;
      else if (exact) r = v < 0 ? 0 : v > 1 ? 1 : v;
      else {
        const q = (v + Math.abs(v)) * 0.5;
        r = q > 1 ? 1 : q;
        check += v * 0;
      }
      out[j] = r;
      const d = f(r - sj);
      step += d * d;
    }
  }
  return step + check;
}

// The hot case of epLayerStep (a hidden layer fed by the input drive, no lateral term), with
// nothing to test inside the loops.
function hiddenStep(
  s: Float32Array,
  pre: Float32Array,
  back: Float32Array,
  out: Float32Array,
  eta: number,
  relu: boolean,
): number {
  const f = Math.fround;
  let step = 0, check = 0;
  if (relu) {
    for (let j = 0; j < s.length; j++) {
      const sj = s[j]!;
      const v = f(-eta * f(f(sj - pre[j]!) - back[j]!) + sj);
      const r = (v + Math.abs(v)) * 0.5;
      out[j] = r;
      const d = f(r - sj);
      step += d * d;
    }
    return step;
  }
  for (let j = 0; j < s.length; j++) {
    const sj = s[j]!;
    const v = f(-eta * f(f(sj - pre[j]!) - back[j]!) + sj);
    const q = (v + Math.abs(v)) * 0.5;
    const r = q > 1 ? 1 : q;
    check += v * 0;
    out[j] = r;
    const d = f(r - sj);
    step += d * d;
  }
  return step + check;
}
