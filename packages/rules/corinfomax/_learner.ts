// The CorInfoMax learner (antisparse and sparse). Private; the public entry points are
// corinfomax.ts and sparse.ts.
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
  type StepStats,
  type Tensor,
  type WeightArray,
} from "@plasticity/core";
import { forwardBackwardAngle } from "./angle.ts";
import { gammaOf, initLateral, lateralUpdate } from "./lateral.ts";
import { epochLrFactor, type NeuralLrRule, neuralStep } from "./schedule.ts";
import { corinfomaxDeltas } from "./update.ts";
import { firstErrorDifference, upperDeltas } from "./_deltas.ts";
import {
  addScaledInto,
  fusedActivation,
  hiddenRatesInto,
  type VoltageCoefficients,
  voltageStep,
  voltageStepInto,
} from "./_voltage.ts";

/** The buffers of the fused relaxation for one batch size, all in one {@linkcode SimdArena}. */
interface Workspace {
  m: number;
  arena: SimdArena;
  /** Each layer's product from below (the first layer: its drive). */
  below: Float32Array[];
  /** The products from above (hidden layers). */
  fb: Float32Array[];
  /** The lateral products r B. */
  rB: Float32Array[];
  /** Each layer's voltages and rates, alternating between two buffers. */
  u: (readonly [Float32Array, Float32Array])[];
  r: (readonly [Float32Array, Float32Array])[];
  /** β·y. */
  betaY: Float32Array;
}

/** Resolved settings. */
export interface CorInfoMaxSettings {
  rule: string;
  lambda: number;
  epsilon: number;
  g: number;
  neuralLr: number;
  neuralLrRule: NeuralLrRule;
  neuralLrStop: number;
  neuralLrDecay: number;
  tFree: number;
  tNudged: number;
  beta: number;
  randomSign: boolean;
  threePhase: boolean;
  lrFf: number[];
  /** Feedback rates for k = 1 … P−1 (index k − 1). */
  lrFb: number[];
  "weight_decay": boolean;
  lrDecay: number;
  lrDecaySwitch: number;
  lrDecayLate: number;
  /** The optional second switch of the epoch schedule. */
  lrDecaySecond: { epoch: number; late: number } | undefined;
  divergenceRatio: number;
  onDivergence: "nan" | "throw";
  /** Per layer 1 … P (index l − 1): whether the layer is sparse (ReLU + dual variable). */
  sparse: boolean[];
  /** Per layer: step of the dual variable ℓ. */
  lrDual: number[];
}

function numbers(h: Record<string, HyperValue>, key: string): number[] {
  return [...(h[key] as readonly number[])];
}

/** The optional second switch of the epoch schedule: both keys or neither, after the first. */
function secondSwitch(
  h: Record<string, HyperValue>,
): { epoch: number; late: number } | undefined {
  const epoch = h["lr_decay_switch2_epoch"], late = h["lr_decay_late2"];
  if (epoch === undefined && late === undefined) return undefined;
  if (typeof epoch !== "number" || typeof late !== "number") {
    throw new Error(
      `lr_decay_switch2_epoch and lr_decay_late2 go together: got ${JSON.stringify(epoch)} and ${
        JSON.stringify(late)
      }`,
    );
  }
  const first = h["lr_decay_switch_epoch"] as number;
  if (epoch <= first) {
    throw new Error(
      `Invalid lr_decay_switch2_epoch ${epoch}: expected an epoch after lr_decay_switch_epoch (${first})`,
    );
  }
  return { epoch, late };
}

