/**
 * Optimisers on backend tensors: SGD (with optional momentum) and Adam, both with decoupled
 * weight decay p ← (1 − λ)·p − η·u, and an optional learning-rate schedule η(e) stepped once per
 * epoch (see {@linkcode scheduledLr}).
 *
 * @module
 */
import type { SectionField } from "./hyper.ts";
import {
  checkLrSchedule,
  LR_SCHEDULE_SECTION,
  type LrScheduleSpec,
  scheduledLr,
} from "./lr_schedule.ts";
import type { Backend, RawKernels, Tensor } from "./tensor.ts";

/** Optimiser settings. */
export interface OptimizerSpec {
  /** `sgd` or `adam`. */
  name: "sgd" | "adam";
  /** Initial learning rate η₀ (the rate throughout without a `schedule`). */
  lr: number;
  /** SGD momentum μ (PyTorch form v ← μv + g, p ← p − ηv). Default 0. */
  momentum?: number;
  /** Adam β₁ (default 0.9). */
  beta1?: number;
  /** Adam β₂ (default 0.999). */
  beta2?: number;
  /** Adam ε (default 1e-8). */
  eps?: number;
  /** Decoupled weight decay λ: p ← (1 − λ)·p − η·u. Default 0. */
  "weight_decay"?: number;
  /**
   * Coupled L2 penalty λ₂: the gradient g becomes g + λ₂·p before momentum or Adam's moments —
   * PyTorch's `weight_decay` of `torch.optim.SGD` and `torch.optim.Adam`. Absent: 0.
   */
  l2?: number;
  /** Learning-rate schedule stepped once per epoch; absent: η = `lr` throughout. */
  schedule?: LrScheduleSpec;
}

/** Optimiser names. */
export const OPTIMIZERS = ["sgd", "adam"] as const;

const LR = { type: "number", default: 0.01, min: 0, doc: "learning rate η" } as const;
const DECAY = {
  type: "number",
  default: 0,
  min: 0,
  doc: "decoupled weight decay λ: p ← (1 − λ)·p − η·u",
} as const;
// Optional (absent: 0), so that configs without it keep their trial ids.
const L2 = {
  type: "number",
  optional: true,
  min: 0,
  doc:
    "coupled L2 penalty λ₂ (absent: 0): g ← g + λ₂·p before momentum or Adam (PyTorch's SGD and Adam weight_decay)",
} as const;

/**
 * The `optimizer` section of a config, declared once: `name` (`sgd`, the default, or `adam`),
 * `lr` (0.01), `weight_decay` (0); SGD's `momentum` (0); Adam's `beta1` (0.9), `beta2` (0.999)
 * and `eps` (1e-8); for both, an optional coupled `l2` penalty (left out when absent) and an
 * optional `schedule` ({@linkcode LR_SCHEDULE_SECTION}: `step`,
 * `exponential` or `multistep`), left out of the result when absent. Rules that set their own
 * rates do not take this section.
 *
 * @example
 * ```ts
 * import { OPTIMIZER_SECTION, resolveHyper } from "@plasticity/core";
 * const { optimizer } = resolveHyper({ optimizer: OPTIMIZER_SECTION }, { optimizer: { name: "adam" } }, "");
 * console.assert(JSON.stringify(optimizer) ===
 *   '{"name":"adam","lr":0.01,"beta1":0.9,"beta2":0.999,"eps":1e-8,"weight_decay":0}');
 * ```
 */
export const OPTIMIZER_SECTION: SectionField = {
  type: "section",
  doc: "optimiser of the weights",
  shorthand: "name",
  schema: {
    by: "name",
    default: "sgd",
    variants: {
      sgd: {
        lr: LR,
        momentum: {
          type: "number",
          default: 0,
          min: 0,
          max: 1,
          doc: "momentum μ (PyTorch form v ← μv + g, p ← p − ηv)",
        },
        "weight_decay": DECAY,
        l2: L2,
        schedule: LR_SCHEDULE_SECTION,
      },
      adam: {
        lr: LR,
        beta1: { type: "number", default: 0.9, min: 0, max: 1, doc: "Adam β₁" },
        beta2: { type: "number", default: 0.999, min: 0, max: 1, doc: "Adam β₂" },
        eps: { type: "number", default: 1e-8, above: 0, doc: "Adam ε" },
        "weight_decay": DECAY,
        l2: L2,
        schedule: LR_SCHEDULE_SECTION,
      },
    },
  },
};

interface SlotState {
  m?: Tensor;
  v?: Tensor;
  /** Adam's g² on backends with raw buffers: scratch kept from step to step. */
  g2?: Float32Array;
  t: number;
}

