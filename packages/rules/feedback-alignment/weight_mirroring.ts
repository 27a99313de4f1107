/**
 * Weight mirroring (`wm`; Akrout, Wilson, Humphreys, Lillicrap & Tweed 2019, "Deep learning without
 * weight transport"; BioTorch's `weight_mirroring` mode): feedback alignment whose Bᵢ learns,
 * in a separate _mirror mode_, to point along Wᵢᵀ.
 *
 * In mirror mode every layer is driven by its own white noise x = σξ (m × fanIn, ξ ~ N(0, 1)), its
 * output is y = xWᵢ (m × fanOut; no bias, no nonlinearity), and Bᵢ — stored like Wᵢ, fanIn × fanOut,
 * i.e. the Wᵢᵀ of column notation — takes the Hebbian product of the layer's input and output
 * activity, minus a decay:
 *
 *   Bᵢ ← (1 − λ_WM)·Bᵢ + η_WM·xᵀy = (1 − λ_WM)·Bᵢ + η_WM·xᵀx·Wᵢ.
 *
 * Since E[xᵀx] = mσ²·I, E[η_WM·xᵀy] = η_WM·m·σ²·Wᵢ: on average every mirror step adds a multiple
 * of Wᵢ, so Bᵢ turns towards Wᵢ (Bᵢ → Wᵢᵀ up to scale in column notation); with λ_WM > 0 and Wᵢ
 * fixed, E[Bᵢ] → (η_WM·m·σ²/λ_WM)·Wᵢ. With `growth_control` (BioTorch's default in training),
 * after each step Bᵢ ← d·Bᵢ / s, where s is the mean over output units of the sample std of
 * ξ′Bᵢ for fresh unit noise ξ′ (m × fanIn), so that B's outputs keep std ≈ d ("damping").
 *
 * BioTorch runs one mirror step on every layer after each optimiser step, with as many noise
 * samples as the training batch has (here too: m = the batch's rows), η_WM = 0.01, σ = 0.1,
 * growth control on, d = 0.5. Its mirror step calls the layer itself, which adds the bias to y;
 * the bias contributes xᵀ1bᵀ, of zero mean, and is left out here. Its trainer's optional
 * warm-up (mirror steps before training) is `mirror_warmup` (not repeated after a restore from a
 * checkpoint, which brings B along). With `mirror_steps: 0` and no
 * warm-up the rule is `fa` step for step (same seed, same matrices).
 *
 * Per layer and mirror step that is three products of m × fanIn × fanOut multiply–adds (a
 * backprop step has two of that size) and 2·m·fanIn normals, BioTorch's amount of work; on
 * backends with raw buffers the learner does it in place, keeping Bᵢ's decay and growth-control
 * rescaling as a pending scale (Bᵢ is handed out scaled, so looking at it changes nothing).
 *
 * @module
 */
import {
  type Backend,
  createRng,
  deriveSeed,
  fillNormal,
  type HyperSchema,
  type LearnerDefinition,
  type RawKernels,
  registerLearner,
  type ResolvedLearnerOptions,
  type Rng,
  type StepStats,
  type Tensor,
  type WeightArray,
} from "@plasticity/core";
import { type FeedbackPath, MlpLearner } from "@plasticity/backprop";
import { faFeedback } from "./fa.ts";
import { FEEDBACK_HYPER, type FeedbackHyper } from "./feedback_init.ts";

/** The mirror-mode settings of weight mirroring. */
export interface MirrorSettings {
  /** Mirror learning rate η_WM. */
  "mirror_lr": number;
  /** Amplitude σ of the noise that drives each layer. */
  "mirror_noise": number;
  /** Decay λ_WM of B per mirror step. */
  "mirror_decay": number;
  /** Rescale B after each step so that its outputs to unit noise have std `damping`. */
  "growth_control": boolean;
  /** Target std d of growth control. */
  "damping": number;
}