/** Reads the settings from resolved hyper-parameters. */
export function corinfomaxSettings(
  rule: string,
  h: Record<string, HyperValue>,
  sizes: readonly number[],
  sparse: boolean,
): CorInfoMaxSettings {
  const P = sizes.length - 1, net = JSON.stringify(sizes);
  // λ ∈ (0, 1], β > 0 and ε > 0 are declared (and checked) by the schema.
  const lambda = h["lambda"] as number,
    beta = h["beta"] as number,
    epsilon = h["epsilon"] as number;
  const lrFf = numbers(h, "lr_ff");
  if (lrFf.length !== P) {
    throw new Error(
      `rule.lr_ff: expected ${P} numbers (one per forward matrix of ${net}), got ${
        JSON.stringify(lrFf)
      }`,
    );
  }
  // The repository lists P feedback rates with the first unused; P − 1 are accepted too.
  let lrFb = numbers(h, "lr_fb");
  if (lrFb.length === P && P > 1) lrFb = lrFb.slice(1);
  else if (lrFb.length !== P - 1) {
    throw new Error(
      `rule.lr_fb: expected ${
        P - 1
      } numbers (one per feedback matrix of ${net}; or ${P} with the first unused, as in the repository), got ${
        JSON.stringify(h["lr_fb"])
      }`,
    );
  }
  const sparseFlags = Array.from({ length: P }, () => false);
  const lrDual: number[] = Array.from({ length: P }, (_, l) => (l === P - 1 ? 0.01 : 1e-6));
  if (sparse) {
    const layers = numbers(h, "sparse_layers");
    if (layers.length === 0) sparseFlags.fill(true);
    for (const l of layers) {
      if (!Number.isInteger(l) || l < 1 || l > P) {
        throw new Error(
          `rule.sparse_layers: expected layer numbers from 1 to ${P} for ${net}, got ${
            JSON.stringify(layers)
          }`,
        );
      }
      sparseFlags[l - 1] = true;
    }
    const duals = numbers(h, "lr_dual");
    if (duals.length !== 0) {
      if (duals.length !== P) {
        throw new Error(
          `rule.lr_dual: expected ${P} numbers (one per layer of ${net}) or none, got ${
            JSON.stringify(duals)
          }`,
        );
      }
      duals.forEach((v, i) => lrDual[i] = v);
    }
  }
  return {
    rule,
    lambda,
    epsilon,
    g: h["hopfield_g"] as number,
    neuralLr: h["neural_lr"] as number,
    neuralLrRule: h["neural_lr_rule"] as NeuralLrRule,
    neuralLrStop: h["neural_lr_stop"] as number,
    neuralLrDecay: h["neural_lr_decay"] as number,
    tFree: h["t_free"] as number,
    tNudged: h["t_nudged"] as number,
    beta,
    randomSign: h["random_sign"] as boolean,
    threePhase: h["three_phase"] as boolean,
    lrFf,
    lrFb,
    weight_decay: h["weight_decay"] as boolean,
    lrDecay: h["lr_decay"] as number,
    lrDecaySwitch: h["lr_decay_switch_epoch"] as number,
    lrDecayLate: h["lr_decay_late"] as number,
    lrDecaySecond: secondSwitch(h),
    divergenceRatio: h["divergence_ratio"] as number,
    onDivergence: h["on_divergence"] as "nan" | "throw",
    sparse: sparseFlags,
    lrDual,
  };
}

/** One relaxation's result. */
interface Relaxed {
  r: Tensor[];
  /** Dual variables ℓ (m × 1) per layer (zeros for non-sparse layers). */
  dual: (Tensor | undefined)[];
  first: number;
  last: number;
  state: number;
}

/** CorInfoMax learner. */
export class CorInfoMax implements Learner {
  readonly rule: string;
  readonly backend: Backend;
  readonly sizes: readonly number[];
  readonly settings: CorInfoMaxSettings;
  #Wff: Tensor[] = [];
  #Wfb: Tensor[] = [];
  #B: Tensor[] = [];
  #acts: Activation[];
  #slope: number;
  #loss: LossSpec;
  #rng: Rng;
  #lrFactor = 1;
  #lastRatio = Number.NaN;
  #fast: boolean;
  /** Product buffers of the fused relaxation, for one batch size at a time. */
  #ws: Workspace | undefined;

