/**
 * The dendritic microcircuit stepped in the order of the PAL GeNN code (`pal_microcircuits_genn`),
 * for classification: {@linkcode GennMicrocircuit}.
 *
 * Layers `[n0, n1, …, nL]`: n0 input rates, pyramidal layers k = 0…L−1 (layer k has n_{k+1}
 * neurons; k = L−1 is the output, the others are hidden layers h = 0…L−2). Every hidden layer h
 * has interneurons (size n_{h+2}, paired one-to-one with layer h+1). Weights are stored post × pre,
 * row-major: `W[k]` (n_{k+1} × n_k), `B[h]` and `BPI[h]` (n_{h+1} × n_{h+2}), `WIP[h]`
 * (n_{h+2} × n_{h+1}); `BPI` is GeNN's `i2p`, `WIP` its `p2i`.
 *
 * One {@linkcode GennMicrocircuit.step} is one GeNN time step: first every synapse population
 * (reading only neuron variables of the previous step) updates its weights and adds g × (its
 * presynaptic value) to the input of its target compartment, then every neuron integrates. So each
 * connection delays by one step: a new input reaches the hidden basal dendrites one step after it
 * is presented, the output's basal dendrites one step later, and so on.
 *
 * Synapse phase (values of the previous step on the right-hand sides; e = dt η × error):
 * - forward W_k (pre = input or layer k−1, post = layer k):
 *   W += δ, δ += (dt/τ_ff)(−δ + dt η_k (r_post − r_bas,post) r_last,pre), v_bas = W r_pre;
 * - B_h: B += dt η_B (ξ_post r_HP,pre − α B), transmitting B r_pre into v_api;
 * - BPI_h (interneurons → apical): BPI += δ, δ += (dt/τ_PI)(−δ + dt η_PI (−v_api,post) r_last,I),
 *   v_api += BPI r_I;
 * - WIP_h (pyramids → interneurons): WIP += δ, δ += (dt/τ_IP)(−δ + dt η_IP (r_I − r_den) r_last,pre),
 *   v_den = WIP r_pre;
 * - interneuron nudging v_down = ŭ of the paired neuron of layer h+1 (one-to-one, weight 1);
 * - teaching: v_tgt = the target rate of the previous step (0 when teaching is off).
 *
 * Neuron phase (g_tot the sum of the neuron's conductances, τ = 1/g_tot):
 * - input: r_last,in = r_in, r_in = x;
 * - hidden pyramids: ξ += (1/τ_ξ)(σ√(dt τ_ξ) N(0,1) − dt ξ); r_HP += r − r_last − (dt/τ_HP) r_HP;
 *   r_last = r; v* = τ (g_b v_bas + g_a (v_api + ξ)); u̇ = g_tot (v* − u); ŭ = u + τ u̇ (= v*);
 *   u += dt u̇; r = φ(ŭ); r_bas = φ(τ g_b v_bas);
 * - interneurons: r_last,I = r_I; v* = τ_I (g_d v_den + g_som v_down); u̇_I = g_tot (v* − u_I);
 *   ŭ_I = u_I + τ_I u̇_I; u_I += dt u̇_I; r_I = φ(ŭ_I); r_den = φ(g_d/(g_l+g_d) v_den);
 * - output: r_HP and r_last as the hidden pyramids; v* = (g_b v_bas + g_tar v_tgt)/(g_l+g_b+g_tar)
 *   while teaching, else g_b v_bas/(g_l+g_b); u̇ = (g_l+g_b+g_tar)(v* − u); ŭ = u + u̇/(g_l+g_b+g_tar);
 *   u += dt u̇; r = φ(ŭ); r_bas = φ(g_b/(g_l+g_b) v_bas).
 *
 * φ is the logistic function (GeNN's `sigmoid`, used by all its configurations). Model types:
 * `PAL` learns B as above; `FA` keeps B fixed; `BP` sets B = Wᵀ of the layer above and BPI = −B at
 * the start of every step (GeNN has this only as a per-epoch option). BPI learns only when B does
 * (GeNN makes `i2p` static when no B learning rate is positive). GeNN computes in float32; this
 * kernel in float64.
 *
 * @module
 */