/** Resolved hyper-parameters of `wm`. */
export interface WeightMirrorHyper extends FeedbackHyper, MirrorSettings {
  /** Mirror steps on every layer after each training step (0: none, the rule is FA). */
  "mirror_steps": number;
  /** Mirror steps before the first training step (BioTorch's warm-up). */
  "mirror_warmup": number;
}

/** The settings schema of `wm`: FA's feedback initialisation plus the mirror mode. */
export const WEIGHT_MIRROR_HYPER: HyperSchema = {
  ...FEEDBACK_HYPER,
  "mirror_lr": {
    type: "number",
    default: 0.01,
    min: 0,
    doc: "mirror learning rate η_WM of B ← (1 − λ_WM)B + η_WM·xᵀy (BioTorch 0.01)",
  },
  "mirror_noise": {
    type: "number",
    default: 0.1,
    above: 0,
    doc:
      "amplitude σ of the white noise x = σξ that drives each layer in mirror mode (BioTorch 0.1)",
  },
  "mirror_decay": {
    type: "number",
    default: 0,
    min: 0,
    max: 1,
    doc:
      "decay λ_WM of B per mirror step (Akrout et al. 2019; BioTorch uses growth_control instead)",
  },
  "growth_control": {
    type: "boolean",
    default: true,
    doc:
      "after each mirror step rescale B so its outputs to unit noise have std `damping` (BioTorch)",
  },
  "damping": {
    type: "number",
    default: 0.5,
    above: 0,
    doc: "target std d of growth control (BioTorch damping_factor 0.5)",
  },
  "mirror_steps": {
    type: "number",
    default: 1,
    min: 0,
    integer: true,
    doc:
      "mirror steps on every layer after each training step, noise batch = the training batch (0: FA)",
  },
  "mirror_warmup": {
    type: "number",
    default: 0,
    min: 0,
    integer: true,
    doc: "mirror steps on every layer before the first training step (BioTorch's warm-up)",
  },
};

/** An m × n matrix of independent N(0, s²) draws. */
function gaussian(b: Backend, rng: Rng, m: number, n: number, s: number): Tensor {
  return b.fromArray(fillNormal(new Float32Array(m * n), rng, s), m, n);
}

/** Mean over the columns of y (m × n, row-major) of each column's sample standard deviation. */
function meanColumnStd(v: Float32Array, m: number, n: number): number {
  let total = 0;
  for (let j = 0; j < n; j++) {
    let s = 0, s2 = 0;
    for (let i = 0; i < m; i++) {
      const a = v[i * n + j]!;
      s += a;
      s2 += a * a;
    }
    total += Math.sqrt(Math.max(0, (s2 - (s * s) / m) / (m - 1)));
  }
  return total / n;
}

function checkMirrorBatch(m: number, settings: MirrorSettings): void {
  if (!(Number.isInteger(m) && m >= 1) || (settings.growth_control && m < 2)) {
    throw new Error(
      `Invalid mirror batch ${JSON.stringify(m)}: expected an integer ≥ ${
        settings.growth_control ? "2 (growth control takes a sample std)" : "1"
      }`,
    );
  }
}

function growthScale(s: number, settings: MirrorSettings): number {
  if (!(s > 0)) {
    throw new Error(
      `Growth control got outputs of std ${s}: expected a positive std (B is zero or not finite)`,
    );
  }
  return settings.damping / s;
}

/** The noise and product buffers of the in-place mirror step of one layer. */
class MirrorBuffers {
  readonly x: Float32Array;
  readonly y: Float32Array;

  constructor(readonly m: number, fanIn: number, fanOut: number) {
    this.x = new Float32Array(m * fanIn);
    this.y = new Float32Array(m * fanOut);
  }
}

/** Beyond these, a pending scale is applied to the stored matrix before it drifts further. */
const SCALE_MIN = 1e-6, SCALE_MAX = 1e6;

