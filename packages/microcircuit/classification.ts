/**
 * Classification with the dendritic microcircuit, following the protocol and hyper-parameters of
 * the PAL GeNN code (`pal_microcircuits_genn`): each sample is held for `t_pattern` (1 ms); during
 * training the output is nudged towards the target voltages 1.0 (correct class) / 0.1 (others)
 * and all weights learn; every epoch starts with a validation pass without learning or teaching,
 * and after the last epoch a final validation and a test pass follow. The prediction of a sample
 * is the argmax of the mean output ŭ over records 2–5 of its 5 records. The OU noise runs whenever
 * `noise_sig` > 0 (also in validation and test, as in GeNN). Forward updates are low-passed with
 * `tau_w_ff` for every model type (GeNN's δ synapse).
 *
 * The neuron and synapse dynamics are those of {@linkcode Microcircuit} (the numpy model's per-step
 * order), not GeNN's one-step synaptic transmission delay; initial weights are drawn in GeNN's
 * order (forward U(±up) per layer as pre × post, then B U(±down)) from `NumpyRandomState(seed)`,
 * and the lateral weights start in the self-predicting state.
 *
 * @module
 */
import { NumpyRandomState } from "@plasticity/core/mt19937";
import { FastNumpyStream } from "./_fast_numpy.ts";
import { angleToTranspose } from "./metrics.ts";
import { Microcircuit, type ModelType } from "./model.ts";

/** GeNN-style hyper-parameters (names as in the GeNN YAML configs). */
export interface ClassifierParams {
  /** Layer sizes, e.g. `[4, 30, 3]` (yin-yang) or `[784, 100, 10]` (MNIST). */
  dims: number[];
  /** `PAL` (noise-driven B), `FA` (fixed B) or `BP` (B = Wᵀ). */
  "model_type": ModelType;
  /** η of forward weights, indexed by presynaptic level. */
  "eta_up": number[];
  /** η of B, indexed by postsynaptic level (entry 0 unused). */
  "eta_down": number[];
  /** η of pyramid-to-interneuron weights, indexed by level − 1. */
  "eta_ip": number[];
  /** η of interneuron-to-apical weights, indexed by level − 1. */
  "eta_pi": number[];
  /** PAL regulariser α. */
  alpha: number;
  /** OU noise σ (0 = none). */
  "noise_sig": number;
  /** OU noise time constant (ms). */
  "noise_tau": number;
  /** High-pass time constant (ms). */
  "highpass_tau": number;
  /** Low-pass time constant of forward updates (ms). */
  "tau_w_ff": number;
  /** Euler step (ms). */
  dt: number;
  /** Presentation time per sample (ms). */
  "t_pattern": number;
  /** Records per sample (accuracy uses records 2 … last). */
  "recs_per_sample": number;
  /** Epochs. */
  "n_epochs": number;
  /** Target voltage of the correct class. */
  uhigh: number;
  /** Target voltage of the other classes. */
  ulow: number;
  /** Forward weights start U(−up, up). */
  "init_up": number;
  /** B starts U(−down, down). */
  "init_down": number;
  /** Conductances. */
  gl: number;
  /** Basal conductance. */
  gb: number;
  /** Apical conductance. */
  ga: number;
  /** Interneuron dendritic conductance. */
  gd: number;
  /** Interneuron nudging conductance. */
  gsom: number;
  /** Target nudging conductance. */
  gtar: number;
}

/** The GeNN `sweep_yin_yang_le_backw` (PAL) configuration. */
export const YIN_YANG_PAL: Readonly<ClassifierParams> = Object.freeze({
  dims: [4, 30, 3],
  "model_type": "PAL",
  "eta_up": [50, 0.01],
  "eta_down": [0, 0.5],
  "eta_ip": [0.05, 0],
  "eta_pi": [0.02, 0],
  alpha: 1e-6,
  "noise_sig": 0.01,
  "noise_tau": 0.1,
  "highpass_tau": 0.1,
  "tau_w_ff": 100,
  dt: 0.01,
  "t_pattern": 1,
  "recs_per_sample": 5,
  "n_epochs": 400,
  uhigh: 1,
  ulow: 0.1,
  "init_up": 0.1,
  "init_down": 1,
  gl: 0.03,
  gb: 0.1,
  ga: 0.06,
  gd: 0.1,
  gsom: 0.06,
  gtar: 0.06,
}) as Readonly<ClassifierParams>;

