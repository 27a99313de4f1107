// The kernels of the predictive-coding loop, in two implementations with one protocol:
// `BufferOps` writes into preallocated Float32Array buffers through the backend's raw-buffer
// capability (`Backend.raw`: js and blas; one fused pass per operation, products into reused
// buffers), `TensorOps` uses only the Backend interface (any backend, TF.js included). Every kernel takes an optional `into` tensor that it may reuse
// (BufferOps) or must dispose (TensorOps); callers always store the returned tensor.
import {
  type Activation,
  type Backend,
  lossGrad,
  type LossSpec,
  lossValue,
  type RawKernels,
  scalarActivation,
  SimdArena,
  type Tensor,
} from "@plasticity/core";

/** The kernels the network needs. */
export interface Ops {
  readonly backend: Backend;
  /** A state-owned copy of `t`. */
  copy(t: Tensor, into?: Tensor): Tensor;
  /** A cached transpose of a weight matrix, when the implementation uses one. */
  transposed(w: Tensor, prev?: Tensor): Tensor | undefined;
  /** μ = a @ W (+ bias row). */
  predict(into: Tensor | undefined, a: Tensor, w: Tensor, bias: Tensor | undefined): Tensor;
  /**
   * ε = x − (a @ W + b) and ½Σε² in one pass after the product (the prediction itself is not
   * kept); `scratch` is a buffer for the product that may be reused.
   */
  predictError(
    into: Tensor | undefined,
    scratch: Tensor | undefined,
    a: Tensor,
    w: Tensor,
    bias: Tensor | undefined,
    x: Tensor,
  ): [Tensor, number, Tensor | undefined];
  /** e @ Wᵀ. */
  backProject(into: Tensor | undefined, e: Tensor, w: Tensor, wT: Tensor | undefined): Tensor;
  /** ε = x − μ and ½Σε². */
  error(into: Tensor | undefined, x: Tensor, mu: Tensor): [Tensor, number];
  /** ε_L = −∂ℓ/∂μ_L and ℓ for the output clamped through the loss (`loss` summed over the batch). */
  outputError(
    into: Tensor | undefined,
    mu: Tensor,
    y: Tensor,
    loss: LossSpec,
    fOut: Activation,
    slope: number,
  ): [Tensor, number];
  /** x ← x − γκ(ε − φ′(x) ⊙ back); a ← φ(x). */
  relax(
    x: Tensor,
    a: Tensor,
    eps: Tensor,
    back: Tensor,
    step: number,
    f: Activation,
    slope: number,
  ): [Tensor, Tensor];
  /** x ← x − γκ(ε + λ(x − y)) for a nudged output node; returns x and ½Σ(x − y)² before the step. */
  nudgeRelax(x: Tensor, eps: Tensor, y: Tensor, step: number, lambda: number): Tensor;
  /** ½Σ(x − y)². */
  halfSquaredDistance(x: Tensor, y: Tensor): number;
  /** δ = back ⊙ φ′(μ) (backpropagation). */
  delta(into: Tensor | undefined, back: Tensor, mu: Tensor, f: Activation, slope: number): Tensor;
  /** a = φ(μ) (never the same tensor as μ). */
  activate(into: Tensor | undefined, mu: Tensor, f: Activation, slope: number): Tensor;
  /**
   * scale · aᵀ ε: a fresh tensor for the optimiser, or written into `into` (BufferOps, when its
   * shape fits; the caller passes one only when the optimiser keeps nothing of the gradient).
   */
  gradW(a: Tensor, eps: Tensor, scale: number, into?: Tensor): Tensor;
  /** scale · Σ_rows ε (a fresh 1 × n tensor). */
  gradB(eps: Tensor, scale: number): Tensor;
  /** Frees a state tensor. */
  free(t: Tensor | undefined): void;
  /**
   * Called before a step on `rows` rows of a network whose layers 1…L have `width` units in all:
   * BufferOps makes room for that step's state buffers in one SIMD arena.
   */
  reserve(rows: number, width: number): void;
}