/** B ← c·B in place. */
function scaleInPlace(B: Float32Array, c: number): void {
  for (let k = 0; k < B.length; k++) B[k] = B[k]! * c;
}

/**
 * The mirror step on raw storage, where the true matrix is c·B (B fanIn × fanOut, overwritten):
 * x = σξ into `buf.x`, y = xW into `buf.y`; with c′ = (1 − λ)·c, B ← B + xᵀ(η/c′·y) (one sgemm
 * accumulating into B), so that c′·B = (1 − λ)·cB + η·xᵀy; then with growth control ξ′ into
 * `buf.x`, ξ′B into `buf.y`, s = c′·(mean column std of ξ′B) and the new scale d/s·c′. Returns
 * the new scale: the decay and growth control's rescaling cost no pass over B (the scale is
 * applied to B here only when it leaves [10⁻⁶, 10⁶]). Three products of m × fanIn × fanOut
 * multiply–adds and 2·m·fanIn normals; nothing allocated.
 */
function mirrorInPlace(
  raw: RawKernels,
  B: Float32Array,
  W: Float32Array,
  fanIn: number,
  fanOut: number,
  buf: MirrorBuffers,
  settings: MirrorSettings,
  rng: Rng,
  c: number,
): number {
  const { x, y, m } = buf;
  fillNormal(x, rng, settings.mirror_noise);
  y.fill(0);
  raw.gemmInto(x, W, y, { m, k: fanIn, n: fanOut });
  let scale = c * (1 - settings.mirror_decay);
  if (!(scale >= SCALE_MIN && scale <= SCALE_MAX)) {
    scaleInPlace(B, scale);
    scale = 1;
  }
  const a = settings.mirror_lr / scale;
  for (let k = 0; k < y.length; k++) y[k] = y[k]! * a;
  raw.gemmInto(x, y, B, { m: fanIn, k: m, n: fanOut, transA: true });
  if (!settings.growth_control) return scale;
  fillNormal(x, rng, 1);
  y.fill(0);
  raw.gemmInto(x, B, y, { m, k: fanIn, n: fanOut });
  return scale * growthScale(scale * meanColumnStd(y, m, fanOut), settings);
}

/**
 * FA's feedback path whose matrices carry a pending scale each (Bᵢ's true value is
 * scales[i]·Bᵢ): the signal through Bᵢ is scaled after the product, and Bᵢ is handed out or
 * stood in as a scaled copy, so that looking at B never changes the stored matrices (nor,
 * through rounding, the training trajectory). A replaced Bᵢ has scale 1.
 */
function scaledPath(inner: FeedbackPath, scales: number[], b: Backend): FeedbackPath {
  const scaled = (i: number, t: Tensor) => {
    const c = scales[i] ?? 1;
    return c === 1 ? t : b.scale(t, c);
  };
  return {
    signal: (i, delta, deltaOut) => scaled(i, inner.signal(i, delta, deltaOut)),
    matrices: () =>
      Object.fromEntries(
        Object.entries(inner.matrices()).map(([key, t]) => [key, scaled(Number(key.slice(1)), t)]),
      ),
    setMatrix: (key, value) => {
      inner.setMatrix(key, value);
      const k = /^B(\d+)$/.exec(key);
      if (k) scales[Number(k[1])] = 1;
    },
    standIn: (i) => {
      const t = inner.standIn?.(i);
      return t && scaled(i, t);
    },
    dispose: () => inner.dispose(),
  };
}