import { fastExp } from "@plasticity/core";
import { base64ToF64, f64ToBase64 } from "./_f64_codec.ts";
import { SparseInputSynapses } from "./_sparse_input_synapses.ts";
import { learnRows, sumRows } from "./_synapse_rows.ts";

/** One run [0, pre) of presynaptic indices: every input (set before each use). */
const FULL_RUN = new Int32Array(2);
import type { MicrocircuitState, ModelType, NormalSource } from "./model.ts";

/** Constants of a {@linkcode GennMicrocircuit} (times in ms, conductances in 1/ms, rates per ms). */
export interface GennMicrocircuitConfig {
  /** Layer sizes `[n0, …, nL]`, at least three. */
  dims: readonly number[];
  /** Euler step dt. */
  dt: number;
  /** `PAL` (B learnt from noise), `FA` (B fixed) or `BP` (B = Wᵀ every step). */
  modelType: ModelType;
  /** Leak conductance g_l. */
  gl: number;
  /** Basal conductance g_b. */
  gb: number;
  /** Apical conductance g_a. */
  ga: number;
  /** Interneuron dendritic conductance g_d. */
  gd: number;
  /** Interneuron nudging conductance g_som. */
  gsom: number;
  /** Target nudging conductance g_tar. */
  gtar: number;
  /** η of W_k (L entries). */
  etaW: readonly number[];
  /** η of B_h (L−1 entries; used by `PAL`). */
  etaB: readonly number[];
  /** η of WIP_h (L−1 entries). */
  etaIP: readonly number[];
  /** η of BPI_h (L−1 entries; used only when some η of B is positive and the model is `PAL`). */
  etaPI: readonly number[];
  /** Regulariser α of the B rule. */
  alpha: number;
  /** OU noise σ in the hidden apical compartments (0 = none; runs in every phase when > 0). */
  noiseSig: number;
  /** OU noise time constant τ_ξ. */
  noiseTau: number;
  /** High-pass time constant τ_HP. */
  tauHP: number;
  /** Low-pass time constant of the forward updates τ_ff. */
  tauW: number;
  /** Low-pass time constant of the WIP updates τ_IP (= dt: no filtering). */
  tauIP: number;
  /** Low-pass time constant of the BPI updates τ_PI (= dt: no filtering). */
  tauPI: number;
  /**
   * Step every input synapse's δ low-pass every step (default `false`): by default the synapses of
   * inputs whose rate is exactly 0 now and one step earlier (MNIST's blank pixels) are skipped and
   * caught up in closed form when the input turns on or the weights are read — the same weights up
   * to float rounding (relative ~1e-15), the same basal sums, about 4× faster on MNIST. `true`
   * gives the step-by-step recurrence bit for bit.
   */
  exactDecay?: boolean;
}

/** Initial weights (copied), post × pre; the lateral weights default to the self-predicting state. */
export interface GennMicrocircuitInit {
  /** Forward weights per layer (L matrices). */
  W: readonly ArrayLike<number>[];
  /** Top-down weights per hidden layer (L−1 matrices). */
  B: readonly ArrayLike<number>[];
  /** Pyramid-to-interneuron weights; default W_{h+1} (GeNN's `start_in_self_predict`). */
  WIP?: readonly ArrayLike<number>[];
  /** Interneuron-to-apical weights; default −B_h. */
  BPI?: readonly ArrayLike<number>[];
}

const f64 = (n: number) => new Float64Array(n);
const copyOf = (a: ArrayLike<number> | undefined, n: number, what: string): Float64Array => {
  if (a === undefined || a.length !== n) {
    throw new Error(`Invalid ${what} with ${a?.length ?? 0} values: expected ${n}`);
  }
  return Float64Array.from(a);
};
const logistic = (x: number) => 1 / (1 + fastExp(-x));