/** Picks the fused buffer kernels where the backend has raw buffers (`js`, `blas`), else generic. */
export function opsFor(backend: Backend): Ops {
  return backend.raw ? new BufferOps(backend, backend.raw) : new TensorOps(backend);
}

/** Fused kernels over the Float32Array storage of backends with raw buffers (`js`, `blas`). */
export class BufferOps implements Ops {
  readonly backend: Backend;
  readonly #raw: RawKernels;

  constructor(backend: Backend, raw: RawKernels) {
    this.backend = backend;
    this.#raw = raw;
  }

  /** a·w written into `into` (reused when its shape fits). */
  #product(into: Tensor | undefined, a: Tensor, w: Tensor): Tensor {
    const o = this.#buf(into, a.rows, w.cols), c = this.#d(o);
    c.fill(0);
    this.#raw.gemmInto(this.#d(a), this.#d(w), c, { m: a.rows, k: a.cols, n: w.cols });
    return o;
  }

  /**
   * A buffer of the given shape: `into` when it fits, else a new one — in the SIMD arena for the
   * state (row-shaped: value nodes, rates, predictions, errors), on the heap for matrices
   * (`state` false).
   */
  #buf(into: Tensor | undefined, rows: number, cols: number, state = true): Tensor {
    if (into && into.rows === rows && into.cols === cols) return into;
    const n = rows * cols;
    let storage: Float32Array;
    if (state && !this.#heap && 4 * n <= SimdArena.MAX_FLOATS) {
      if (!this.#arena || this.#arena.free < Math.ceil(n / 4) * 4) {
        this.#arena = new SimdArena(4 * n);
      }
      storage = this.#arena.alloc(n);
    } else storage = new Float32Array(n);
    return this.#raw.wrap(storage, rows, cols);
  }

  /** The arena of the state buffers (replaced when a step's buffers would not fit). */
  #arena: SimdArena | undefined;
  /** Whether the last reserved step was too large for an arena (its state then lives on the heap). */
  #heap = false;

  reserve(rows: number, width: number): void {
    // Room for every state buffer of a step (value nodes, rates, predictions, errors, feedback,
    // scratch: at most 8 per layer; the logistic's memo: 3 more), so that a step's new buffers
    // share one arena.
    const need = 11 * rows * width + 4 * 11 * width;
    this.#heap = 2 * need > SimdArena.MAX_FLOATS;
    if (!this.#heap && (!this.#arena || this.#arena.free < need)) {
      this.#arena = new SimdArena(2 * need);
    }
  }

  #d(t: Tensor): Float32Array {
    return this.#raw.data(t);
  }

  copy(t: Tensor, into?: Tensor): Tensor {
    const o = this.#buf(into, t.rows, t.cols);
    this.#d(o).set(this.#d(t));
    return o;
  }

  /** A transposed copy of w, kept where the backend's products would copy it on every call. */
  transposed(w: Tensor, prev?: Tensor): Tensor | undefined {
    if (!this.#raw.copiesTransposes) return undefined;
    const o = this.#buf(prev, w.cols, w.rows, false), s = this.#d(w), d = this.#d(o);
    const r = w.rows, c = w.cols;
    for (let i = 0; i < r; i++) {
      const io = i * c;
      for (let j = 0; j < c; j++) d[j * r + i] = s[io + j]!;
    }
    return o;
  }

  predict(into: Tensor | undefined, a: Tensor, w: Tensor, bias: Tensor | undefined): Tensor {
    const o = this.#product(into, a, w), d = this.#d(o);
    if (bias) {
      const bd = this.#d(bias), n = w.cols;
      for (let i = 0; i < a.rows; i++) {
        const io = i * n;
        for (let j = 0; j < n; j++) d[io + j]! += bd[j]!;
      }
    }
    return o;
  }

  predictError(
    into: Tensor | undefined,
    scratch: Tensor | undefined,
    a: Tensor,
    w: Tensor,
    bias: Tensor | undefined,
    x: Tensor,
  ): [Tensor, number, Tensor | undefined] {
    const t = this.#product(scratch, a, w), m = this.#d(t);
    const o = this.#buf(into, x.rows, x.cols), e = this.#d(o), xd = this.#d(x);
    let s = 0;
    if (bias) {
      const bd = this.#d(bias), n = w.cols;
      for (let i = 0; i < a.rows; i++) {
        const io = i * n;
        for (let j = 0; j < n; j++) {
          const v = (e[io + j] = xd[io + j]! - Math.fround(m[io + j]! + bd[j]!));
          s += v * v;
        }
      }
    } else {
      for (let i = 0; i < e.length; i++) {
        const v = (e[i] = xd[i]! - m[i]!);
        s += v * v;
      }
    }
    return [o, 0.5 * s, t];
  }

  backProject(into: Tensor | undefined, e: Tensor, w: Tensor, wT: Tensor | undefined): Tensor {
    const o = this.#buf(into, e.rows, w.rows), c = this.#d(o);
    c.fill(0);
    const m = e.rows, k = e.cols, n = w.rows;
    if (wT) this.#raw.gemmInto(this.#d(e), this.#d(wT), c, { m, k, n });
    else this.#raw.gemmInto(this.#d(e), this.#d(w), c, { m, k, n, transB: true });
    return o;
  }

  error(into: Tensor | undefined, x: Tensor, mu: Tensor): [Tensor, number] {
    const o = this.#buf(into, x.rows, x.cols), e = this.#d(o), xd = this.#d(x), md = this.#d(mu);
    let s = 0;
    for (let i = 0; i < e.length; i++) {
      const v = (e[i] = xd[i]! - md[i]!);
      s += v * v;
    }
    return [o, 0.5 * s];
  }

  outputError(
    into: Tensor | undefined,
    mu: Tensor,
    y: Tensor,
    loss: LossSpec,
    fOut: Activation,
    slope: number,
  ): [Tensor, number] {
    const o = this.#buf(into, mu.rows, mu.cols), e = this.#d(o);
    if (loss.kind === "mse" && fOut === "identity" && !loss.ignore_outputs?.length) {
      const md = this.#d(mu), yd = this.#d(y), half = loss.half ?? true;
      let s = 0;
      for (let i = 0; i < e.length; i++) {
        const v = yd[i]! - md[i]!;
        e[i] = half ? v : 2 * v;
        const r = Math.fround(v);
        s += r * r;
      }
      return [o, (half ? 0.5 : 1) * s];
    }
    const b = this.backend, sum: LossSpec = { ...loss, reduction: "sum" };
    const pred = b.activate(mu, fOut, slope);
    const g = b.mul(lossGrad(b, sum, pred, y), b.activateGrad(mu, fOut, slope));
    const gd = this.#d(g);
    for (let i = 0; i < e.length; i++) e[i] = -gd[i]!;
    return [o, lossValue(b, sum, pred, y)];
  }

  relax(
    x: Tensor,
    a: Tensor,
    eps: Tensor,
    back: Tensor,
    step: number,
    f: Activation,
    slope: number,
  ): [Tensor, Tensor] {
    const xd = this.#d(x), ad = this.#d(a), ed = this.#d(eps), bd = this.#d(back), n = xd.length;
    switch (f) {
      case "identity":
        for (let i = 0; i < n; i++) ad[i] = xd[i] = xd[i]! - step * (ed[i]! - bd[i]!);
        break;
      case "leakyRelu":
      case "relu": {
        // Branch-free: φ′(v) = s + (1 − s)·[v > 0], φ(v) = v·φ′(v) (signs are unpredictable).
        const s = f === "relu" ? 0 : slope, k = 1 - s;
        if (this.#arena?.owns(xd, ad, ed, bd)) {
          this.#arena.reluRelax(xd, ad, ed, bd, step, s);
          break;
        }
        for (let i = 0; i < n; i++) {
          const v = xd[i]!;
          const nv = Math.fround(v - step * (ed[i]! - (s + k * +(v > 0)) * bd[i]!));
          xd[i] = nv;
          ad[i] = nv * (s + k * +(nv > 0));
        }
        break;
      }
      case "sigmoid":
      case "tanh": {
        // φ′ from φ (s(1 − s), 1 − t²), with φ of each x remembered in float64 from the step that
        // set it: one exp per element instead of two, the same numbers (a remembered φ is used
        // only for the very value it was computed from).
        const arena = this.#arena;
        if (f === "sigmoid" && arena?.owns(xd, ad, ed, bd)) {
          arena.sigmoidRelax(xd, ad, ed, bd, step, this.#arenaMemo(x, n, arena));
          break;
        }
        const p = scalarActivation(f, slope).phi, memo = this.#phiMemo(x, n);
        const xs = memo.x, ph = memo.phi, logistic = f === "sigmoid";
        for (let i = 0; i < n; i++) {
          const v = xd[i]!;
          const s = xs[i] === v ? ph[i]! : p(v);
          const d = logistic ? s * (1 - s) : 1 - s * s;
          const nv = Math.fround(v - step * (ed[i]! - d * bd[i]!));
          const sn = p(nv);
          xd[i] = nv;
          ad[i] = sn;
          xs[i] = nv;
          ph[i] = sn;
        }
        break;
      }
      default: {
        const { dphi: g, phi: p } = scalarActivation(f, slope);
        for (let i = 0; i < n; i++) {
          const nv = Math.fround(xd[i]! - step * (ed[i]! - g(xd[i]!) * bd[i]!));
          xd[i] = nv;
          ad[i] = p(nv);
        }
      }
    }
    return [x, a];
  }

  /**
   * {@linkcode BufferOps.relax}, then ε = x − μ of the new x written into `eps` and ½Σε²: what
   * {@linkcode BufferOps.error} would give on the next step while μ stays put (the same values,
   * summed in the same order). ReLU and leaky ReLU do both in one pass.
   */
  relaxError(
    x: Tensor,
    a: Tensor,
    eps: Tensor,
    back: Tensor,
    step: number,
    f: Activation,
    slope: number,
    mu: Tensor,
  ): number {
    if (f !== "relu" && f !== "leakyRelu") {
      this.relax(x, a, eps, back, step, f, slope);
      return this.error(eps, x, mu)[1];
    }
    const xd = this.#d(x), ad = this.#d(a), ed = this.#d(eps), bd = this.#d(back), md = this.#d(mu);
    const s = f === "relu" ? 0 : slope, k = 1 - s;
    if (this.#arena?.owns(xd, ad, ed, bd, md)) {
      return 0.5 * this.#arena.reluRelaxError(xd, ad, ed, bd, md, step, s);
    }
    let sum = 0;
    for (let i = 0; i < xd.length; i++) {
      const v = xd[i]!;
      const nv = Math.fround(v - step * (ed[i]! - (s + k * +(v > 0)) * bd[i]!));
      xd[i] = nv;
      ad[i] = nv * (s + k * +(nv > 0));
      const e = (ed[i] = nv - md[i]!);
      sum += e * e;
    }
    return 0.5 * sum;
  }

  /** φ(x) in float64 of the values x last had in `relax`, per value-node tensor. */
  readonly #memo = new WeakMap<Tensor, { x: Float32Array; phi: Float64Array }>();

  /** {@linkcode #phiMemo} in the SIMD arena (a memo elsewhere is dropped: it only saves work). */
  #arenaMemo(x: Tensor, n: number, arena: SimdArena): { x: Float32Array; phi: Float64Array } {
    let m = this.#memo.get(x);
    if (!m || m.x.length !== n || !arena.owns(m.x)) {
      m = { x: arena.alloc(n).fill(NaN), phi: arena.allocF64(n) };
      this.#memo.set(x, m);
    }
    return m;
  }

  #phiMemo(x: Tensor, n: number): { x: Float32Array; phi: Float64Array } {
    let m = this.#memo.get(x);
    if (!m || m.x.length !== n) {
      m = { x: new Float32Array(n).fill(NaN), phi: new Float64Array(n) };
      this.#memo.set(x, m);
    }
    return m;
  }

  nudgeRelax(x: Tensor, eps: Tensor, y: Tensor, step: number, lambda: number): Tensor {
    const xd = this.#d(x), ed = this.#d(eps), yd = this.#d(y);
    for (let i = 0; i < xd.length; i++) {
      const v = xd[i]!;
      xd[i] = v - step * (ed[i]! + lambda * (v - yd[i]!));
    }
    return x;
  }

  halfSquaredDistance(x: Tensor, y: Tensor): number {
    const xd = this.#d(x), yd = this.#d(y);
    let s = 0;
    for (let i = 0; i < xd.length; i++) {
      const v = xd[i]! - yd[i]!;
      s += v * v;
    }
    return 0.5 * s;
  }

  delta(into: Tensor | undefined, back: Tensor, mu: Tensor, f: Activation, slope: number): Tensor {
    const o = this.#buf(into, mu.rows, mu.cols),
      d = this.#d(o),
      bd = this.#d(back),
      md = this.#d(mu);
    if (f === "identity") d.set(bd);
    else {
      const g = scalarActivation(f, slope).dphi;
      for (let i = 0; i < d.length; i++) d[i] = bd[i]! * g(md[i]!);
    }
    return o;
  }

  activate(into: Tensor | undefined, mu: Tensor, f: Activation, slope: number): Tensor {
    const o = this.#buf(into, mu.rows, mu.cols), d = this.#d(o), md = this.#d(mu);
    if (f === "identity") d.set(md);
    else {
      const p = scalarActivation(f, slope).phi;
      for (let i = 0; i < d.length; i++) d[i] = p(md[i]!);
    }
    return o;
  }

  gradW(a: Tensor, eps: Tensor, scale: number, into?: Tensor): Tensor {
    if (!into) {
      const g = this.backend.matmul(a, eps, true);
      return scale === 1 ? g : this.backend.scale(g, scale);
    }
    // The same product (gemmInto onto zeros) and scaling as above, without two new matrices.
    const o = this.#buf(into, a.cols, eps.cols, false), d = this.#d(o);
    d.fill(0);
    this.#raw.gemmInto(this.#d(a), this.#d(eps), d, {
      m: a.cols,
      k: a.rows,
      n: eps.cols,
      transA: true,
    });
    if (scale !== 1) { for (let i = 0; i < d.length; i++) d[i] = d[i]! * scale; }
    return o;
  }

  gradB(eps: Tensor, scale: number): Tensor {
    const g = this.backend.sum(eps, 0);
    return scale === 1 ? g : this.backend.scale(g, scale);
  }

  free(_t: Tensor | undefined): void {}
}