/**
 * One mirror step of one layer: with x = σξ (m × fanIn) and y = xW,
 * B ← (1 − λ_WM)·B + η_WM·xᵀy, then, with growth control, B ← d·B / s (s: the mean over output
 * units of the sample std of ξ′B for fresh unit noise ξ′, m × fanIn). The noise is drawn with
 * {@linkcode fillNormal}: first x's m·fanIn normals, then ξ′'s.
 *
 * @param b The backend.
 * @param B The feedback matrix, stored like W (fanIn × fanOut).
 * @param W The layer's forward weights (fanIn × fanOut).
 * @param m Noise samples (the training batch size in BioTorch; at least 2 with growth control).
 * @param settings η_WM, σ, λ_WM, growth control and d.
 * @param rng The noise source.
 * @returns The new B (a new tensor; B is left as it was).
 *
 * @example E[xᵀy] = mσ²·W: from B = 0 the mean step points along W
 * ```ts
 * import { createRng, jsBackend as b } from "@plasticity/core";
 * import { mirrorStep } from "@plasticity/feedback-alignment";
 * const W = b.fromArray([1, -2, 0.5, 3], 2, 2), zero = b.zeros(2, 2), rng = createRng(0);
 * const settings = { mirror_lr: 1, mirror_noise: 1, mirror_decay: 0, growth_control: false, damping: 0.5 };
 * const B = mirrorStep(b, zero, W, 20000, settings, rng); // one step of 20 000 samples
 * const w = b.read(W), got = b.read(B).map((v) => v / 20000); // ≈ W
 * console.assert(got.every((v, k) => Math.abs(v - w[k]!) < 0.1));
 * ```
 */
export function mirrorStep(
  b: Backend,
  B: Tensor,
  W: Tensor,
  m: number,
  settings: MirrorSettings,
  rng: Rng,
): Tensor {
  checkMirrorBatch(m, settings);
  const raw = b.raw;
  if (raw) {
    const next = raw.data(B).slice();
    const buf = new MirrorBuffers(m, W.rows, W.cols);
    const c = mirrorInPlace(raw, next, raw.data(W), W.rows, W.cols, buf, settings, rng, 1);
    if (c !== 1) scaleInPlace(next, c);
    return raw.wrap(next, B.rows, B.cols);
  }
  return b.tidy(() => {
    const x = gaussian(b, rng, m, W.rows, settings.mirror_noise);
    const y = b.matmul(x, W);
    const decayed = settings.mirror_decay === 0 ? B : b.scale(B, 1 - settings.mirror_decay);
    const next = b.axpy(settings.mirror_lr, b.matmul(x, y, true, false), decayed);
    if (!settings.growth_control) return next;
    const z = b.matmul(gaussian(b, rng, m, W.rows, 1), next);
    return b.scale(next, growthScale(meanColumnStd(b.read(z), z.rows, z.cols), settings));
  });
}

/**
 * The weight-mirroring learner: FA's multilayer perceptron (signal δᵢBᵢᵀ, local weight updates)
 * followed, after every training step, by `mirror_steps` mirror steps of every layer's Bᵢ with
 * the updated Wᵢ ({@linkcode mirrorStep}), with as many noise samples as the batch has rows.
 */
export class WeightMirrorLearner extends MlpLearner {
  readonly #hyper: WeightMirrorHyper;
  readonly #rng: Rng;
  readonly #buffers: (MirrorBuffers | undefined)[] = [];
  /** Bᵢ's pending scale (its true value is scale·Bᵢ), shared with the feedback path. */
  readonly #scales: number[];
  /** FA's path inside `path`: the stored matrices, their scales still pending. */
  readonly #fa: FeedbackPath;
  #warm = false;

  /**
   * Builds the network, its FA feedback path and the mirror mode's noise source.
   *
   * @param options The resolved learner options (hyper-parameters: {@linkcode WEIGHT_MIRROR_HYPER}).
   */
  constructor(options: ResolvedLearnerOptions) {
    const h = options.hyper as unknown as WeightMirrorHyper, scales: number[] = [];
    const fa = faFeedback(h, options), inner: FeedbackPath[] = [];
    super({
      rule: "wm",
      options,
      feedback: (mlp, rng) => {
        inner.push(fa(mlp, rng));
        return scaledPath(inner[0]!, scales, mlp.backend);
      },
    });
    this.#fa = inner[0]!;
    this.#scales = scales;
    this.#hyper = h;
    this.#rng = createRng(deriveSeed(options.seed, "mirror"));
  }