/** The state arrays of a {@linkcode GennMicrocircuit}, in checkpoint order. */
export const GENN_STATE_ARRAYS = [
  "rIn",
  "rInLast",
  "rTgt",
  "vTgt",
  "u",
  "uBreve",
  "vBas",
  "r",
  "rLast",
  "rBas",
  "rHP",
  "vApi",
  "xi",
  "uI",
  "uIBreve",
  "vDen",
  "vDown",
  "rI",
  "rILast",
  "rIDen",
  "W",
  "deltaW",
  "B",
  "WIP",
  "deltaWIP",
  "BPI",
  "deltaBPI",
] as const;

/**
 * A dendritic microcircuit in preallocated float64 state, stepped in GeNN's order.
 *
 * @example Self-predicting state: without a target or learning, v_api vanishes after an input switch
 * ```ts
 * import { GennMicrocircuit } from "@plasticity/microcircuit/genn-network";
 * const net = new GennMicrocircuit({
 *   dims: [2, 3, 2], dt: 0.01, modelType: "FA", gl: 0.03, gb: 0.1, ga: 0.06, gd: 0.1,
 *   gsom: 0.06, gtar: 0.06, etaW: [0, 0], etaB: [0], etaIP: [0], etaPI: [0], alpha: 0,
 *   noiseSig: 0, noiseTau: 0.1, tauHP: 0.1, tauW: 100, tauIP: 0.01, tauPI: 0.01,
 * }, {
 *   W: [[1, -1, 0.5, 0.2, -0.3, 0.7], [0.4, -0.2, 0.1, -0.5, 0.3, 0.9]],
 *   B: [[1, 0, 0, 1, 1, 1]],
 * });
 * net.resetInput([0.3, 0.8], null);
 * for (let i = 0; i < 200; i++) net.step([0.3, 0.8], null, false);
 * console.assert(Math.abs(net.vApi[0]![0]!) < 1e-12);
 * ```
 */
export class GennMicrocircuit {
  /** The constants. */
  readonly config: Readonly<GennMicrocircuitConfig>;
  /** Layer sizes. */
  readonly dims: readonly number[];
  /** Number of pyramidal layers L (hidden layers and the output). */
  readonly nLayers: number;

  /** Input rates r_in (what the input synapses transmit in the next step). */
  readonly rIn: Float64Array;
  /** Input rates one step earlier. */
  readonly rInLast: Float64Array;
  /** Target rates (the supervisor), transmitted in the next step while teaching. */
  readonly rTgt: Float64Array;

  /** Somatic voltages u per pyramidal layer. */
  readonly u: Float64Array[];
  /** Lookahead voltages ŭ per pyramidal layer. */
  readonly uBreve: Float64Array[];
  /** Basal potentials v_bas per pyramidal layer. */
  readonly vBas: Float64Array[];
  /** Rates r = φ(ŭ) per pyramidal layer. */
  readonly r: Float64Array[];
  /** Rates one step earlier. */
  readonly rLast: Float64Array[];
  /** Basal rates r_bas = φ(g_b/(g_tot) · v_bas) (g_tot without g_tar for the output). */
  readonly rBas: Float64Array[];
  /** High-passed rates r_HP per pyramidal layer. */
  readonly rHP: Float64Array[];
  /** Apical potentials v_api per hidden layer (without the noise). */
  readonly vApi: Float64Array[];
  /** OU noise ξ per hidden layer. */
  readonly xi: Float64Array[];
  /** Target potential v_tgt of the output (0 while not teaching). */
  readonly vTgt: Float64Array;