/**
 * Adam's step on a backend with raw buffers: m and v are updated in place (the optimiser alone
 * holds them) and u is returned as a fresh tensor. Each elementwise step is rounded to float32
 * as the backend's own operations round it, and the two accumulations go through the backend's
 * `axpyInPlace` (the arithmetic of its `axpy`), so the result equals the generic path's
 * m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², u = m̂ / (√v̂ + ε) bit for bit, in two loops and two
 * `axpyInPlace` passes with one allocation (u) instead of eleven allocating operations.
 */
function adamInPlace(
  b: Backend,
  raw: RawKernels,
  state: SlotState,
  g: Tensor,
  b1: number,
  b2: number,
  eps: number,
): Tensor {
  const gd = raw.data(g), n = gd.length, f = Math.fround;
  if (state.m && state.v) {
    const md = raw.data(state.m), vd = raw.data(state.v);
    const g2 = state.g2 && state.g2.length === n ? state.g2 : (state.g2 = new Float32Array(n));
    for (let i = 0; i < n; i++) {
      g2[i] = gd[i]! * gd[i]!;
      md[i] = md[i]! * b1;
      vd[i] = vd[i]! * b2;
    }
    b.axpyInPlace!(1 - b1, g, state.m);
    b.axpyInPlace!(1 - b2, raw.wrap(g2, g.rows, g.cols), state.v);
  } else {
    const md = new Float32Array(n), vd = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      md[i] = gd[i]! * (1 - b1);
      vd[i] = f(gd[i]! * gd[i]!) * (1 - b2);
    }
    if (state.m) b.dispose(state.m);
    if (state.v) b.dispose(state.v);
    state.m = raw.wrap(md, g.rows, g.cols);
    state.v = raw.wrap(vd, g.rows, g.cols);
  }
  const md = raw.data(state.m), vd = raw.data(state.v), ud = new Float32Array(n);
  const c1 = 1 / (1 - Math.pow(b1, state.t)), c2 = 1 / (1 - Math.pow(b2, state.t));
  for (let i = 0; i < n; i++) {
    ud[i] = f(md[i]! * c1) / f(f(Math.sqrt(f(vd[i]! * c2))) + eps);
  }
  return raw.wrap(ud, g.rows, g.cols);
}

/**
 * An optimiser with per-parameter state kept under string keys, and a count of completed epochs
 * that sets the learning rate {@linkcode Optimizer.lr} through the spec's `schedule` (learners
 * call {@linkcode Optimizer.endEpoch} from their own `endEpoch`).
 *
 * @example One SGD step
 * ```ts
 * import { jsBackend as b, Optimizer } from "@plasticity/core";
 * const opt = new Optimizer(b, { name: "sgd", lr: 0.5 });
 * const w = opt.update("w", b.fill(1, 1, 1), b.fill(1, 1, 2));
 * console.assert(b.read(w)[0] === 0);
 * ```
 *
 * @example A StepLR schedule halving the rate every 2 epochs
 * ```ts
 * import { jsBackend as b, Optimizer } from "@plasticity/core";
 * const opt = new Optimizer(b, { name: "sgd", lr: 0.5, schedule: { name: "step", step_size: 2, gamma: 0.5 } });
 * const rates = [];
 * for (let e = 0; e < 5; e++, opt.endEpoch()) rates.push(opt.lr);
 * console.assert(rates.join() === "0.5,0.5,0.25,0.25,0.125" && opt.epochsDone === 5);
 * ```
 */
export class Optimizer {
  /** The settings. */
  readonly spec: Readonly<OptimizerSpec>;
  #b: Backend;
  #slots = new Map<string, SlotState>();
  #epochs: number;

  /**
   * Makes an optimiser. The settings come validated by {@linkcode OPTIMIZER_SECTION} (through
   * `resolveLearnerConfig` or `resolveHyper`); only what the section cannot state is checked
   * here ({@linkcode checkLrSchedule}: strictly increasing `multistep` milestones).
   *
   * @param backend The backend of the parameters.
   * @param spec The settings.
   * @param epochsDone Completed epochs to start from (default 0), e.g. for a fresh optimiser
   * standing in for one mid-training.
   * @throws {SchemaError} On `multistep` milestones that are not strictly increasing.
   * @throws {RangeError} When `epochsDone` is not an integer ≥ 0.
   */
  constructor(backend: Backend, spec: OptimizerSpec, epochsDone = 0) {
    checkLrSchedule(spec.schedule);
    scheduledLr(spec.schedule, spec.lr, epochsDone); // throws on a bad epoch count
    this.#b = backend;
    const { schedule, ...rest } = spec;
    this.spec = schedule ? { ...rest, schedule: structuredClone(schedule) } : rest;
    this.#epochs = epochsDone;
  }

  /** Completed epochs counted by {@linkcode Optimizer.endEpoch}. */
  get epochsDone(): number {
    return this.#epochs;
  }