  /**
   * Runs `steps` mirror steps of every layer with noise batches of `m` samples. On backends with
   * raw buffers (`js`, `blas`) each step overwrites the layer's B in place (the same arithmetic as
   * {@linkcode mirrorStep}, without allocating).
   *
   * @param steps Mirror steps.
   * @param m Noise samples per step.
   */
  mirror(steps: number, m: number): void {
    const b = this.backend, W = this.mlp.W, path = this.path, raw = b.raw;
    if (steps > 0) checkMirrorBatch(m, this.#hyper);
    for (let t = 0; t < steps; t++) {
      for (let i = 0; i < W.length; i++) {
        const w = W[i]!;
        if (!raw) {
          const B = path.matrices()[`B${i}`]!;
          path.setMatrix(`B${i}`, mirrorStep(b, B, w, m, this.#hyper, this.#rng));
          continue;
        }
        // B is this learner's own matrix: the step overwrites it, into buffers kept per layer,
        // and leaves its scale pending.
        let buf = this.#buffers[i];
        if (buf?.m !== m) buf = this.#buffers[i] = new MirrorBuffers(m, w.rows, w.cols);
        const B = this.#fa.matrices()[`B${i}`]!;
        this.#scales[i] = mirrorInPlace(
          raw,
          raw.data(B),
          raw.data(w),
          w.rows,
          w.cols,
          buf,
          this.#hyper,
          this.#rng,
          this.#scales[i] ?? 1,
        );
      }
    }
  }

  /**
   * Restores W, b and B (a checkpoint or `init_from`): the warm-up counts as done, since B
   * comes with the weights. The noise stream is not part of a checkpoint; it continues from
   * this learner's seed.
   *
   * @param weights Matrices by key, as {@linkcode MlpLearner.exportWeights} gives them.
   */
  override importWeights(weights: Record<string, WeightArray>): void {
    super.importWeights(weights);
    this.#warm = true;
  }

  /**
   * One FA step on the batch, then the mirror steps (the warm-up before the first).
   *
   * @param x Inputs, batch × sizes[0].
   * @param y Targets, batch × sizes[L].
   * @returns The batch loss before the update.
   */
  override trainBatch(x: Tensor, y: Tensor): StepStats {
    if (!this.#warm) {
      this.#warm = true;
      this.mirror(this.#hyper.mirror_warmup, x.rows);
    }
    const stats = super.trainBatch(x, y);
    this.mirror(this.#hyper.mirror_steps, x.rows);
    return stats;
  }
}

/**
 * Weight mirroring, registered as `wm`: FA whose Bᵢ learn in mirror mode after every step
 * (see the module description and {@linkcode WEIGHT_MIRROR_HYPER}).
 *
 * @example The mirror mode turns B towards W
 * ```ts
 * import { createLearner, jsBackend as b } from "@plasticity/feedback-alignment";
 * const net = createLearner("wm", {
 *   network: { sizes: [4, 6, 2], activation: "tanh" },
 *   optimizer: { name: "sgd", lr: 0 },
 *   hyper: { mirror_steps: 50 },
 *   backend: b,
 *   seed: 0,
 * });
 * const before = net.diagnostics().angle_W_BT_1!;
 * net.trainBatch(b.zeros(32, 4), b.zeros(32, 2));
 * console.assert(net.diagnostics().angle_W_BT_1! < before);
 * ```
 */
export const wmRule: LearnerDefinition = registerLearner({
  name: "wm",
  family: "feedback-alignment",
  description:
    "Weight mirroring: FA whose B learns Wᵀ in a mirror mode (noise-driven layers, ΔB = η·xᵀy)",
  hyper: WEIGHT_MIRROR_HYPER,
  optimizer: true,
  create(options) {
    return new WeightMirrorLearner(options);
  },
});