  /** Interneuron somatic voltages u_I per hidden layer. */
  readonly uI: Float64Array[];
  /** Interneuron lookahead ŭ_I. */
  readonly uIBreve: Float64Array[];
  /** Interneuron dendritic potentials v_den. */
  readonly vDen: Float64Array[];
  /** Interneuron nudging potentials v_down (ŭ of the paired upper neuron, one step earlier). */
  readonly vDown: Float64Array[];
  /** Interneuron rates r_I. */
  readonly rI: Float64Array[];
  /** Interneuron rates one step earlier. */
  readonly rILast: Float64Array[];
  /** Interneuron dendritic rates r_den = φ(g_d/(g_l+g_d) · v_den). */
  readonly rIDen: Float64Array[];

  /** Forward weights W (reading them brings skipped input synapses up to date). */
  get W(): Float64Array[] {
    this.#sync();
    return this.#W;
  }
  /** Low-passed forward updates δ of W (reading them brings skipped input synapses up to date). */
  get deltaW(): Float64Array[] {
    this.#sync();
    return this.#deltaW;
  }
  /** Top-down weights B. */
  readonly B: Float64Array[];
  /** Pyramid-to-interneuron weights. */
  readonly WIP: Float64Array[];
  /** Pending updates δ of WIP. */
  readonly deltaWIP: Float64Array[];
  /** Interneuron-to-apical weights. */
  readonly BPI: Float64Array[];
  /** Pending updates δ of BPI. */
  readonly deltaBPI: Float64Array[];

  /** Steps taken. */
  steps = 0;

  #W: Float64Array[];
  #deltaW: Float64Array[];
  #sparseInput: SparseInputSynapses | null;
  #noiseRng: NormalSource | null;
  #gauss: Float64Array;
  #learnB: boolean;
  #learnPI: boolean;