  constructor(options: ResolvedLearnerOptions, settings: CorInfoMaxSettings, fast = true) {
    this.#fast = fast;
    const b = options.backend, net = options.network, sizes = [...net.sizes], P = sizes.length - 1;
    this.rule = settings.rule;
    this.backend = b;
    this.sizes = sizes;
    this.settings = settings;
    this.#acts = [];
    for (let l = 0; l < P - 1; l++) this.#acts.push(hiddenActivation(net, l));
    this.#acts.push(net.output_activation ?? (P > 1 ? this.#acts[0]! : "hardSigmoid"));
    settings.sparse.forEach((s, l) => {
      if (s) this.#acts[l] = "relu";
    });
    this.#slope = net.leaky_slope ?? NETWORK_DEFAULTS.leaky_slope;
    this.#loss = options.loss;
    const init = createRng(deriveSeed(options.seed, `${settings.rule}-init`));
    this.#rng = createRng(deriveSeed(options.seed, `${settings.rule}-beta-sign`));
    const spec = net.init ?? { kind: "xavierUniform" as const };
    for (let k = 0; k < P; k++) {
      this.#Wff.push(initWeights(b, sizes[k]!, sizes[k + 1]!, spec, init));
    }
    for (let k = 1; k < P; k++) {
      this.#Wfb.push(initWeights(b, sizes[k + 1]!, sizes[k]!, spec, init));
    }
    for (let k = 1; k <= P; k++) this.#B.push(initLateral(b, sizes[k]!, init));
  }

