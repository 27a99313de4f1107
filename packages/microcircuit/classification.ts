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
 * `step_order: "genn"` (the default) steps a {@linkcode GennMicrocircuit}: GeNN's order, with a
 * one-step synaptic delay at every connection, the lateral rules and their δs as in GeNN, and
 * GeNN's stream of numpy draws: `np.random.seed(seed)`, forward weights U(±up) per layer drawn
 * pre × post (input → hidden first), then B U(±down) from the top layer down, then one
 * `shuffle` per pass from the same stream. Records are taken after steps 0, 20, …, 80 of each
 * sample (the first, still showing the previous sample, is left out), as GeNN's recorder does. The
 * OU noise (GeNN's own generator there) comes from a numpy stream seeded with seed + 1.
 *
 * `step_order: "numpy"` keeps the earlier path: the dynamics of {@linkcode Microcircuit} (the numpy
 * model's per-step order, no transmission delay), the same initial weights, noise from a numpy
 * stream seeded with `seed` and shuffles from one seeded with seed + 1.
 *
 * @module
 */
import { NumpyRandomState } from "@plasticity/core/mt19937";
import { FastNumpyStream, type NumpyStreamState } from "./_fast_numpy.ts";
import { angleToTranspose } from "./metrics.ts";
import { GennMicrocircuit } from "./genn_network.ts";
import { Microcircuit, type MicrocircuitState, type ModelType } from "./model.ts";

/** Which step kernel a classifier uses: GeNN's order or the numpy reference's. */
export type StepOrder = "genn" | "numpy";

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
  /** Low-pass time constant of the pyramid-to-interneuron updates (ms; GeNN order; default dt). */
  "tau_w_ip"?: number;
  /** Low-pass time constant of the interneuron-to-apical updates (ms; GeNN order; default dt). */
  "tau_w_pi"?: number;
  /** Step kernel: `genn` (default) or `numpy`. */
  "step_order"?: StepOrder;
  /**
   * GeNN order only: step every input synapse's δ low-pass every step, bit for bit the recurrence
   * (default `false`: blank inputs' synapses are caught up in closed form, equal up to rounding).
   */
  "exact_decay"?: boolean;
  /** Leak conductance. */
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
  "tau_w_ip": 0.01,
  "tau_w_pi": 0.01,
  "step_order": "genn",
  "exact_decay": false,
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

/**
 * The GeNN `sweep_yin_yang_le_fa` configuration: no learning of B or of the interneuron-to-apical
 * weights, no noise.
 */
export const YIN_YANG_FA: Readonly<ClassifierParams> = Object.freeze({
  ...YIN_YANG_PAL,
  "model_type": "FA",
  "eta_down": [0, 0],
  "eta_pi": [0, 0],
  "noise_sig": 0,
}) as Readonly<ClassifierParams>;

/** The GeNN `sweep_mnist_fa` configuration. */
export const MNIST_FA: Readonly<ClassifierParams> = Object.freeze({
  ...MNIST_PAL,
  "model_type": "FA",
  "eta_down": [0, 0],
  "eta_pi": [0, 0],
  "noise_sig": 0,
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

/**
 * Initial weights in GeNN's order of draws from `uniform(low, high)` calls: forward weights
 * U(−up, up) per layer from the input up, each drawn as a pre × post matrix, then B U(−down, down)
 * from the top layer down (pre = layer h+1, post = layer h), also pre × post. Returned post × pre.
 */
function drawWeights(
  p: ClassifierParams,
  uniform: (low: number, high: number) => number,
): { W: Float64Array[]; B: Float64Array[] } {
  const d = p.dims, L = d.length - 1, H = L - 1;
  const draw = (pre: number, post: number, lim: number) => {
    const w = new Float64Array(pre * post);
    for (let i = 0; i < pre; i++) {
      for (let j = 0; j < post; j++) w[j * pre + i] = uniform(-lim, lim);
    }
    return w;
  };
  const W = Array.from({ length: L }, (_, k) => draw(d[k]!, d[k + 1]!, p.init_up));
  const B = new Array<Float64Array>(H);
  for (let h = H - 1; h >= 0; h--) B[h] = draw(d[h + 2]!, d[h + 1]!, p.init_down);
  return { W, B };
}

/** The numpy-order model of a classifier configuration ({@linkcode Microcircuit}). */
function numpyOrderModel(p: ClassifierParams, seed: number): Microcircuit {
  const d = p.dims, L = d.length - 1, H = L - 1;
  const np = new NumpyRandomState(seed);
  const { W, B } = drawWeights(p, (lo, hi) => np.uniform(lo, hi));
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

/**
 * The GeNN-order network of a classifier configuration, with its weights drawn from `rng` (which
 * then goes on to shuffle the passes) and the lateral weights in the self-predicting state.
 */
function gennOrderModel(p: ClassifierParams, rng: FastNumpyStream, seed: number): GennMicrocircuit {
  const d = p.dims, L = d.length - 1, H = L - 1;
  const { W, B } = drawWeights(p, (lo, hi) => rng.uniform(lo, hi));
  return new GennMicrocircuit(
    {
      dims: d,
      dt: p.dt,
      modelType: p.model_type,
      gl: p.gl,
      gb: p.gb,
      ga: p.ga,
      gd: p.gd,
      gsom: p.gsom,
      gtar: p.gtar,
      etaW: p.eta_up,
      etaB: Array.from({ length: H }, (_, h) => p.eta_down[h + 1] ?? 0),
      etaIP: Array.from({ length: H }, (_, h) => p.eta_ip[h] ?? 0),
      etaPI: Array.from({ length: H }, (_, h) => p.eta_pi[h] ?? 0),
      alpha: p.alpha,
      noiseSig: p.noise_sig,
      noiseTau: p.noise_tau,
      tauHP: p.highpass_tau,
      tauW: p.tau_w_ff,
      tauIP: p.tau_w_ip ?? p.dt,
      tauPI: p.tau_w_pi ?? p.dt,
      exactDecay: p.exact_decay ?? false,
    },
    { W, B },
    p.noise_sig > 0 ? new FastNumpyStream((seed + 1) >>> 0) : null,
  );
}

/** A configured classification run. */
export interface ClassifierRun {
  /** The step kernel in use. */
  readonly stepOrder: StepOrder;
  /** The numpy-order microcircuit (`step_order: "numpy"`), else `null`. */
  readonly mc: Microcircuit | null;
  /** The GeNN-order network (`step_order: "genn"`), else `null`. */
  readonly net: GennMicrocircuit | null;
  /** One pass over a split: learning and teaching when `train`, else neither. */
  pass(split: ClassSplit, train: boolean): PassResult;
  /**
   * The GeNN schedule: per epoch a validation pass then a training pass, then a final validation
   * and the test pass. Calls `onRecord` after each epoch (`epoch`, `val_accuracy`, `val_error`,
   * `angle_B_WT_<h>`, measured after that epoch's training) and once at the end (`test_accuracy`,
   * `test_error`). Accuracy during training is not reported: the teacher nudges the output there.
   */
  run(
    data: ClassData,
    onRecord?: (r: Record<string, number>) => void,
    from?: ClassifierState,
  ): Record<string, number>;
  /**
   * The run's state after `epochs` epochs of {@linkcode ClassifierRun.run} (call it from the
   * epoch's `onRecord`): the network and the shuffling generator. `run(data, onRecord, state)` of
   * a classifier with the same parameters and seed continues from there, emitting the records of
   * the later epochs exactly as the uninterrupted run does.
   */
  saveState(epochs: number): ClassifierState;
}

export type { NumpyStreamState };

/** A classifier run's state after some epochs ({@linkcode ClassifierRun.saveState}), JSON-safe. */
export interface ClassifierState {
  /** Epochs done. */
  epochs: number;
  /** The network's state. */
  model: MicrocircuitState;
  /** The shuffling generator's state. */
  shuffler: NumpyStreamState;
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
 * console.assert(c.stepOrder === "genn" && r.accuracy >= 0 && r.accuracy <= 1);
 * ```
 */
export function createClassifier(params: ClassifierParams, seed: number): ClassifierRun {
  const p = params;
  const d = p.dims, L = d.length - 1, n0 = d[0]!, nOut = d[L]!;
  const order = p.step_order ?? "genn";
  if (order !== "genn" && order !== "numpy") {
    throw new Error(`Invalid step_order ${JSON.stringify(order)}: expected "genn" or "numpy"`);
  }
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
  const steps = Math.round(p.t_pattern / p.dt);
  const every = Math.round(steps / p.recs_per_sample);
  if (every < 1 || every * p.recs_per_sample !== steps) {
    throw new Error(
      `Invalid recs_per_sample ${p.recs_per_sample}: expected a divisor of t_pattern/dt = ${steps}`,
    );
  }
  const input = new Float64Array(n0),
    target = new Float64Array(nOut),
    mean = new Float64Array(nOut);
  const load = (split: ClassSplit, idx: number) => {
    const label = split.labels[idx]!;
    for (let j = 0; j < n0; j++) input[j] = split.x[idx * n0 + j]!;
    for (let j = 0; j < nOut; j++) target[j] = j === label ? p.uhigh : p.ulow;
    return label;
  };

  let mc: Microcircuit | null = null, net: GennMicrocircuit | null = null;
  let shuffler: FastNumpyStream;
  // Runs the steps of one sample and leaves the mean output of records 2 … last in `mean`.
  let sample: (train: boolean) => void;
  if (order === "numpy") {
    const m = mc = numpyOrderModel(p, seed);
    shuffler = new FastNumpyStream((seed + 1) >>> 0);
    const noise = p.model_type === "PAL" && p.noise_sig > 0;
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
    sample = (train) => {
      for (let i = 1; i <= steps; i++) {
        m.step(input, train ? target : null, train ? learn : frozen);
        if (i % every === 0 && i / every >= 2) {
          const u = m.uPBreve[L - 1]!;
          for (let j = 0; j < nOut; j++) mean[j] = mean[j]! + u[j]!;
        }
      }
    };
  } else {
    // np.random.seed(numpy_seed): the initial weights, then every pass's shuffle
    shuffler = new FastNumpyStream(seed >>> 0);
    const g = net = gennOrderModel(p, shuffler, seed);
    sample = (train) => {
      for (let i = 0; i < steps; i++) {
        g.step(input, train ? target : null, train);
        if (i % every === 0 && i >= every) {
          const u = g.uBreve[L - 1]!;
          for (let j = 0; j < nOut; j++) mean[j] = mean[j]! + u[j]!;
        }
      }
    };
  }

  const pass = (split: ClassSplit, train: boolean): PassResult => {
    const perm = Int32Array.from({ length: split.n }, (_, i) => i);
    shuffler.shuffle(perm);
    if (net !== null && split.n > 0) {
      load(split, perm[0]!);
      net.resetInput(input, train ? target : null); // GeNN resets its rate players per pass
    }
    let correct = 0, sq = 0;
    for (let s = 0; s < split.n; s++) {
      const idx = perm[s]!, label = load(split, idx);
      mean.fill(0);
      sample(train);
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
      const B = net !== null ? net.B[h]! : mc!.BPP[h]!;
      const W = net !== null ? net.W[h + 1]! : mc!.WPP[h + 1]!;
      rec[`angle_B_WT_${h}`] = angleToTranspose(B, W, d[h + 1]!, d[h + 2]!);
    }
    return rec;
  };

  const saveState = (epochs: number): ClassifierState => ({
    epochs,
    model: net !== null ? net.saveState() : mc!.saveState(),
    shuffler: shuffler.getState(),
  });
  const run = (
    data: ClassData,
    onRecord?: (r: Record<string, number>) => void,
    from?: ClassifierState,
  ) => {
    let start = 0;
    if (from !== undefined) {
      if (!Number.isInteger(from.epochs) || from.epochs < 0 || from.epochs > p.n_epochs) {
        throw new Error(
          `Invalid classifier state: ${from.epochs} epochs done, expected an integer in [0, ${p.n_epochs}]`,
        );
      }
      if (net !== null) net.loadState(from.model);
      else mc!.loadState(from.model);
      shuffler.setState(from.shuffler);
      start = from.epochs;
    }
    for (let e = start; e < p.n_epochs; e++) {
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
  return { stepOrder: order, mc, net, pass, run, saveState };
}