  /**
   * Builds the network; voltages, rates, noise and δ start at 0 (GeNN's initial values).
   *
   * @param config The constants.
   * @param init The initial weights.
   * @param noiseRng Source of the N(0, 1) noise draws (required when `noiseSig` > 0).
   */
  constructor(
    config: GennMicrocircuitConfig,
    init: GennMicrocircuitInit,
    noiseRng: NormalSource | null = null,
  ) {
    const d = config.dims;
    if (d.length < 3 || d.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new Error(
        `Invalid dims ${JSON.stringify(d)}: expected at least three positive integers`,
      );
    }
    const L = d.length - 1, H = L - 1;
    for (const [key, len] of [["etaW", L], ["etaB", H], ["etaIP", H], ["etaPI", H]] as const) {
      if (config[key].length < len) {
        throw new Error(
          `Invalid ${key} ${JSON.stringify(config[key])}: expected at least ${len} entries`,
        );
      }
    }
    if (config.noiseSig > 0 && noiseRng === null) {
      throw new Error(`Invalid noiseSig ${config.noiseSig} without a noise source: expected 0`);
    }
    this.config = config;
    this.dims = [...d];
    this.nLayers = L;
    const n = (k: number) => d[k + 1]!;
    const per = (count: number, f: (k: number) => Float64Array) =>
      Array.from({ length: count }, (_, k) => f(k));

    this.rIn = f64(d[0]!);
    this.rInLast = f64(d[0]!);
    this.rTgt = f64(n(L - 1));
    this.u = per(L, (k) => f64(n(k)));
    this.uBreve = per(L, (k) => f64(n(k)));
    this.vBas = per(L, (k) => f64(n(k)));
    this.r = per(L, (k) => f64(n(k)));
    this.rLast = per(L, (k) => f64(n(k)));
    this.rBas = per(L, (k) => f64(n(k)));
    this.rHP = per(L, (k) => f64(n(k)));
    this.vApi = per(H, (h) => f64(n(h)));
    this.xi = per(H, (h) => f64(n(h)));
    this.vTgt = f64(n(L - 1));
    this.uI = per(H, (h) => f64(n(h + 1)));
    this.uIBreve = per(H, (h) => f64(n(h + 1)));
    this.vDen = per(H, (h) => f64(n(h + 1)));
    this.vDown = per(H, (h) => f64(n(h + 1)));
    this.rI = per(H, (h) => f64(n(h + 1)));
    this.rILast = per(H, (h) => f64(n(h + 1)));
    this.rIDen = per(H, (h) => f64(n(h + 1)));

    this.#W = per(L, (k) => copyOf(init.W[k], n(k) * d[k]!, `W[${k}]`));
    this.#deltaW = this.#W.map((w) => f64(w.length));
    const aW = config.dt / config.tauW;
    this.#sparseInput = !config.exactDecay && SparseInputSynapses.supports(aW)
      ? new SparseInputSynapses(d[0]!, n(0), aW)
      : null;
    this.B = per(H, (h) => copyOf(init.B[h], n(h) * n(h + 1), `B[${h}]`));
    this.WIP = per(
      H,
      (h) => copyOf(init.WIP ? init.WIP[h] : this.#W[h + 1], n(h + 1) * n(h), `WIP[${h}]`),
    );
    this.BPI = per(
      H,
      (h) =>
        init.BPI ? copyOf(init.BPI[h], n(h) * n(h + 1), `BPI[${h}]`) : this.B[h]!.map((x) => -x),
    );
    this.deltaWIP = this.WIP.map((w) => f64(w.length));
    this.deltaBPI = this.BPI.map((w) => f64(w.length));

    this.#noiseRng = config.noiseSig > 0 ? noiseRng : null;
    this.#gauss = f64(Math.max(...d.slice(1, L)));
    this.#learnB = config.modelType === "PAL";
    this.#learnPI = this.#learnB && config.etaB.slice(0, H).some((e) => e > 0);
    if (config.modelType === "BP") this.#copyTransposes();
  }

  /**
   * The full dynamic state ({@linkcode MicrocircuitState}: every array of
   * {@linkcode GENN_STATE_ARRAYS} as base64 of its float64 bytes, the step count and the noise
   * generator's state), JSON-safe; {@linkcode GennMicrocircuit.loadState} of a network with the
   * same config continues exactly as this one would.
   *
   * @returns The state.
   *
   * @example
   * ```ts
   * import { GennMicrocircuit } from "@plasticity/microcircuit/genn-network";
   * const cfg = {
   *   dims: [2, 3, 2], dt: 0.01, modelType: "FA" as const, gl: 0.03, gb: 0.1, ga: 0.06, gd: 0.1,
   *   gsom: 0.06, gtar: 0.06, etaW: [1, 1], etaB: [0], etaIP: [0.1], etaPI: [0], alpha: 0,
   *   noiseSig: 0, noiseTau: 0.1, tauHP: 0.1, tauW: 100, tauIP: 0.01, tauPI: 0.01,
   * };
   * const init = { W: [[0.1, -0.2, 0.3, 0.1, 0.2, -0.1], [0.2, 0.1, -0.3, 0.3, -0.1, 0.2]], B: [[0.5, -0.5, 0.2, 0.1, -0.3, 0.4]] };
   * const a = new GennMicrocircuit(cfg, init), b = new GennMicrocircuit(cfg, init);
   * for (let i = 0; i < 40; i++) a.step([0.3, 0.8], [1, 0.1], true);
   * b.loadState(JSON.parse(JSON.stringify(a.saveState())));
   * for (let i = 0; i < 40; i++) (a.step([0.3, 0.8], [1, 0.1], true), b.step([0.3, 0.8], [1, 0.1], true));
   * console.assert(a.W[0]![0] === b.W[0]![0] && a.u[1]![1] === b.u[1]![1] && b.steps === 80);
   * ```
   */
  saveState(): MicrocircuitState {
    const arrays: Record<string, string[]> = {};
    for (const name of GENN_STATE_ARRAYS) {
      const v = this[name] as Float64Array | Float64Array[];
      arrays[name] = Array.isArray(v) ? v.map((a) => f64ToBase64(a)) : [f64ToBase64(v)];
    }
    const rng = this.#noiseRng;
    return {
      layers: [...this.dims],
      steps: this.steps,
      arrays,
      r0: [arrays.rIn![0]!, arrays.rInLast![0]!],
      rng: rng?.getState ? rng.getState() : null,
    };
  }

  /**
   * Restores a state from {@linkcode GennMicrocircuit.saveState} (of a network with the same
   * dims), the noise generator's included when the state has one.
   *
   * @param state The state.
   * @throws {Error} When the dims or an array's size differ, or the generator cannot take the
   *   saved generator state.
   */
  loadState(state: MicrocircuitState): void {
    if (state.layers.join() !== this.dims.join()) {
      throw new Error(
        `Invalid GeNN microcircuit state: dims ${JSON.stringify(state.layers)}, expected ${
          JSON.stringify(this.dims)
        }`,
      );
    }
    for (const name of GENN_STATE_ARRAYS) {
      const v = this[name] as Float64Array | Float64Array[];
      const own = Array.isArray(v) ? v : [v], saved = state.arrays[name];
      if (!saved || saved.length !== own.length) {
        throw new Error(
          `Invalid GeNN microcircuit state: expected ${own.length} arrays for ${name}, got ${
            saved?.length ?? "none"
          }`,
        );
      }
      own.forEach((a, k) => base64ToF64(saved[k]!, a, `${name}[${k}]`));
    }
    this.steps = state.steps;
    if (state.rng !== null && state.rng !== undefined) {
      const rng = this.#noiseRng;
      if (!rng?.setState) {
        throw new Error(
          "Invalid GeNN microcircuit state: it has a noise generator state but this network's generator cannot load one",
        );
      }
      rng.setState(state.rng);
    }
  }

  /**
   * Sets the input rates (now and one step earlier) and, when given, the target rates, as GeNN's
   * rate players do at the start of each validation, training or test pass.
   *
   * @param x The input rates (n0 values).
   * @param target The target rates (nL values), or `null` to leave them.
   */
  resetInput(x: ArrayLike<number>, target: ArrayLike<number> | null): void {
    for (let i = 0; i < this.rIn.length; i++) this.rIn[i] = this.rInLast[i] = x[i]!;
    if (target !== null) { for (let j = 0; j < this.rTgt.length; j++) this.rTgt[j] = target[j]!; }
  }

  /**
   * One GeNN time step: the synapse phase (plasticity when `learning`, then transmission of the
   * previous step's values), then the neuron phase, whose input and supervisor take `x` and
   * `target`. Teaching is on exactly when `target` is not `null` (the output then integrates the
   * target rate transmitted from the previous step).
   *
   * @param x Input rates for this step (n0 values).
   * @param target Target rates for this step (nL values), or `null` for no teaching.
   * @param learning Whether the synapses learn (GeNN's `learning_on`).
   */
  step(x: ArrayLike<number>, target: ArrayLike<number> | null, learning: boolean): void {
    const c = this.config, d = this.dims, L = this.nLayers, H = L - 1, dt = c.dt;
    const teach = target !== null;
    if (c.modelType === "BP") this.#copyTransposes();

    // ---- synapse phase: reads only neuron variables of the previous step ----
    for (let k = 0; k < L; k++) {
      const pre = d[k]!, post = d[k + 1]!;
      const rPre = k === 0 ? this.rIn : this.r[k - 1]!;
      const rLastPre = k === 0 ? this.rInLast : this.rLast[k - 1]!;
      if (k === 0 && this.#sparseInput !== null) {
        this.#sparseInput.step(
          this.#W[0]!,
          this.#deltaW[0]!,
          this.vBas[0]!,
          rPre,
          rLastPre,
          this.r[0]!,
          this.rBas[0]!,
          learning ? dt * c.etaW[0]! : 0,
          learning,
        );
        continue;
      }
      forwardSynapses(
        this.#W[k]!,
        this.#deltaW[k]!,
        this.vBas[k]!,
        rPre,
        rLastPre,
        this.r[k]!,
        this.rBas[k]!,
        pre,
        post,
        learning ? dt * c.etaW[k]! : 0,
        dt / c.tauW,
        learning,
      );
    }
    for (let h = 0; h < H; h++) {
      const nP = d[h + 1]!, nU = d[h + 2]!;
      // interneurons: v_den = WIP r_P (after learning), v_down = ŭ of layer h+1
      forwardSynapses(
        this.WIP[h]!,
        this.deltaWIP[h]!,
        this.vDen[h]!,
        this.r[h]!,
        this.rLast[h]!,
        this.rI[h]!,
        this.rIDen[h]!,
        nP,
        nU,
        learning ? dt * c.etaIP[h]! : 0,
        dt / c.tauIP,
        learning,
      );
      this.vDown[h]!.set(this.uBreve[h + 1]!);
      // apical: BPI learns from the previous v_api, then v_api = B r_{h+1} + BPI r_I
      const B = this.B[h]!, P = this.BPI[h]!, dP = this.deltaBPI[h]!;
      const vApi = this.vApi[h]!, xi = this.xi[h]!;
      const rUp = this.r[h + 1]!,
        rHPUp = this.rHP[h + 1]!,
        rI = this.rI[h]!,
        rILast = this.rILast[h]!;
      const learnB = learning && this.#learnB, learnPI = learning && this.#learnPI;
      const eB = dt * c.etaB[h]!, alpha = c.alpha, ePI = dt * c.etaPI[h]!, aPI = dt / c.tauPI;
      for (let j = 0; j < nP; j++) {
        const row = j * nU;
        let acc = 0;
        if (learnB) {
          const xj = xi[j]!;
          for (let i = 0; i < nU; i++) {
            const b = B[row + i]! + eB * (xj * rHPUp[i]! - alpha * B[row + i]!);
            B[row + i] = b;
            acc += b * rUp[i]!;
          }
        } else {
          for (let i = 0; i < nU; i++) acc += B[row + i]! * rUp[i]!;
        }
        if (learnPI) {
          const e = ePI * -vApi[j]!;
          for (let i = 0; i < nU; i++) {
            const g = P[row + i]! + dP[row + i]!;
            P[row + i] = g;
            dP[row + i] = dP[row + i]! + aPI * (e * rILast[i]! - dP[row + i]!);
            acc += g * rI[i]!;
          }
        } else {
          for (let i = 0; i < nU; i++) acc += P[row + i]! * rI[i]!;
        }
        vApi[j] = acc;
      }
    }
    const vTgt = this.vTgt;
    for (let j = 0; j < vTgt.length; j++) vTgt[j] = teach ? this.rTgt[j]! : 0;

    // ---- neuron phase ----
    for (let i = 0; i < this.rIn.length; i++) {
      this.rInLast[i] = this.rIn[i]!;
      this.rIn[i] = x[i]!;
    }
    if (teach) { for (let j = 0; j < this.rTgt.length; j++) this.rTgt[j] = target[j]!; }
    const { gl, gb, ga, gd, gsom, gtar } = c;
    const hpDecay = dt / c.tauHP;
    for (let k = 0; k < L; k++) {
      const out = k === L - 1;
      const u = this.u[k]!, uB = this.uBreve[k]!, vBas = this.vBas[k]!, r = this.r[k]!;
      const rLast = this.rLast[k]!, rBas = this.rBas[k]!, rHP = this.rHP[k]!;
      const gTot = out ? gl + gb + gtar : gl + gb + ga, tau = 1 / gTot;
      const basScale = out ? gb / (gl + gb) : gb * tau;
      const nk = u.length;
      let vApi: Float64Array | null = null, xi: Float64Array | null = null;
      if (!out) {
        vApi = this.vApi[k]!;
        xi = this.xi[k]!;
        const rng = this.#noiseRng;
        if (rng !== null) {
          const gz = this.#gauss, a = 1 / c.noiseTau, s = c.noiseSig * Math.sqrt(dt * c.noiseTau);
          if (rng.fillNormal) rng.fillNormal(gz, nk);
          else for (let j = 0; j < nk; j++) gz[j] = rng.normal();
          for (let j = 0; j < nk; j++) xi[j] = xi[j]! + a * (s * gz[j]! - dt * xi[j]!);
        }
      }
      for (let j = 0; j < nk; j++) {
        rHP[j] = rHP[j]! + (r[j]! - rLast[j]! - hpDecay * rHP[j]!);
        rLast[j] = r[j]!;
        let vStar: number;
        if (!out) vStar = (gb * vBas[j]! + ga * (vApi![j]! + xi![j]!)) * tau;
        else if (teach) vStar = (gb * vBas[j]! + gtar * vTgt[j]!) * tau;
        else vStar = gb * vBas[j]! / (gb + gl);
        const uDot = gTot * (vStar - u[j]!);
        const ub = u[j]! + tau * uDot;
        uB[j] = ub;
        u[j] = u[j]! + dt * uDot;
        r[j] = logistic(ub);
        rBas[j] = logistic(basScale * vBas[j]!);
      }
    }
    const gTotI = gl + gd + gsom, tauI = 1 / gTotI, denScale = gd / (gl + gd);
    for (let h = 0; h < H; h++) {
      const uI = this.uI[h]!, uIB = this.uIBreve[h]!, vDen = this.vDen[h]!, vDown = this.vDown[h]!;
      const rI = this.rI[h]!, rILast = this.rILast[h]!, rIDen = this.rIDen[h]!;
      for (let j = 0; j < uI.length; j++) {
        rILast[j] = rI[j]!;
        const vStar = (gd * vDen[j]! + gsom * vDown[j]!) * tauI;
        const uDot = gTotI * (vStar - uI[j]!);
        const ub = uI[j]! + tauI * uDot;
        uIB[j] = ub;
        uI[j] = uI[j]! + dt * uDot;
        rI[j] = logistic(ub);
        rIDen[j] = logistic(denScale * vDen[j]!);
      }
    }
    this.steps++;
  }