  /**
   * T Gauss–Seidel iterations (layers 1 … P in order, each seeing the already updated layer
   * below) of the voltage dynamics, from u := r. Hidden layer k:
   * Δu = −g u + g r + 2γ B r + (1/ε)(r_{k−1} Wff − u) + (1/ε)(r_{k+1} Wfb − u) [− ℓ];
   * output: Δu = −g u + g r + γ B r + (1/ε)(r_{P−1} Wff − u) − β(r − y) − u [− ℓ];
   * u ← u + η_t Δu, r = σ(u). Sparse layers then step their dual variable
   * ℓ_int ← ℓ_int + η_ℓ(−ℓ_int + (Σ_i r_i − 1) + ℓ), ℓ = relu(ℓ_int).
   */
  #relax(
    drive0: Tensor,
    r0: readonly Tensor[],
    dual0: readonly (Tensor | undefined)[],
    beta: number,
    T: number,
    y?: Tensor,
    zeroStart = false,
  ): Relaxed {
    const b = this.backend, st = this.settings, P = r0.length;
    const raw = b.raw;
    if (
      raw && this.#fast && drive0.rows > 1 && this.#acts.every(fusedActivation) &&
      dual0.every((d) => d === undefined)
    ) {
      return this.#relaxRaw(raw, drive0, r0, beta, T, y, zeroStart);
    }
    const gamma = gammaOf(st.lambda), inv = 1 / st.epsilon, g = st.g;
    const r = [...r0];
    let u = [...r0];
    const dual = [...dual0];
    const dualInt = [...dual0];
    const betaY = beta !== 0 && y ? b.scale(y, beta) : undefined;
    let first = 0, last = 0;
    for (let t = 0; t < T; t++) {
      const eta = neuralStep(st.neuralLrRule, st.neuralLr, t, st.neuralLrStop, st.neuralLrDecay);
      const measure = t === 0 || t === T - 1;
      let step = 0;
      const next = [...u];
      for (let l = 0; l < P; l++) {
        const below = l === 0 ? drive0 : b.matmul(r[l - 1]!, this.#Wff[l]!);
        const rB = b.matmul(r[l]!, this.#B[l]!);
        const hidden = l < P - 1;
        const lam = dual[l];
        const res = voltageStep(b, {
          u: u[l]!,
          r: r[l]!,
          below,
          fb: hidden ? b.matmul(r[l + 1]!, this.#Wfb[l]!) : undefined,
          rB,
          betaY: hidden ? undefined : betaY,
          dual: lam,
          keep: hidden ? 1 - eta * g - 2 * eta * inv : 1 - eta * g - eta * inv - eta,
          eta,
          cBelow: inv,
          cFb: inv,
          cB: hidden ? 2 * gamma : gamma,
          cR: hidden || !betaY ? g : g - beta,
          act: this.#acts[l]!,
          slope: this.#slope,
        }, this.#fast);
        if (measure) step += res.step2;
        next[l] = res.u;
        r[l] = res.r;
        if (lam) {
          const li = dualInt[l]!;
          const excess = b.addScalar(b.sum(r[l]!, 1), -1);
          const ni = b.axpy(st.lrDual[l]!, b.add(b.sub(excess, li), lam), li);
          dualInt[l] = ni;
          dual[l] = b.activate(ni, "relu");
        }
      }
      u = next;
      if (t === 0) first = Math.sqrt(step);
      if (t === T - 1) last = Math.sqrt(step);
    }
    return { r, dual, first, last, state: stateNorm(b, u) };
  }

  /** The step coefficients of layer l (index l − 1 of P) at step η. */
  #coefficients(l: number, P: number, eta: number, beta: number): VoltageCoefficients {
    const st = this.settings, gamma = gammaOf(st.lambda), inv = 1 / st.epsilon, g = st.g;
    const hidden = l < P - 1;
    return {
      keep: hidden ? 1 - eta * g - 2 * eta * inv : 1 - eta * g - eta * inv - eta,
      eta,
      cBelow: inv,
      cFb: inv,
      cB: hidden ? 2 * gamma : gamma,
      cR: hidden || beta === 0 ? g : g - beta,
      act: this.#acts[l]!,
      slope: this.#slope,
    };
  }

  #workspace(m: number): Workspace {
    if (this.#ws?.m !== m) {
      const n = this.sizes.slice(1), P = n.length;
      // Per layer: below (the first layer's: its drive, copied in), rB, two voltage and two rate
      // buffers and, below the output, fb; then β·y.
      const arena = SimdArena.forRows(m, [
        ...n.flatMap((k, l) => new Array<number>(l < P - 1 ? 7 : 6).fill(k)),
        n[P - 1]!,
      ]);
      const alloc = (k: number) => arena.alloc(m * k);
      this.#ws = {
        m,
        arena,
        below: n.map(alloc),
        fb: n.slice(0, P - 1).map(alloc),
        rB: n.map(alloc),
        u: n.map((k) => [alloc(k), alloc(k)] as const),
        r: n.map((k) => [alloc(k), alloc(k)] as const),
        betaY: alloc(n[P - 1]!),
      };
    }
    return this.#ws;
  }

  /**
   * {@linkcode #relax} without sparse layers, fused on raw buffers: the products go into reused
   * buffers (zeroed, then `gemmInto`), each layer's voltage and rate alternate between two
   * buffers of this call (the inputs `r0` are never written), and one pass per layer computes u',
   * σ(u') and ‖u' − u‖². The same operations in the same order as the tensor path, so the same
   * values. With `zeroStart` (r0 all zero, as every free phase starts) a product whose left
   * operand is still that zero state is written as zeros instead of computed (0·B is 0 for finite
   * B).
   */
  #relaxRaw(
    raw: RawKernels,
    drive0: Tensor,
    r0: readonly Tensor[],
    beta: number,
    T: number,
    y?: Tensor,
    zeroStart = false,
  ): Relaxed {
    const b = this.backend, st = this.settings, P = r0.length, m = drive0.rows;
    const n = this.sizes;
    const ws = this.#workspace(m);
    // u starts as r: both in the first buffer of the rate pair.
    const rBuf = ws.r, uBuf = ws.u;
    const rCur = r0.map((t, l) => {
      rBuf[l]![0].set(raw.data(t));
      return rBuf[l]![0];
    });
    const uCur = [...rCur];
    const other = (pair: readonly [Float32Array, Float32Array], cur: Float32Array) =>
      cur === pair[0] ? pair[1] : pair[0];
    let betaY: Float32Array | undefined;
    if (beta !== 0 && y) (betaY = ws.betaY).set(raw.data(b.scale(y, beta)));
    const d0 = ws.below[0]!;
    d0.set(raw.data(drive0));
    const Wff = this.#Wff.map((t) => raw.data(t)), Wfb = this.#Wfb.map((t) => raw.data(t));
    const B = this.#B.map((t) => raw.data(t));
    // Whether layer l's rate is still the all-zero start.
    const zero = r0.map(() => zeroStart);
    const product = (
      a: Float32Array,
      w: Float32Array,
      c: Float32Array,
      k: number,
      cols: number,
      aZero: boolean,
    ) => {
      c.fill(0);
      if (!aZero) raw.gemmInto(a, w, c, { m, k, n: cols });
    };
    let first = 0, last = 0;
    for (let t = 0; t < T; t++) {
      const eta = neuralStep(st.neuralLrRule, st.neuralLr, t, st.neuralLrStop, st.neuralLrDecay);
      const measure = t === 0 || t === T - 1;
      let step = 0;
      for (let l = 0; l < P; l++) {
        const nl = n[l + 1]!, hidden = l < P - 1;
        let below = d0;
        if (l > 0) product(rCur[l - 1]!, Wff[l]!, below = ws.below[l]!, n[l]!, nl, zero[l - 1]!);
        const rB = ws.rB[l]!;
        product(rCur[l]!, B[l]!, rB, nl, nl, zero[l]!);
        let fb: Float32Array | undefined;
        if (hidden) product(rCur[l + 1]!, Wfb[l]!, fb = ws.fb[l]!, n[l + 2]!, nl, zero[l + 1]!);
        const un = other(uBuf[l]!, uCur[l]!), rn = other(rBuf[l]!, rCur[l]!);
        const args = {
          u: uCur[l]!,
          r: rCur[l]!,
          below,
          fb,
          rB,
          betaY: hidden ? undefined : betaY,
          un,
          rn,
          n: nl,
        };
        const coefficients = this.#coefficients(l, P, eta, hidden ? 0 : betaY ? beta : 0);
        if (measure) step += voltageStepInto(args, coefficients);
        else if (fb) hiddenRatesInto(ws.arena, { ...args, fb }, coefficients);
        else voltageStepInto(args, coefficients);
        uCur[l] = un;
        rCur[l] = rn;
        zero[l] = false;
      }
      if (t === 0) first = Math.sqrt(step);
      if (t === T - 1) last = Math.sqrt(step);
    }
    let state = 0;
    for (const u of uCur) {
      let s = 0;
      for (let i = 0; i < u.length; i++) s += u[i]! * u[i]!;
      state += s;
    }
    return {
      r: rCur.map((a, l) => raw.wrap(a.slice(), m, n[l + 1]!)),
      dual: r0.map(() => undefined),
      first,
      last,
      state: Math.sqrt(state),
    };
  }

  #start(m: number): { r: Tensor[]; dual: (Tensor | undefined)[] } {
    const b = this.backend;
    return {
      r: this.sizes.slice(1).map((n) => b.zeros(m, n)),
      dual: this.settings.sparse.map((s) => (s ? b.zeros(m, 1) : undefined)),
    };
  }

  trainBatch(x: Tensor, y: Tensor): StepStats {
    const b = this.backend, st = this.settings;
    this.#checkBatch(x, y);
    const beta = signedBeta(this.#rng, st.beta, st.randomSign);
    const out = b.tidy(() => {
      const d0 = b.matmul(x, this.#Wff[0]!);
      const s0 = this.#start(x.rows);
      const free = this.#relax(d0, s0.r, s0.dual, 0, st.tFree, undefined, true);
      const rOut = free.r[free.r.length - 1]!;
      const loss = lossValue(b, this.#loss, rOut, y);
      const why = divergedWhy(free.first, free.last, free.state, st.divergenceRatio, st.tFree, {
        state: "voltages",
        step: "voltage step",
        hint: "explicit Euler needs about neural_lr·(2/epsilon + hopfield_g) < 2",
      }) ??
        (Number.isFinite(loss) ? undefined : "the loss is not finite");
      if (why !== undefined) return { why, loss, ratio: free.last / free.first };
      const nudged = this.#relax(d0, free.r, free.dual, beta, st.tNudged, y);
      const contrast = st.threePhase
        ? this.#relax(d0, nudged.r, nudged.dual, -beta, st.tNudged, y).r
        : free.r;
      const c = (st.threePhase ? 1 / (2 * beta) : 1 / beta) * this.#lrFactor / x.rows;
      if (b.raw && this.#fast && !st.weight_decay) {
        this.#stepInPlace(b.raw, x, d0, nudged.r, contrast, c);
        return { why: undefined, loss, ratio: free.last / free.first, inPlace: true };
      }
      const d = corinfomaxDeltas(b, x, this.#Wff, this.#Wfb, nudged.r, contrast, d0);
      // Optional decay after the step: W ← (1 − μ ε) W with the epoch's μ.
      const decay = (
        W: Tensor,
        mu: number,
      ) => (st.weight_decay ? b.scale(W, 1 - mu * this.#lrFactor * st.epsilon) : W);
      const Wff = this.#Wff.map((W, k) =>
        decay(addScaledInto(b, W, d.dWff[k]!, c * st.lrFf[k]!, this.#fast), st.lrFf[k]!)
      );
      const Wfb = this.#Wfb.map((W, i) =>
        decay(addScaledInto(b, W, d.dWfb[i]!, c * st.lrFb[i]!, this.#fast), st.lrFb[i]!)
      );
      const B = this.#B.map((Bl, l) => lateralUpdate(b, Bl, nudged.r[l]!, st.lambda));
      return { why: undefined, loss, ratio: free.last / free.first, Wff, Wfb, B, inPlace: false };
    });
    this.#lastRatio = out.ratio;
    if (out.why !== undefined) {
      const msg =
        `Neural dynamics diverged (${st.rule}, neural_lr ${st.neuralLr}, epsilon ${st.epsilon}, hopfield_g ${st.g}): ${out.why}`;
      if (st.onDivergence === "throw") throw new Error(msg);
      return { loss: Number.NaN, diverged: 1, beta };
    }
    if (out.inPlace) return { loss: out.loss, beta, "free_step_ratio": out.ratio };
    b.dispose(...this.#Wff, ...this.#Wfb, ...this.#B);
    this.#Wff = out.Wff!;
    this.#Wfb = out.Wfb!;
    this.#B = out.B!;
    return { loss: out.loss, beta, "free_step_ratio": out.ratio };
  }

  /**
   * The weight and lateral steps of {@linkcode trainBatch} (without weight decay) on raw buffers,
   * written into the matrices' own storage, every product taken before any matrix changes: Wff[0]
   * gets c·η·xᵀe₀ added by `gemmInto` with that factor as α (no 784 × 500 gradient buffer), the
   * upper layers add their deltas elementwise as {@linkcode addScaledInto} does, and each B gets
   * −(γ/m)·zᵀz added by `gemmInto`, then is scaled by 1/λ — {@linkcode lateralUpdate}'s
   * (1/λ)(B − (γ/m) zᵀz) with one float32 rounding more, so equal to the tensor path up to
   * rounding.
   */
  #stepInPlace(
    raw: RawKernels,
    x: Tensor,
    d0: Tensor,
    rN: readonly Tensor[],
    rF: readonly Tensor[],
    c: number,
  ): void {
    const b = this.backend, st = this.settings, n = this.sizes, m = x.rows;
    const n0 = n[0]!, n1 = n[1]!;
    const e0 = firstErrorDifference(b, rN[0]!, rF[0]!, d0);
    const dWff: Tensor[] = [], dWfb: Tensor[] = [];
    upperDeltas(b, this.#Wff, this.#Wfb, rN, rF, dWff, dWfb);
    const z = this.#B.map((Bl, l) => raw.data(b.matmul(rN[l]!, Bl)));
    const gamma = gammaOf(st.lambda), inv = 1 / st.lambda;
    const add = (W: Tensor, D: Float32Array, cW: number) => {
      const Wd = raw.data(W);
      for (let i = 0; i < Wd.length; i++) Wd[i] = Wd[i]! + cW * D[i]!;
    };
    const W0 = raw.data(this.#Wff[0]!), alpha0 = c * st.lrFf[0]!;
    raw.gemmInto(raw.data(x), raw.data(e0), W0, {
      m: n0,
      k: m,
      n: n1,
      transA: true,
      alpha: alpha0,
    });
    dWff.forEach((D, i) => add(this.#Wff[i + 1]!, raw.data(D), c * st.lrFf[i + 1]!));
    dWfb.forEach((D, i) => add(this.#Wfb[i]!, raw.data(D), c * st.lrFb[i]!));
    this.#B.forEach((Bl, l) => {
      const Bd = raw.data(Bl), zl = z[l]!, k = Bl.rows;
      raw.gemmInto(zl, zl, Bd, { m: k, k: m, n: k, transA: true, alpha: -gamma / m });
      for (let i = 0; i < Bd.length; i++) Bd[i] = inv * Bd[i]!;
    });
  }

  /** Every layer after the free phase from zero (for tests and analysis). */
  freeState(x: Tensor, iterations = this.settings.tFree): Tensor[] {
    const s0 = this.#start(x.rows);
    const d0 = this.backend.matmul(x, this.#Wff[0]!);
    return this.#relax(d0, s0.r, s0.dual, 0, iterations, undefined, true).r;
  }

  predict(x: Tensor): Tensor {
    const b = this.backend;
    return b.tidy(() => {
      const s0 = this.#start(x.rows);
      const d0 = b.matmul(x, this.#Wff[0]!);
      const r = this.#relax(d0, s0.r, s0.dual, 0, this.settings.tFree, undefined, true).r;
      return r[r.length - 1]!;
    });
  }

  /**
   * Forward–backward angles Θ⁽ᵏ⁺¹⁾ (degrees) between Wff[k] and Wfb[k]ᵀ for k = 1 … P−1 (named
   * `angle_ff_fb_<k+1>`), the mean diagonal of each B, the learning-rate factor of the epoch and
   * the last trained batch's free-phase last-to-first step ratio (once a batch has been trained).
   */
  diagnostics(): Record<string, number> {
    const b = this.backend, out: Record<string, number> = {};
    for (let k = 1; k < this.#Wff.length; k++) {
      out[`angle_ff_fb_${k + 1}`] = forwardBackwardAngle(b, this.#Wff[k]!, this.#Wfb[k - 1]!);
    }
    this.#B.forEach((B, l) => {
      const d = b.read(B);
      let s = 0;
      for (let i = 0; i < B.rows; i++) s += d[i * B.cols + i]!;
      out[`b_diag_mean_${l + 1}`] = s / B.rows;
    });
    out["lr_factor"] = this.#lrFactor;
    if (Number.isFinite(this.#lastRatio)) out["free_step_ratio"] = this.#lastRatio;
    return out;
  }

  endEpoch(epoch: number): void {
    const st = this.settings;
    this.#lrFactor = epochLrFactor(
      epoch,
      st.lrDecay,
      st.lrDecaySwitch,
      st.lrDecayLate,
      st.lrDecaySecond,
    );
  }

  exportWeights(): Record<string, WeightArray> {
    const b = this.backend, out: Record<string, WeightArray> = {};
    const put = (name: string, t: Tensor) => out[name] = exportTensor(b, t);
    this.#Wff.forEach((t, k) => put(`Wff_${k}`, t));
    this.#Wfb.forEach((t, i) => put(`Wfb_${i + 1}`, t));
    this.#B.forEach((t, l) => put(`B_${l + 1}`, t));
    return out;
  }

  importWeights(weights: Record<string, WeightArray>): void {
    const b = this.backend, n = this.sizes;
    const get = (name: string, rows: number, cols: number) =>
      importTensor(b, weights, name, rows, cols, this.rule);
    const Wff = this.#Wff.map((_, k) => get(`Wff_${k}`, n[k]!, n[k + 1]!));
    const Wfb = this.#Wfb.map((_, i) => get(`Wfb_${i + 1}`, n[i + 2]!, n[i + 1]!));
    const B = this.#B.map((_, l) => get(`B_${l + 1}`, n[l + 1]!, n[l + 1]!));
    b.dispose(...this.#Wff, ...this.#Wfb, ...this.#B);
    this.#Wff = Wff;
    this.#Wfb = Wfb;
    this.#B = B;
  }

  dispose(): void {
    this.backend.dispose(...this.#Wff, ...this.#Wfb, ...this.#B);
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