/** The GeNN `sweep_mnist_backw` (PAL) configuration. */
export const MNIST_PAL: Readonly<ClassifierParams> = Object.freeze({
  ...YIN_YANG_PAL,
  dims: [784, 100, 10],
  "eta_up": [1, 0.005],
  "eta_down": [0, 0.2],
  "eta_ip": [0.02, 0],
  "eta_pi": [0.02, 0],
  "n_epochs": 100,
}) as Readonly<ClassifierParams>;

/** One split: row-major inputs (rates) and class labels. */
export interface ClassSplit {
  /** `n × inputDim` input rates. */
  readonly x: ArrayLike<number>;
  /** Class per sample. */
  readonly labels: ArrayLike<number>;
  /** Number of samples. */
  readonly n: number;
}

/** Train, validation and test splits. */
export interface ClassData {
  /** Training samples. */
  readonly train: ClassSplit;
  /** Validation samples. */
  readonly validation: ClassSplit;
  /** Test samples. */
  readonly test: ClassSplit;
}

/** Outcome of one pass over a split. */
export interface PassResult {
  /** Fraction of samples whose argmax of the mean output equals the label. */
  accuracy: number;
  /** √mean((ŭ_out − target)²) over samples and outputs, with the mean output per sample. */
  error: number;
}

/** Model constants of a classifier configuration, for {@linkcode Microcircuit}. */
function classifierModel(p: ClassifierParams, seed: number): Microcircuit {
  const d = p.dims, L = d.length - 1, H = L - 1;
  const np = new NumpyRandomState(seed);
  // Forward weights drawn as pre × post (GeNN's storage), stored post × pre.
  const W = Array.from({ length: L }, (_, k) => {
    const pre = d[k]!, post = d[k + 1]!, w = new Float64Array(pre * post);
    for (let i = 0; i < pre; i++) {
      for (let j = 0; j < post; j++) w[j * pre + i] = np.uniform(-p.init_up, p.init_up);
    }
    return w;
  });
  // B: from layer h+1 (pre) to layer h (post), drawn pre × post, stored post × pre.
  const B = Array.from({ length: H }, (_, h) => {
    const pre = d[h + 2]!, post = d[h + 1]!, b = new Float64Array(pre * post);
    for (let i = 0; i < pre; i++) {
      for (let j = 0; j < post; j++) b[j * pre + i] = np.uniform(-p.init_down, p.init_down);
    }
    return b;
  });
  const staticPI = !p.eta_down.some((e) => e > 0); // GeNN freezes i2p when no B learns
  const mc = new Microcircuit({
    layers: d,
    dt: p.dt,
    modelType: p.model_type,
    activation: "logistic",
    gl: p.gl,
    gbas: p.gb,
    gapi: p.ga,
    gden: p.gd,
    gnI: p.gsom,
    gntgt: p.gtar,
    etaFw: p.eta_up,
    etaBw: Array.from({ length: H }, (_, h) => p.eta_down[h + 1] ?? 0),
    etaIP: Array.from({ length: H }, (_, h) => p.eta_ip[h] ?? 0),
    etaPI: Array.from({ length: H }, (_, h) => (staticPI ? 0 : p.eta_pi[h] ?? 0)),
    alpha: Array.from({ length: H }, () => p.alpha),
    noiseScale: Array.from({ length: H }, () => p.noise_sig),
    tauxi: p.noise_tau,
    tauHP: p.highpass_tau,
    tauLO: p.tau_w_ff,
    dWPPLowPass: true,
  }, {
    uP: d.slice(1).map((n) => new Float64Array(n)),
    uI: d.slice(2).map((n) => new Float64Array(n)),
    WPP: W,
    WIP: Array.from({ length: H }, (_, h) => new Float64Array(d[h + 2]! * d[h + 1]!)),
    BPP: B,
    BPI: B.map((b) => b.map((x) => -x)),
  }, new FastNumpyStream(seed));
  mc.setSelfPredictingState();
  return mc;
}

/** A configured classification run. */
export interface ClassifierRun {
  /** The microcircuit. */
  readonly mc: Microcircuit;
  /** One pass over a split: learning and teaching when `train`, else neither. */
  pass(split: ClassSplit, train: boolean): PassResult;
  /**
   * The GeNN schedule: per epoch a validation pass then a training pass, then a final validation
   * and the test pass. Calls `onRecord` after each epoch (`epoch`, `val_accuracy`, `val_error`,
   * `angle_B_WT_<h>`, measured after that epoch's training) and once at the end (`test_accuracy`,
   * `test_error`). Accuracy during training is not reported: the teacher nudges the output there.
   */
  run(data: ClassData, onRecord?: (r: Record<string, number>) => void): Record<string, number>;
}

