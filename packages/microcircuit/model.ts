/**
 * The dendritic cortical microcircuit (Sacramento et al. 2018) with the Latent Equilibrium
 * lookahead ŭ and Phaseless Alignment Learning (PAL) of the top-down weights B.
 *
 * Layers `[n0, n1, …, nL]`: n0 input rates, pyramidal layers k = 0…L−1 (layer k has n_{k+1}
 * neurons; k = L−1 is the output). Each pyramidal layer has a soma `uP[k]` and a basal dendrite
 * `vBas[k]`; every hidden layer h = 0…L−2 also has an apical dendrite `vApi[h]` and a population of
 * interneurons `uI[h]` (size n_{h+2}, mirroring layer h+1) with dendrite `vDen[h]`.
 * Weights are stored post × pre, row-major, in `Float64Array`s: `WPP[k]` (n_{k+1} × n_k),
 * `WIP[h]` (n_{h+2} × n_{h+1}), `BPP[h]` and `BPI[h]` (n_{h+1} × n_{h+2}).
 *
 * One {@linkcode Microcircuit.step} is one forward-Euler step in exactly the order of the numpy
 * reference (`noise_model.evolve_system`), including its one-step offsets: rates come from the
 * lookahead of the previous step, plasticity uses the previous step's dendrites and presynaptic
 * rates, the soma sees the noise of the previous step while ΔB sees the fresh noise, and the
 * high-pass of the rates is advanced at the very end.
 *
 * @module
 */
import { fastExp } from "@plasticity/core";
import { base64ToF64, f64ToBase64 } from "./_f64_codec.ts";
import { type Activation, type ActivationName, getActivation } from "./activation.ts";

/** Which rule sets the top-down weights B. */
export type ModelType = "BP" | "FA" | "PAL";

/** Model constants (times in ms, conductances in 1/ms, learning rates per ms). */
export interface MicrocircuitConfig {
  /** Layer sizes `[n0, …, nL]`, at least three. */
  layers: readonly number[];
  /** Euler step dt. */
  dt: number;
  /** `BP` (B = Wᵀ every step), `FA` (B fixed) or `PAL` (B learnt from noise). */
  modelType: ModelType;
  /** One rate function for all layers, or one per pyramidal layer (L entries). */
  activation: ActivationName | readonly ActivationName[];
  /** Leak conductance g_l. */
  gl: number;
  /** Basal conductance g_bas. */
  gbas: number;
  /** Apical conductance g_api. */
  gapi: number;
  /** Interneuron dendritic conductance g_den. */
  gden: number;
  /** Somatic nudging of interneurons g_nI. */
  gnI: number;
  /** Target nudging of the output g_ntgt. */
  gntgt: number;
  /** η_fw per forward weight (L entries). */
  etaFw: readonly number[];
  /** η_bw per top-down weight (L−1 entries; PAL). */
  etaBw: readonly number[];
  /** η_IP per interneuron weight (L−1 entries). */
  etaIP: readonly number[];
  /** η_PI per interneuron-to-apical weight (L−1 entries). */
  etaPI: readonly number[];
  /** PAL: regulariser α per top-down weight (≥ L−1 entries). */
  alpha: readonly number[];
  /** PAL: noise scale σ per hidden layer (≥ L−1 entries). */
  noiseScale: readonly number[];
  /** PAL: OU noise time constant τ_ξ. */
  tauxi: number;
  /** PAL: high-pass time constant τ_HP. */
  tauHP: number;
  /** PAL: low-pass time constant of forward updates τ_LO. */
  tauLO: number;
  /** Low-pass the forward updates with τ_LO (default: true for PAL, false for BP and FA, as the reference). */
  dWPPLowPass?: boolean;
  /** PAL: high-pass the presynaptic rate of B (the reference always does). Default true. */
  pyrHiPass?: boolean;
  /** Prospectivity factor: ŭ = u_old + taur·τ(u − u_old)/dt; 0 gives the plain Sacramento model. Default 1. */
  taur?: number;
}

/** Initial values of voltages and weights (copied). Shapes as in the module docs. */
export interface MicrocircuitInit {
  /** Somatic voltages per pyramidal layer. */
  uP: readonly ArrayLike<number>[];
  /** Interneuron voltages per hidden layer. */
  uI: readonly ArrayLike<number>[];
  /** Forward weights per layer. */
  WPP: readonly ArrayLike<number>[];
  /** Pyramid-to-interneuron weights per hidden layer. */
  WIP: readonly ArrayLike<number>[];
  /** Top-down pyramid-to-pyramid weights per hidden layer. */
  BPP: readonly ArrayLike<number>[];
  /** Interneuron-to-apical weights per hidden layer. */
  BPI: readonly ArrayLike<number>[];
}

/** A source of standard normal draws (e.g. `NumpyRandomState` or a core `Rng`). */
export interface NormalSource {
  /** One N(0, 1) draw. */
  normal(): number;
  /** Optional fast path: `out[0..n)` filled as n calls of `normal()` would. */
  fillNormal?(out: Float64Array, n: number): void;
  /** Optional: the generator's full state as plain data (what a checkpoint of the model saves). */
  getState?(): unknown;
  /** Optional: restores a state from `getState`. */
  setState?(state: unknown): void;
}

/** The per-layer state arrays of a {@linkcode Microcircuit}, in checkpoint order. */
export const MICROCIRCUIT_STATE_ARRAYS = [
  "uP",
  "uPOld",
  "uPBreve",
  "rPBreve",
  "rPBreveOld",
  "rPBreveHI",
  "vBas",
  "vBasOld",
  "vApi",
  "vApiOld",
  "uI",
  "uIOld",
  "uIBreve",
  "rIBreve",
  "rIBreveOld",
  "vDen",
  "vDenOld",
  "noise",
  "WPP",
  "WIP",
  "BPP",
  "BPI",
  "dWPPLO",
  "errW",
] as const;