/** Kernels written with the Backend interface only (TF.js and any other backend). */
export class TensorOps implements Ops {
  readonly backend: Backend;

  constructor(backend: Backend) {
    this.backend = backend;
  }

  #replace(into: Tensor | undefined, make: () => Tensor): Tensor {
    const b = this.backend;
    const out = b.keep(b.tidy(make));
    if (into && into !== out) b.dispose(into);
    return out;
  }

  copy(t: Tensor, into?: Tensor): Tensor {
    return this.#replace(into, () => this.backend.addScalar(t, 0));
  }

  transposed(): Tensor | undefined {
    return undefined;
  }

  predict(into: Tensor | undefined, a: Tensor, w: Tensor, bias: Tensor | undefined): Tensor {
    const b = this.backend;
    return this.#replace(into, () => (bias ? b.addRow(b.matmul(a, w), bias) : b.matmul(a, w)));
  }

  predictError(
    into: Tensor | undefined,
    scratch: Tensor | undefined,
    a: Tensor,
    w: Tensor,
    bias: Tensor | undefined,
    x: Tensor,
  ): [Tensor, number, Tensor | undefined] {
    const b = this.backend;
    const o = this.#replace(
      into,
      () => b.sub(x, bias ? b.addRow(b.matmul(a, w), bias) : b.matmul(a, w)),
    );
    return [o, 0.5 * b.sumSquares(o), scratch];
  }

  backProject(into: Tensor | undefined, e: Tensor, w: Tensor): Tensor {
    return this.#replace(into, () => this.backend.matmul(e, w, false, true));
  }

  error(into: Tensor | undefined, x: Tensor, mu: Tensor): [Tensor, number] {
    const o = this.#replace(into, () => this.backend.sub(x, mu));
    return [o, 0.5 * this.backend.sumSquares(o)];
  }

  outputError(
    into: Tensor | undefined,
    mu: Tensor,
    y: Tensor,
    loss: LossSpec,
    fOut: Activation,
    slope: number,
  ): [Tensor, number] {
    const b = this.backend, sum: LossSpec = { ...loss, reduction: "sum" };
    if (loss.kind === "mse" && fOut === "identity" && !loss.ignore_outputs?.length) {
      const half = loss.half ?? true;
      const o = this.#replace(into, () => (half ? b.sub(y, mu) : b.scale(b.sub(y, mu), 2)));
      const s = b.tidy(() => b.sumSquares(b.sub(y, mu)));
      return [o, (half ? 0.5 : 1) * s];
    }
    let value = 0;
    const o = this.#replace(into, () => {
      const pred = b.activate(mu, fOut, slope);
      value = lossValue(b, sum, pred, y);
      return b.scale(b.mul(lossGrad(b, sum, pred, y), b.activateGrad(mu, fOut, slope)), -1);
    });
    return [o, value];
  }

  relax(
    x: Tensor,
    a: Tensor,
    eps: Tensor,
    back: Tensor,
    step: number,
    f: Activation,
    slope: number,
  ): [Tensor, Tensor] {
    const b = this.backend;
    const nx = this.#replace(
      x,
      () => b.axpy(-step, b.sub(eps, b.mul(b.activateGrad(x, f, slope), back)), x),
    );
    return [nx, this.activate(a, nx, f, slope)];
  }

  nudgeRelax(x: Tensor, eps: Tensor, y: Tensor, step: number, lambda: number): Tensor {
    const b = this.backend;
    return this.#replace(x, () => b.axpy(-step, b.axpy(lambda, b.sub(x, y), eps), x));
  }

  halfSquaredDistance(x: Tensor, y: Tensor): number {
    const b = this.backend;
    return 0.5 * b.tidy(() => b.sumSquares(b.sub(x, y)));
  }

  delta(into: Tensor | undefined, back: Tensor, mu: Tensor, f: Activation, slope: number): Tensor {
    const b = this.backend;
    return this.#replace(into, () => b.mul(back, b.activateGrad(mu, f, slope)));
  }

  activate(into: Tensor | undefined, mu: Tensor, f: Activation, slope: number): Tensor {
    const b = this.backend;
    return this.#replace(
      into,
      () => (f === "identity" ? b.addScalar(mu, 0) : b.activate(mu, f, slope)),
    );
  }

  gradW(a: Tensor, eps: Tensor, scale: number): Tensor {
    const b = this.backend;
    return b.keep(b.tidy(() => b.scale(b.matmul(a, eps, true), scale)));
  }

  gradB(eps: Tensor, scale: number): Tensor {
    const b = this.backend;
    return b.keep(b.tidy(() => b.scale(b.sum(eps, 0), scale)));
  }

  free(t: Tensor | undefined): void {
    if (t) this.backend.dispose(t);
  }

  reserve(_rows: number, _width: number): void {}
}