/**
 * Prepares a classifier run.
 *
 * @param params The configuration (e.g. {@linkcode YIN_YANG_PAL} with fewer epochs).
 * @param seed GeNN's `numpy_seed` (initial weights, noise and shuffling).
 * @returns The run.
 *
 * @example
 * ```ts
 * import { createClassifier, YIN_YANG_PAL } from "@plasticity/microcircuit/classification";
 * const c = createClassifier({ ...YIN_YANG_PAL, n_epochs: 1 }, 123456);
 * const split = { x: [0.2, 0.5, 0.8, 0.5, 0.7, 0.3, 0.3, 0.7], labels: [0, 1], n: 2 };
 * const r = c.pass(split, false);
 * console.assert(r.accuracy >= 0 && r.accuracy <= 1);
 * ```
 */
export function createClassifier(params: ClassifierParams, seed: number): ClassifierRun {
  const p = params;
  const d = p.dims, L = d.length - 1, n0 = d[0]!, nOut = d[L]!;
  if (p.recs_per_sample < 2) {
    throw new Error(`Invalid recs_per_sample ${p.recs_per_sample}: expected at least 2`);
  }
  if (p.eta_up.length < L) {
    throw new Error(
      `Invalid eta_up ${JSON.stringify(p.eta_up)}: expected ${L} entries for dims ${
        JSON.stringify(d)
      }`,
    );
  }
  const mc = classifierModel(p, seed);
  const shuffler = new FastNumpyStream((seed + 1) >>> 0);
  const steps = Math.round(p.t_pattern / p.dt);
  const every = Math.round(steps / p.recs_per_sample);
  if (every < 1 || every * p.recs_per_sample !== steps) {
    throw new Error(
      `Invalid recs_per_sample ${p.recs_per_sample}: expected a divisor of t_pattern/dt = ${steps}`,
    );
  }
  const noise = p.model_type === "PAL" && p.noise_sig > 0;
  const input = new Float64Array(n0),
    target = new Float64Array(nOut),
    mean = new Float64Array(nOut);
  const learn = {
    learnWeights: true,
    learnLatWeights: true,
    learnBwWeights: true,
    injectNoise: noise,
  };
  const frozen = {
    learnWeights: false,
    learnLatWeights: false,
    learnBwWeights: false,
    injectNoise: noise,
  };

  const pass = (split: ClassSplit, train: boolean): PassResult => {
    const order = Int32Array.from({ length: split.n }, (_, i) => i);
    shuffler.shuffle(order);
    let correct = 0, sq = 0;
    for (let s = 0; s < split.n; s++) {
      const idx = order[s]!, label = split.labels[idx]!;
      for (let j = 0; j < n0; j++) input[j] = split.x[idx * n0 + j]!;
      for (let j = 0; j < nOut; j++) target[j] = j === label ? p.uhigh : p.ulow;
      mean.fill(0);
      for (let i = 1; i <= steps; i++) {
        mc.step(input, train ? target : null, train ? learn : frozen);
        if (i % every === 0 && i / every >= 2) {
          const u = mc.uPBreve[L - 1]!;
          for (let j = 0; j < nOut; j++) mean[j] = mean[j]! + u[j]!;
        }
      }
      let best = 0;
      for (let j = 0; j < nOut; j++) {
        mean[j] = mean[j]! / (p.recs_per_sample - 1);
        if (mean[j]! > mean[best]!) best = j;
        sq += (mean[j]! - (j === label ? p.uhigh : p.ulow)) ** 2;
      }
      if (best === label) correct++;
    }
    return { accuracy: correct / split.n, error: Math.sqrt(sq / (split.n * nOut)) };
  };

  const angles = (rec: Record<string, number>) => {
    for (let h = 0; h < L - 1; h++) {
      rec[`angle_B_WT_${h}`] = angleToTranspose(mc.BPP[h]!, mc.WPP[h + 1]!, d[h + 1]!, d[h + 2]!);
    }
    return rec;
  };

  const run = (data: ClassData, onRecord?: (r: Record<string, number>) => void) => {
    for (let e = 0; e < p.n_epochs; e++) {
      const val = pass(data.validation, false);
      pass(data.train, true);
      onRecord?.(angles({ epoch: e, "val_accuracy": val.accuracy, "val_error": val.error }));
    }
    const val = pass(data.validation, false);
    const test = pass(data.test, false);
    const summary = angles({
      epoch: p.n_epochs,
      "val_accuracy": val.accuracy,
      "val_error": val.error,
      "test_accuracy": test.accuracy,
      "test_error": test.error,
    });
    onRecord?.(summary);
    return summary;
  };
  return { mc, pass, run };
}