/**
 * The full dynamic state of a {@linkcode Microcircuit} as JSON-safe plain data: every voltage,
 * rate, dendrite, weight, low-pass, high-pass and noise array (each layer's values as base64 of
 * its little-endian float64 bytes, so that a JSON round trip is bit-exact), the input rates, the
 * step count and the noise generator's state (`null` when there is no generator or it cannot say).
 */
export interface MicrocircuitState {
  /** Layer sizes of the model it came from. */
  layers: number[];
  /** Steps taken. */
  steps: number;
  /** Each array of {@linkcode MICROCIRCUIT_STATE_ARRAYS}, one base64 string per layer. */
  arrays: Record<string, string[]>;
  /** Input rates r0 and r0 one step earlier (base64). */
  r0: [string, string];
  /** The noise generator's state. */
  rng: unknown;
}

/** What one step learns and whether the PAL noise runs. */
export interface StepOptions {
  /** Learn the forward weights W. */
  learnWeights: boolean;
  /** Learn WIP and BPI. */
  learnLatWeights: boolean;
  /** Learn B; in PAL this also injects the OU noise into the apical compartments. */
  learnBwWeights: boolean;
  /** PAL: run and inject the OU noise (default: `learnBwWeights`, as the numpy reference). */
  injectNoise?: boolean;
}

const f64 = (n: number) => new Float64Array(n);
const copyOf = (a: ArrayLike<number>, n: number, what: string): Float64Array => {
  if (a.length !== n) {
    throw new Error(`Invalid ${what}: expected ${n} values, got ${a.length}`);
  }
  return Float64Array.from(a);
};

/**
 * A dendritic microcircuit in preallocated float64 state.
 *
 * @example Self-predicting state: without a target the apical potentials vanish
 * ```ts
 * import { Microcircuit } from "@plasticity/microcircuit/model";
 * const mc = new Microcircuit({
 *   layers: [2, 3, 2], dt: 0.01, modelType: "FA", activation: "logistic",
 *   gl: 0.03, gbas: 0.1, gapi: 0.06, gden: 0.1, gnI: 0.06, gntgt: 0.06,
 *   etaFw: [0, 0], etaBw: [0], etaIP: [0], etaPI: [0], alpha: [0], noiseScale: [0],
 *   tauxi: 0.1, tauHP: 0.1, tauLO: 100,
 * }, {
 *   uP: [[0, 0, 0], [0, 0]], uI: [[0, 0]],
 *   WPP: [[1, -1, 0.5, 0.2, -0.3, 0.7], [0.4, -0.2, 0.1, -0.5, 0.3, 0.9]],
 *   WIP: [[0, 0, 0, 0, 0, 0]], BPP: [[1, 0, 0, 1, 1, 1]], BPI: [[0, 0, 0, 0, 0, 0]],
 * });
 * mc.setSelfPredictingState();
 * const off = { learnWeights: false, learnLatWeights: false, learnBwWeights: false };
 * for (let i = 0; i < 3000; i++) mc.step([0.3, 0.8], null, off);
 * console.assert(Math.abs(mc.vApi[0]![0]!) < 1e-9);
 * ```
 */
export class Microcircuit {
  /** The constants. */
  readonly config: Readonly<MicrocircuitConfig>;
  /** Layer sizes. */
  readonly layers: readonly number[];
  /** Number of pyramidal layers L. */
  readonly nLayers: number;

  /** Somatic voltages u of the pyramidal layers. */
  readonly uP: Float64Array[];
  /** Somatic voltages one step earlier. */
  readonly uPOld: Float64Array[];
  /** Lookahead voltages ŭ of the pyramidal layers. */
  readonly uPBreve: Float64Array[];
  /** Rates r̆ = φ(ŭ) of the pyramidal layers. */
  rPBreve: Float64Array[];
  /** Rates one step earlier. */
  rPBreveOld: Float64Array[];
  /** PAL: high-passed rates r^HP. */
  readonly rPBreveHI: Float64Array[];
  /** Basal potentials v_bas. */
  vBas: Float64Array[];
  /** Basal potentials one step earlier. */
  vBasOld: Float64Array[];
  /** Apical potentials v_api of the hidden layers (without noise). */
  vApi: Float64Array[];
  /** Apical potentials one step earlier. */
  vApiOld: Float64Array[];
  /** Interneuron somatic voltages u^I. */
  readonly uI: Float64Array[];
  /** Interneuron voltages one step earlier. */
  readonly uIOld: Float64Array[];
  /** Interneuron lookahead ŭ^I. */
  readonly uIBreve: Float64Array[];
  /** Interneuron rates r̆^I. */
  rIBreve: Float64Array[];
  /** Interneuron rates one step earlier. */
  rIBreveOld: Float64Array[];
  /** Interneuron dendritic potentials v_den. */
  vDen: Float64Array[];
  /** Interneuron dendritic potentials one step earlier. */
  vDenOld: Float64Array[];
  /** PAL: OU noise ξ per hidden layer. */
  readonly noise: Float64Array[];
  /** Current input rates r0. */
  r0: Float64Array;
  /** Input rates one step earlier. */
  r0Old: Float64Array;

  /** Forward weights W (post × pre). */
  readonly WPP: Float64Array[];
  /** Pyramid-to-interneuron weights. */
  readonly WIP: Float64Array[];
  /** Top-down weights B. */
  readonly BPP: Float64Array[];
  /** Interneuron-to-apical weights. */
  readonly BPI: Float64Array[];
  /** PAL: low-passed forward updates Δ̄W. */
  readonly dWPPLO: Float64Array[];
  /** Postsynaptic error of the forward rule, r̆ − φ(ĝ v_bas,old), per layer (set when W learns). */
  readonly errW: Float64Array[];