  /**
   * The learning rate η of the current epoch: `spec.lr` through the schedule,
   * {@linkcode scheduledLr}(`spec.schedule`, `spec.lr`, {@linkcode Optimizer.epochsDone}).
   */
  get lr(): number {
    return scheduledLr(this.spec.schedule, this.spec.lr, this.#epochs);
  }

  /** Marks one more epoch as completed, moving the rate along the schedule (if any). */
  endEpoch(): void {
    this.#epochs++;
  }

  /**
   * The update direction u for `grad` (before the learning rate), advancing the slot's state.
   * With `l2` (λ₂ > 0) the gradient is first penalised, g + λ₂·`param`, as PyTorch's SGD and
   * Adam do with their `weight_decay`. Two slots fed equal gradients (and no `l2`) produce equal
   * directions, so parameters updated with them keep a constant difference (Kolen–Pollack relies
   * on this).
   *
   * @param key The parameter's name.
   * @param grad Its gradient.
   * @param param The parameter itself; needed only with `l2`.
   * @returns u, with p ← (1 − λ)p − η u.
   * @throws {Error} When the spec has `l2` and `param` is missing.
   */
  direction(key: string, grad: Tensor, param?: Tensor): Tensor {
    const b = this.#b, s = this.spec, l2 = s.l2 ?? 0;
    if (l2 !== 0 && !param) {
      throw new Error(
        `Optimizer.direction("${key}"): optimizer.l2 is ${l2}: expected the parameter, to add λ₂·p to its gradient`,
      );
    }
    // g + λ₂·p: a new tensor with l2, else grad itself.
    const penalised = (): Tensor => (l2 === 0 ? grad : b.axpy(l2, param!, grad));
    let st = this.#slots.get(key);
    if (!st) {
      st = { t: 0 };
      this.#slots.set(key, st);
    }
    st.t++;
    if (s.name === "sgd") {
      const mu = s.momentum ?? 0;
      if (mu === 0) return penalised();
      const v = b.tidy(() => {
        const g = penalised();
        return st.v ? b.axpy(mu, st.v, g) : g;
      });
      if (st.v && st.v !== grad) b.dispose(st.v);
      st.v = b.keep(v);
      return v;
    }
    const b1 = s.beta1 ?? 0.9, b2 = s.beta2 ?? 0.999, eps = s.eps ?? 1e-8;
    const state = st;
    if (b.raw && b.axpyInPlace) {
      const g = penalised();
      const u = adamInPlace(b, b.raw, state, g, b1, b2, eps);
      if (g !== grad) b.dispose(g);
      return u;
    }
    const [m, v, u] = b.tidy(() => {
      const g = penalised();
      const m = state.m ? b.axpy(1 - b1, g, b.scale(state.m, b1)) : b.scale(g, 1 - b1);
      const g2 = b.mul(g, g);
      const v = state.v ? b.axpy(1 - b2, g2, b.scale(state.v, b2)) : b.scale(g2, 1 - b2);
      const mHat = b.scale(m, 1 / (1 - Math.pow(b1, state.t)));
      const vHat = b.scale(v, 1 / (1 - Math.pow(b2, state.t)));
      const u = b.div(mHat, b.addScalar(b.sqrt(vHat), eps));
      return [b.keep(m), b.keep(v), b.keep(u)] as const;
    });
    if (state.m) b.dispose(state.m);
    if (state.v) b.dispose(state.v);
    state.m = m;
    state.v = v;
    return u;
  }

  /**
   * One step on parameter `param` with gradient `grad`; returns the new parameter (the old one
   * is left to the caller).
   *
   * @param key The parameter's name (its optimiser state lives under it).
   * @param param The parameter.
   * @param grad Its gradient (same shape).
   * @returns (1 − λ)·param − η·u, with η = {@linkcode Optimizer.lr} (the scheduled rate).
   */
  update(key: string, param: Tensor, grad: Tensor): Tensor {
    const b = this.#b, s = this.spec, lr = this.lr;
    const u = this.direction(key, grad, param);
    const wd = s.weight_decay ?? 0;
    const out = b.tidy(() => b.axpy(-lr, u, wd === 0 ? param : b.scale(param, 1 - wd)));
    // u is grad itself, SGD's kept velocity, or a tensor made for this step (Adam's, or g + λ₂p).
    if (u !== grad && u !== this.#slots.get(key)?.v) b.dispose(u);
    return out;
  }

  /** Forgets all per-parameter state (the epoch count, and so the scheduled rate, is kept). */
  reset(): void {
    for (const st of this.#slots.values()) {
      if (st.m) this.#b.dispose(st.m);
      if (st.v) this.#b.dispose(st.v);
    }
    this.#slots.clear();
  }
}