  /** Brings the skipped input synapses up to date. */
  #sync(): void {
    this.#sparseInput?.flush(this.#W[0]!, this.#deltaW[0]!);
  }

  /** BP: B_h = W_{h+1}ᵀ and BPI_h = −B_h. */
  #copyTransposes(): void {
    for (let h = 0; h < this.nLayers - 1; h++) {
      const W = this.#W[h + 1]!, B = this.B[h]!, P = this.BPI[h]!;
      const rows = this.dims[h + 1]!, cols = this.dims[h + 2]!;
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const w = W[j * rows + i]!;
          B[i * cols + j] = w;
          P[i * cols + j] = -w;
        }
      }
    }
  }
}

/**
 * One population of low-passed plastic synapses (GeNN's `up` and `p2i` models), post × pre:
 * when learning, g += δ and δ += a(−δ + e_j r_last,pre) with e_j = dt η (r_post − r_ref,post);
 * then out_j = Σ g r_pre (with the updated g).
 */
function forwardSynapses(
  g: Float64Array,
  delta: Float64Array,
  out: Float64Array,
  rPre: Float64Array,
  rLastPre: Float64Array,
  rPost: Float64Array,
  rRefPost: Float64Array,
  pre: number,
  post: number,
  dtEta: number,
  a: number,
  learning: boolean,
): void {
  FULL_RUN[1] = pre;
  if (!learning) sumRows(g, out, rPre, pre, post, FULL_RUN, 1);
  else learnRows(g, delta, out, rPre, rLastPre, rPost, rRefPost, pre, post, dtEta, a, FULL_RUN, 1);
}