  /** Steps taken. */
  steps = 0;

  #phi: Activation[];
  #tauP: Float64Array;
  #tauI: number;
  #tauNoTgt: number;
  #noiseRng: NormalSource | null;
  #taur: number;
  #gauss: Float64Array;
  #logistic: boolean[];

  /**
   * Builds a microcircuit; state starts as in the reference constructor (ŭ = u, r̆ = φ(u),
   * r^HP = r̆, dendrites 0).
   *
   * @param config The constants.
   * @param init Initial voltages and weights.
   * @param noiseRng PAL: where the OU noise draws come from (required for PAL learning of B).
   */
  constructor(
    config: MicrocircuitConfig,
    init: MicrocircuitInit,
    noiseRng: NormalSource | null = null,
  ) {
    const layers = config.layers;
    if (layers.length < 3 || layers.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new Error(
        `Invalid layers ${JSON.stringify(layers)}: expected at least three positive integers`,
      );
    }
    this.config = config;
    this.layers = [...layers];
    const L = layers.length - 1;
    this.nLayers = L;
    const H = L - 1;
    const n = (k: number) => layers[k + 1]!; // size of pyramidal layer k
    const acts = typeof config.activation === "string"
      ? Array.from({ length: L }, () => config.activation as ActivationName)
      : config.activation;
    if (acts.length !== L) {
      throw new Error(`Invalid activation list of length ${acts.length}: expected ${L} entries`);
    }
    this.#phi = acts.map((a) => getActivation(a));
    for (const [key, len] of [["etaFw", L], ["etaBw", H], ["etaIP", H], ["etaPI", H]] as const) {
      if (config[key].length < len) {
        throw new Error(`Invalid ${key} of length ${config[key].length}: expected ${len} entries`);
      }
    }
    if (config.modelType === "PAL") {
      for (const key of ["alpha", "noiseScale"] as const) {
        if (config[key].length < H) {
          throw new Error(`Invalid ${key} of length ${config[key].length}: expected ${H} entries`);
        }
      }
    }
    const { gl, gbas, gapi, gden, gnI, gntgt } = config;
    this.#tauP = new Float64Array(L).fill(1 / (gl + gbas + gapi));
    this.#tauP[L - 1] = 1 / (gl + gbas + gntgt);
    this.#tauNoTgt = 1 / (gl + gbas);
    this.#tauI = 1 / (gl + gden + gnI);
    this.#noiseRng = noiseRng;
    this.#taur = config.taur ?? 1;
    this.#logistic = this.#phi.map((a) => a.name === "logistic");

    const per = <T>(count: number, f: (k: number) => T): T[] =>
      Array.from({ length: count }, (_, k) => f(k));
    this.uP = per(L, (k) => copyOf(init.uP[k] ?? [], n(k), `uP[${k}]`));
    this.uI = per(H, (h) => copyOf(init.uI[h] ?? [], n(h + 1), `uI[${h}]`));
    this.WPP = per(L, (k) => copyOf(init.WPP[k] ?? [], n(k) * layers[k]!, `WPP[${k}]`));
    this.WIP = per(H, (h) => copyOf(init.WIP[h] ?? [], n(h + 1) * n(h), `WIP[${h}]`));
    this.BPP = per(H, (h) => copyOf(init.BPP[h] ?? [], n(h) * n(h + 1), `BPP[${h}]`));
    this.BPI = per(H, (h) => copyOf(init.BPI[h] ?? [], n(h) * n(h + 1), `BPI[${h}]`));
    this.uPOld = this.uP.map((a) => a.slice());
    this.uIOld = this.uI.map((a) => a.slice());
    this.uPBreve = this.uP.map((a) => a.slice());
    this.uIBreve = this.uI.map((a) => a.slice());
    this.rPBreve = this.uP.map((a, k) => a.map((x) => this.#phi[k]!.phi(x)));
    this.rIBreve = this.uI.map((a, h) => a.map((x) => this.#phi[h + 1]!.phi(x)));
    this.rPBreveOld = this.rPBreve.map((a) => a.slice());
    this.rIBreveOld = this.rIBreve.map((a) => a.slice());
    this.rPBreveHI = this.rPBreve.map((a) => a.slice());
    this.vBas = per(L, (k) => f64(n(k)));
    this.vBasOld = per(L, (k) => f64(n(k)));
    this.vApi = per(H, (h) => f64(n(h)));
    this.vApiOld = per(H, (h) => f64(n(h)));
    this.vDen = per(H, (h) => f64(n(h + 1)));
    this.vDenOld = per(H, (h) => f64(n(h + 1)));
    this.noise = per(H, (h) => f64(n(h)));
    this.#gauss = f64(this.noise.reduce((a, x) => a + x.length, 0));
    this.r0 = f64(layers[0]!);
    this.r0Old = f64(layers[0]!);
    this.dWPPLO = this.WPP.map((w) => f64(w.length));
    this.errW = per(L, (k) => f64(n(k)));
    if (config.modelType === "BP") this.#copyTransposes(false);
  }

  /**
   * Puts the lateral weights in the self-predicting state:
   * BPI = −BPP, WIP_h = g_bas(g_l+g_den)/(g_den(g_l+g_bas+g_api)) · W_{h+1}, and for the last
   * WIP the factor g_bas(g_l+g_den)/(g_den(g_l+g_bas)), so that ŭ^I_h = ŭ_{h+1} and v_api = 0
   * without a target.
   */
  setSelfPredictingState(): void {
    const { gl, gbas, gapi, gden } = this.config;
    const H = this.nLayers - 1;
    for (let h = 0; h < H; h++) {
      const B = this.BPP[h]!, P = this.BPI[h]!;
      for (let i = 0; i < B.length; i++) P[i] = -B[i]!;
    }
    const cHid = gbas * (gl + gden) / (gden * (gl + gbas + gapi));
    const cOut = gbas * (gl + gden) / (gden * (gl + gbas));
    for (let h = 0; h < H; h++) {
      const c = h === H - 1 ? cOut : cHid;
      const W = this.WPP[h + 1]!, WI = this.WIP[h]!;
      for (let i = 0; i < W.length; i++) WI[i] = c * W[i]!;
    }
  }

  #copyTransposes(alsoBPI = true): void {
    for (let h = 0; h < this.nLayers - 1; h++) {
      const W = this.WPP[h + 1]!, B = this.BPP[h]!, P = this.BPI[h]!;
      const rows = this.layers[h + 1]!, cols = this.layers[h + 2]!; // B is rows × cols; W is cols × rows
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const w = W[j * rows + i]!;
          B[i * cols + j] = w;
          if (alsoBPI) P[i * cols + j] = -w;
        }
      }
    }
  }

  /**
   * One Euler step of dt.
   *
   * In order: save the previous rates and dendrites; lookahead ŭ = u_old + τ(u − u_old)/dt and
   * rates r̆ = φ(ŭ); dendrites v_bas,0 = W₀r₀, v_bas,k = W_k r̆_{k−1}, v_den,h = WIP_h r̆_h,
   * v_api,h = BPP_h r̆_{h+1} + BPI_h r̆^I_h; somata
   * Δu^I = dt[g_den v_den + g_nI ŭ_{h+1} − u^I/τ_I], Δu = dt[g_bas v_bas + g_api(v_api + ξ_old) − u/τ_P]
   * (output: g_ntgt u_tgt instead, or relaxation to g_bas v_bas/(g_l+g_bas) without a target);
   * PAL noise ξ ← ξ + (1/τ_ξ)(−dt ξ + √(dt τ_ξ) σ w);
   * ΔW_k = dt η_fw (r̆_k − φ(ĝ v_bas,old,k)) ⊗ r_pre,old, ΔWIP = dt η_IP (r̆^I − φ(g_den/(g_l+g_den) v_den,old)) ⊗ r̆_old,
   * ΔBPI = dt η_PI (−v_api,old) ⊗ r̆^I_old; BP: B = Wᵀ, BPI = −B;
   * PAL: ΔB = dt η_bw (ξ ⊗ r^HP_{h+1} − α B) and W += Δ̄W with Δ̄W += (dt/τ_LO)(ΔW − Δ̄W);
   * finally (PAL) r^HP += (r̆ − r̆_old) − (dt/τ_HP) r^HP.
   *
   * @param input New input rates r₀ (n0 values, read at `inputOffset`).
   * @param target Output target voltages (nL values at `targetOffset`), or null for none.
   * @param opts What to learn.
   * @param inputOffset Offset of the input in `input`.
   * @param targetOffset Offset of the target in `target`.
   */
  step(
    input: ArrayLike<number>,
    target: ArrayLike<number> | null,
    opts: StepOptions,
    inputOffset = 0,
    targetOffset = 0,
  ): void {
    const L = this.nLayers, H = L - 1;
    const cfg = this.config;
    const dt = cfg.dt, gl = cfg.gl, gbas = cfg.gbas, gapi = cfg.gapi, gden = cfg.gden;
    const pal = cfg.modelType === "PAL";
    const inject = pal && (opts.injectNoise ?? opts.learnBwWeights);
    const taur = this.#taur;

    // 1. Save previous rates and dendrites (pointer swaps; the new values are rewritten fully).
    let t: Float64Array[];
    t = this.rPBreveOld, this.rPBreveOld = this.rPBreve, this.rPBreve = t;
    t = this.rIBreveOld, this.rIBreveOld = this.rIBreve, this.rIBreve = t;
    t = this.vBasOld, this.vBasOld = this.vBas, this.vBas = t;
    t = this.vDenOld, this.vDenOld = this.vDen, this.vDen = t;
    t = this.vApiOld, this.vApiOld = this.vApi, this.vApi = t;
    const r0t = this.r0Old;
    this.r0Old = this.r0, this.r0 = r0t;

    // 2–4. Lookahead, rates, u_old ← u, r0 ← input.
    for (let k = 0; k < L; k++) {
      lookahead(
        this.uP[k]!,
        this.uPOld[k]!,
        this.uPBreve[k]!,
        this.rPBreve[k]!,
        this.#tauP[k]! * taur,
        dt,
        this.#logistic[k] ? undefined : this.#phi[k]!.phi,
      );
    }
    for (let h = 0; h < H; h++) {
      lookahead(
        this.uI[h]!,
        this.uIOld[h]!,
        this.uIBreve[h]!,
        this.rIBreve[h]!,
        this.#tauI * taur,
        dt,
        this.#logistic[h + 1] ? undefined : this.#phi[h + 1]!.phi,
      );
    }
    const r0 = this.r0;
    for (let j = 0; j < r0.length; j++) r0[j] = input[inputOffset + j]!;

    // 5. Dendrites (row-blocked products: each row keeps its sequential sum, several rows run as
    // independent dependency chains).
    // W_{h+1} and WIP_h (both n_{h+2} × n_{h+1}) read the same rates r̆_h: one pass for both.
    matVec(this.WPP[0]!, r0, this.vBas[0]!, this.vBas[0]!.length, r0.length);
    for (let h = 0; h < H; h++) {
      const pre = this.rPBreve[h]!;
      matVecPair(
        this.WPP[h + 1]!,
        this.WIP[h]!,
        pre,
        this.vBas[h + 1]!,
        this.vDen[h]!,
        this.vDen[h]!.length,
        pre.length,
      );
      const rp = this.rPBreve[h + 1]!;
      matVec2(
        this.BPP[h]!,
        rp,
        this.BPI[h]!,
        this.rIBreve[h]!,
        this.vApi[h]!,
        this.vApi[h]!.length,
        rp.length,
      );
    }

    // 7. Somatic updates (use the noise of the previous step), applied at once: nothing below
    // reads u.
    {
      const tauI = this.#tauI, gnI = cfg.gnI;
      for (let h = 0; h < H; h++) {
        const u = this.uI[h]!, vd = this.vDen[h]!, ub = this.uPBreve[h + 1]!;
        for (let i = 0; i < u.length; i++) {
          const ueff = tauI * (gden * vd[i]! + gnI * ub[i]!);
          u[i] = u[i]! + dt * ((ueff - u[i]!) / tauI);
        }
      }
      for (let h = 0; h < H; h++) {
        const u = this.uP[h]!, vb = this.vBas[h]!, va = this.vApi[h]!, tau = this.#tauP[h]!;
        if (inject) {
          const xi = this.noise[h]!;
          for (let i = 0; i < u.length; i++) {
            const ueff = tau * (gbas * vb[i]! + gapi * (va[i]! + xi[i]!));
            u[i] = u[i]! + dt * ((ueff - u[i]!) / tau);
          }
        } else {
          for (let i = 0; i < u.length; i++) {
            const ueff = tau * (gbas * vb[i]! + gapi * va[i]!);
            u[i] = u[i]! + dt * ((ueff - u[i]!) / tau);
          }
        }
      }
      const u = this.uP[L - 1]!, vb = this.vBas[L - 1]!, tau = this.#tauP[L - 1]!;
      if (target) {
        const gntgt = cfg.gntgt;
        for (let i = 0; i < u.length; i++) {
          const ueff = tau * (gbas * vb[i]! + gntgt * target[targetOffset + i]!);
          u[i] = u[i]! + dt * ((ueff - u[i]!) / tau);
        }
      } else {
        const tn = this.#tauNoTgt;
        for (let i = 0; i < u.length; i++) {
          const ueff = tn * (gbas * vb[i]!);
          u[i] = u[i]! + dt * ((ueff - u[i]!) / tau);
        }
      }
    }

    // 6. PAL: advance the OU noise of every hidden layer.
    if (inject) {
      const rng = this.#noiseRng;
      if (!rng) throw new Error("Missing noise generator: PAL learning of B needs one");
      const tauxi = cfg.tauxi, inv = 1 / tauxi, sq = Math.sqrt(dt * tauxi), mdt = -dt;
      const g = this.#gauss;
      if (rng.fillNormal) rng.fillNormal(g, g.length);
      else for (let i = 0; i < g.length; i++) g[i] = rng.normal();
      for (let h = 0, o = 0; h < H; h++) {
        const xi = this.noise[h]!, s = cfg.noiseScale[h]!;
        for (let i = 0; i < xi.length; i++, o++) {
          const w = s * g[o]!;
          xi[i] = xi[i]! + inv * (mdt * xi[i]! + sq * w);
        }
      }
    }

    // 8. Forward plasticity: postsynaptic errors, outer products when learning.
    if (opts.learnWeights) this.#forwardErrors();
    // 9. BP: B = Wᵀ (of the weights before this step's update), BPI = −B.
    if (cfg.modelType === "BP") this.#copyTransposes();
    if (opts.learnWeights) {
      const lowPass = cfg.dWPPLowPass ?? pal;
      const lo = dt / cfg.tauLO;
      for (let k = 0; k < L; k++) {
        const W = this.WPP[k]!,
          e = this.errW[k]!,
          pre = k === 0 ? this.r0Old : this.rPBreveOld[k - 1]!;
        const c = dt * cfg.etaFw[k]!, m = pre.length;
        if (lowPass) lowPassUpdate(W, this.dWPPLO[k]!, e, pre, c, lo, e.length, m);
        else outerUpdate(W, e, pre, c, e.length, m);
      }
    }
    if (opts.learnLatWeights) {
      const cd = gden / (gl + gden);
      for (let h = 0; h < H; h++) {
        const eta = cfg.etaIP[h]!;
        if (eta !== 0) {
          const W = this.WIP[h]!,
            rI = this.rIBreve[h]!,
            vdo = this.vDenOld[h]!,
            pre = this.rPBreveOld[h]!;
          const phi = this.#phi[h + 1]!.phi, c = dt * eta, m = pre.length;
          for (let i = 0, o = 0; i < rI.length; i++, o += m) {
            const ei = rI[i]! - phi(cd * vdo[i]!);
            for (let j = 0; j < m; j++) W[o + j] = W[o + j]! + c * (ei * pre[j]!);
          }
        }
      }
    }
    // ΔBPI = dt η_PI (−v_api,old) ⊗ r̆^I_old and, PAL (10–11), ΔB = dt η_bw (ξ ⊗ r^HP_{h+1} − α B)
    // when learning B. BPI and B have the same shape and neither update reads the other, so when
    // both learn they share one pass.
    const learnB = pal && opts.learnBwWeights;
    if (opts.learnLatWeights || learnB) {
      const hp = cfg.pyrHiPass ?? true;
      for (let h = 0; h < H; h++) {
        const etaPI = opts.learnLatWeights ? cfg.etaPI[h]! : 0;
        const P = this.BPI[h]!, vao = this.vApiOld[h]!, preI = this.rIBreveOld[h]!;
        const cPI = dt * etaPI, m = preI.length;
        if (learnB) {
          const B = this.BPP[h]!, xi = this.noise[h]!;
          const pre = hp ? this.rPBreveHI[h + 1]! : this.rPBreve[h + 1]!;
          const c1 = dt * cfg.etaBw[h]!, c2 = dt * cfg.alpha[h]! * cfg.etaBw[h]!;
          if (etaPI !== 0) updateBPIAndB(P, B, vao, xi, preI, pre, cPI, c1, c2, xi.length, m);
          else {
            for (let i = 0, o = 0; i < xi.length; i++, o += m) {
              const x = xi[i]!;
              for (let j = 0; j < m; j++) {
                const b = B[o + j]!;
                B[o + j] = b + (c1 * (x * pre[j]!) - c2 * b);
              }
            }
          }
        } else if (etaPI !== 0) {
          for (let i = 0, o = 0; i < vao.length; i++, o += m) {
            const ei = -vao[i]!;
            for (let j = 0; j < m; j++) P[o + j] = P[o + j]! + cPI * (ei * preI[j]!);
          }
        }
      }
    }

    // 13. PAL: high-pass of the rates.
    if (pal) {
      const c = dt / cfg.tauHP;
      for (let k = 0; k < L; k++) {
        const hp = this.rPBreveHI[k]!, r = this.rPBreve[k]!, ro = this.rPBreveOld[k]!;
        for (let i = 0; i < hp.length; i++) hp[i] = hp[i]! + ((r[i]! - ro[i]!) - c * hp[i]!);
      }
    }
    this.steps++;
  }

  /**
   * The full dynamic state (see {@linkcode MicrocircuitState}), copied: a model built with the same
   * config that loads it with {@linkcode Microcircuit.loadState} continues exactly as this one.
   *
   * @returns The state, JSON-safe.
   *
   * @example Save, reload into a fresh model, continue: the same as running on
   * ```ts
   * import { Microcircuit } from "@plasticity/microcircuit/model";
   * const cfg = {
   *   layers: [2, 3, 2], dt: 0.01, modelType: "FA" as const, activation: "logistic" as const,
   *   gl: 0.03, gbas: 0.1, gapi: 0.06, gden: 0.1, gnI: 0.06, gntgt: 0.06,
   *   etaFw: [1, 1], etaBw: [0], etaIP: [0], etaPI: [0], alpha: [0], noiseScale: [0],
   *   tauxi: 0.1, tauHP: 0.1, tauLO: 100,
   * };
   * const init = {
   *   uP: [[0.1, 0.2, 0.3], [0.4, 0.5]], uI: [[0, 0]],
   *   WPP: [[1, -1, 0.5, 0.2, -0.3, 0.7], [0.4, -0.2, 0.1, -0.5, 0.3, 0.9]],
   *   WIP: [[0, 0, 0, 0, 0, 0]], BPP: [[1, 0, 0, 1, 1, 1]], BPI: [[0, 0, 0, 0, 0, 0]],
   * };
   * const learn = { learnWeights: true, learnLatWeights: true, learnBwWeights: true };
   * const a = new Microcircuit(cfg, init), b = new Microcircuit(cfg, init);
   * for (let i = 0; i < 50; i++) a.step([0.3, 0.8], [0.6, 0.2], learn);
   * b.loadState(JSON.parse(JSON.stringify(a.saveState())));
   * for (let i = 0; i < 50; i++) (a.step([0.3, 0.8], [0.6, 0.2], learn), b.step([0.3, 0.8], [0.6, 0.2], learn));
   * console.assert(a.WPP[0]![0] === b.WPP[0]![0] && a.uP[1]![1] === b.uP[1]![1] && b.steps === 100);
   * ```
   */
  saveState(): MicrocircuitState {
    const arrays: Record<string, string[]> = {};
    for (const name of MICROCIRCUIT_STATE_ARRAYS) {
      arrays[name] = (this[name] as Float64Array[]).map((a) => f64ToBase64(a));
    }
    const rng = this.#noiseRng;
    return {
      layers: [...this.layers],
      steps: this.steps,
      arrays,
      r0: [f64ToBase64(this.r0), f64ToBase64(this.r0Old)],
      rng: rng?.getState ? rng.getState() : null,
    };
  }

  /**
   * Restores a state from {@linkcode Microcircuit.saveState} (of a model with the same layers),
   * the noise generator's included when the state has one.
   *
   * @param state The state.
   * @throws {Error} When the layers or an array's size differ, or the state has a generator
   *   state that this model's generator cannot take.
   */
  loadState(state: MicrocircuitState): void {
    if (state.layers.join() !== this.layers.join()) {
      throw new Error(
        `Invalid microcircuit state: layers ${JSON.stringify(state.layers)}, expected ${
          JSON.stringify(this.layers)
        }`,
      );
    }
    for (const name of MICROCIRCUIT_STATE_ARRAYS) {
      const own = this[name] as Float64Array[], saved = state.arrays[name];
      if (!saved || saved.length !== own.length) {
        throw new Error(
          `Invalid microcircuit state: expected ${own.length} arrays for ${name}, got ${
            saved?.length ?? "none"
          }`,
        );
      }
      own.forEach((a, k) => base64ToF64(saved[k]!, a, `${name}[${k}]`));
    }
    base64ToF64(state.r0[0], this.r0, "r0");
    base64ToF64(state.r0[1], this.r0Old, "r0Old");
    this.steps = state.steps;
    if (state.rng !== null && state.rng !== undefined) {
      const rng = this.#noiseRng;
      if (!rng?.setState) {
        throw new Error(
          "Invalid microcircuit state: it has a noise generator state but this model's generator cannot load one",
        );
      }
      rng.setState(state.rng);
    }
  }

  #forwardErrors(): void {
    const L = this.nLayers, { gl, gbas, gapi } = this.config;
    for (let k = 0; k < L; k++) {
      const e = this.errW[k]!, r = this.rPBreve[k]!, vo = this.vBasOld[k]!, phi = this.#phi[k]!.phi;
      const c = k === L - 1 ? gbas / (gl + gbas) : gbas / (gl + gbas + gapi);
      for (let i = 0; i < e.length; i++) e[i] = r[i]! - phi(c * vo[i]!);
    }
  }

  /**
   * The forward update ΔW_k of the last step (not low-passed):
   * dt η_fw,k (r̆_k − φ(ĝ v_bas,old,k)) ⊗ r_pre,old.
   *
   * @param k Pyramidal layer.
   * @param out Where to write it (n_{k+1} × n_k); allocated when omitted.
   * @returns `out`.
   */
  lastDeltaW(k: number, out?: Float64Array): Float64Array {
    this.#forwardErrors();
    const e = this.errW[k]!, pre = k === 0 ? this.r0Old : this.rPBreveOld[k - 1]!;
    const c = this.config.dt * this.config.etaFw[k]!, m = pre.length;
    const o = out ?? new Float64Array(e.length * m);
    for (let i = 0; i < e.length; i++) {
      for (let j = 0; j < m; j++) o[i * m + j] = c * (e[i]! * pre[j]!);
    }
    return o;
  }
}

/**
 * Lookahead and rates of one population, then u_old ← u: ŭ = u_old + τ(u − u_old)/dt, r̆ = φ(ŭ)
 * (the logistic through `fastExp` when `phi` is undefined).
 */
function lookahead(
  u: Float64Array,
  uo: Float64Array,
  ub: Float64Array,
  r: Float64Array,
  tau: number,
  dt: number,
  phi: ((x: number) => number) | undefined,
): void {
  if (phi === undefined) {
    for (let i = 0; i < u.length; i++) {
      const ui = u[i]!, uoi = uo[i]!;
      const b = uoi + tau * (ui - uoi) / dt;
      ub[i] = b;
      r[i] = 1 / (1 + fastExp(-b));
      uo[i] = ui;
    }
  } else {
    for (let i = 0; i < u.length; i++) {
      const ui = u[i]!, uoi = uo[i]!;
      const b = uoi + tau * (ui - uoi) / dt;
      ub[i] = b;
      r[i] = phi(b);
      uo[i] = ui;
    }
  }
}

/**
 * Low-passed forward update, four rows at a time: Δ̄W += lo (c (e ⊗ pre) − Δ̄W), then W += Δ̄W
 * (W, D rows × cols).
 */
function lowPassUpdate(
  W: Float64Array,
  D: Float64Array,
  e: Float64Array,
  pre: Float64Array,
  c: number,
  lo: number,
  rows: number,
  cols: number,
): void {
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const o0 = i * cols, o1 = o0 + cols, o2 = o1 + cols, o3 = o2 + cols;
    const e0 = e[i]!, e1 = e[i + 1]!, e2 = e[i + 2]!, e3 = e[i + 3]!;
    for (let j = 0; j < cols; j++) {
      const pj = pre[j]!;
      const D0 = D[o0 + j]!, D1 = D[o1 + j]!, D2 = D[o2 + j]!, D3 = D[o3 + j]!;
      const d0 = D0 + lo * (c * (e0 * pj) - D0);
      const d1 = D1 + lo * (c * (e1 * pj) - D1);
      const d2 = D2 + lo * (c * (e2 * pj) - D2);
      const d3 = D3 + lo * (c * (e3 * pj) - D3);
      D[o0 + j] = d0;
      D[o1 + j] = d1;
      D[o2 + j] = d2;
      D[o3 + j] = d3;
      W[o0 + j] = W[o0 + j]! + d0;
      W[o1 + j] = W[o1 + j]! + d1;
      W[o2 + j] = W[o2 + j]! + d2;
      W[o3 + j] = W[o3 + j]! + d3;
    }
  }
  for (; i < rows; i++) {
    const o = i * cols, ei = e[i]!;
    for (let j = 0; j < cols; j++) {
      const d = D[o + j]! + lo * (c * (ei * pre[j]!) - D[o + j]!);
      D[o + j] = d;
      W[o + j] = W[o + j]! + d;
    }
  }
}

/** W += c (e ⊗ pre) for W of shape rows × cols, four rows at a time. */
function outerUpdate(
  W: Float64Array,
  e: Float64Array,
  pre: Float64Array,
  c: number,
  rows: number,
  cols: number,
): void {
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const o0 = i * cols, o1 = o0 + cols, o2 = o1 + cols, o3 = o2 + cols;
    const e0 = e[i]!, e1 = e[i + 1]!, e2 = e[i + 2]!, e3 = e[i + 3]!;
    for (let j = 0; j < cols; j++) {
      const pj = pre[j]!;
      W[o0 + j] = W[o0 + j]! + c * (e0 * pj);
      W[o1 + j] = W[o1 + j]! + c * (e1 * pj);
      W[o2 + j] = W[o2 + j]! + c * (e2 * pj);
      W[o3 + j] = W[o3 + j]! + c * (e3 * pj);
    }
  }
  for (; i < rows; i++) {
    const o = i * cols, ei = e[i]!;
    for (let j = 0; j < cols; j++) W[o + j] = W[o + j]! + c * (ei * pre[j]!);
  }
}

/**
 * One pass over BPI and B (both rows × cols, row-major), four rows at a time:
 * BPI += cPI (−v_api,old ⊗ r̆^I_old) and B += c1 (ξ ⊗ r^HP) − c2 B, element by element with the
 * operations of the single updates.
 */
function updateBPIAndB(
  P: Float64Array,
  B: Float64Array,
  vao: Float64Array,
  xi: Float64Array,
  preI: Float64Array,
  pre: Float64Array,
  cPI: number,
  c1: number,
  c2: number,
  rows: number,
  cols: number,
): void {
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const o0 = i * cols, o1 = o0 + cols, o2 = o1 + cols, o3 = o2 + cols;
    const e0 = -vao[i]!, e1 = -vao[i + 1]!, e2 = -vao[i + 2]!, e3 = -vao[i + 3]!;
    const x0 = xi[i]!, x1 = xi[i + 1]!, x2 = xi[i + 2]!, x3 = xi[i + 3]!;
    for (let j = 0; j < cols; j++) {
      const pij = preI[j]!, pj = pre[j]!;
      P[o0 + j] = P[o0 + j]! + cPI * (e0 * pij);
      P[o1 + j] = P[o1 + j]! + cPI * (e1 * pij);
      P[o2 + j] = P[o2 + j]! + cPI * (e2 * pij);
      P[o3 + j] = P[o3 + j]! + cPI * (e3 * pij);
      const b0 = B[o0 + j]!, b1 = B[o1 + j]!, b2 = B[o2 + j]!, b3 = B[o3 + j]!;
      B[o0 + j] = b0 + (c1 * (x0 * pj) - c2 * b0);
      B[o1 + j] = b1 + (c1 * (x1 * pj) - c2 * b1);
      B[o2 + j] = b2 + (c1 * (x2 * pj) - c2 * b2);
      B[o3 + j] = b3 + (c1 * (x3 * pj) - c2 * b3);
    }
  }
  for (; i < rows; i++) {
    const o = i * cols, ei = -vao[i]!, x = xi[i]!;
    for (let j = 0; j < cols; j++) {
      P[o + j] = P[o + j]! + cPI * (ei * preI[j]!);
      const b = B[o + j]!;
      B[o + j] = b + (c1 * (x * pre[j]!) - c2 * b);
    }
  }
}

/** out = W x for W of shape rows × cols (row-major), four rows at a time. */
function matVec(
  W: Float64Array,
  x: Float64Array,
  out: Float64Array,
  rows: number,
  cols: number,
): void {
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const o0 = i * cols, o1 = o0 + cols, o2 = o1 + cols, o3 = o2 + cols;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = 0; j < cols; j++) {
      const xj = x[j]!;
      s0 += W[o0 + j]! * xj;
      s1 += W[o1 + j]! * xj;
      s2 += W[o2 + j]! * xj;
      s3 += W[o3 + j]! * xj;
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
  }
  for (; i < rows; i++) {
    const o = i * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += W[o + j]! * x[j]!;
    out[i] = s;
  }
}

/** outA = A x and outB = B x for A, B of shape rows × cols, four rows at a time. */
function matVecPair(
  A: Float64Array,
  B: Float64Array,
  x: Float64Array,
  outA: Float64Array,
  outB: Float64Array,
  rows: number,
  cols: number,
): void {
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const o0 = i * cols, o1 = o0 + cols, o2 = o1 + cols, o3 = o2 + cols;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
    for (let j = 0; j < cols; j++) {
      const xj = x[j]!;
      a0 += A[o0 + j]! * xj;
      a1 += A[o1 + j]! * xj;
      a2 += A[o2 + j]! * xj;
      a3 += A[o3 + j]! * xj;
      b0 += B[o0 + j]! * xj;
      b1 += B[o1 + j]! * xj;
      b2 += B[o2 + j]! * xj;
      b3 += B[o3 + j]! * xj;
    }
    outA[i] = a0;
    outA[i + 1] = a1;
    outA[i + 2] = a2;
    outA[i + 3] = a3;
    outB[i] = b0;
    outB[i + 1] = b1;
    outB[i + 2] = b2;
    outB[i + 3] = b3;
  }
  for (; i < rows; i++) {
    const o = i * cols;
    let a = 0, b = 0;
    for (let j = 0; j < cols; j++) {
      const xj = x[j]!;
      a += A[o + j]! * xj;
      b += B[o + j]! * xj;
    }
    outA[i] = a;
    outB[i] = b;
  }
}

/** out = A x + B y (the two products summed separately, then added), four rows at a time. */
function matVec2(
  A: Float64Array,
  x: Float64Array,
  B: Float64Array,
  y: Float64Array,
  out: Float64Array,
  rows: number,
  cols: number,
): void {
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const o0 = i * cols, o1 = o0 + cols, o2 = o1 + cols, o3 = o2 + cols;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
    for (let j = 0; j < cols; j++) {
      const xj = x[j]!, yj = y[j]!;
      a0 += A[o0 + j]! * xj;
      a1 += A[o1 + j]! * xj;
      a2 += A[o2 + j]! * xj;
      a3 += A[o3 + j]! * xj;
      b0 += B[o0 + j]! * yj;
      b1 += B[o1 + j]! * yj;
      b2 += B[o2 + j]! * yj;
      b3 += B[o3 + j]! * yj;
    }
    out[i] = a0 + b0;
    out[i + 1] = a1 + b1;
    out[i + 2] = a2 + b2;
    out[i + 3] = a3 + b3;
  }
  for (; i < rows; i++) {
    const o = i * cols;
    let a = 0, b = 0;
    for (let j = 0; j < cols; j++) {
      a += A[o + j]! * x[j]!;
      b += B[o + j]! * y[j]!;
    }
    out[i] = a + b;
  }
}
