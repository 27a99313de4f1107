// The kernels of the predictive-coding loop, in two implementations with one protocol:
// `BufferOps` writes into preallocated Float32Array buffers of the `js`/`blas` backends (one fused
// pass per operation, no per-step allocation on `js`), `TensorOps` uses only the Backend interface
// (any backend, TF.js included). Every kernel takes an optional `into` tensor that it may reuse
// (BufferOps) or must dispose (TensorOps); callers always store the returned tensor.
import {
  type Activation,
  type Backend,
  BlasBackend,
  gemmInto,
  JsBackend,
  JsTensor,
  lossGrad,
  type LossSpec,
  lossValue,
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
  /** scale · aᵀ ε (a fresh tensor for the optimiser). */
  gradW(a: Tensor, eps: Tensor, scale: number): Tensor;
  /** scale · Σ_rows ε (a fresh 1 × n tensor). */
  gradB(eps: Tensor, scale: number): Tensor;
  /** Frees a state tensor. */
  free(t: Tensor | undefined): void;
}

/** Picks the fused buffer kernels on the `js` and `blas` backends, the generic ones elsewhere. */
export function opsFor(backend: Backend): Ops {
  return backend instanceof JsBackend ? new BufferOps(backend) : new TensorOps(backend);
}

function phi(f: Activation, slope: number): (v: number) => number {
  switch (f) {
    case "identity":
      return (v) => v;
    case "sigmoid":
      return (v) => 1 / (1 + Math.exp(-v));
    case "tanh":
      return Math.tanh;
    case "relu":
      return (v) => (v > 0 ? v : 0);
    case "leakyRelu":
      return (v) => (v > 0 ? v : slope * v);
    case "hardSigmoid":
      return (v) => (v < 0 ? 0 : v > 1 ? 1 : v);
  }
}

function phiGrad(f: Activation, slope: number): (v: number) => number {
  switch (f) {
    case "identity":
      return () => 1;
    case "sigmoid":
      return (v) => {
        const s = 1 / (1 + Math.exp(-v));
        return s * (1 - s);
      };
    case "tanh":
      return (v) => {
        const t = Math.tanh(v);
        return 1 - t * t;
      };
    case "relu":
      return (v) => (v > 0 ? 1 : 0);
    case "leakyRelu":
      return (v) => (v > 0 ? 1 : slope);
    case "hardSigmoid":
      return (v) => (v > 0 && v < 1 ? 1 : 0);
  }
}

/** Fused kernels over the Float32Array storage of the `js` and `blas` backends. */
export class BufferOps implements Ops {
  readonly backend: JsBackend;
  /** True on the plain `js` backend: products go through `gemmInto` into preallocated buffers. */
  readonly native: boolean;

  /** The `blas` backend, whose products also go into preallocated buffers (`sgemm`, β = 1). */
  readonly #blas: BlasBackend | undefined;

  constructor(backend: JsBackend) {
    this.backend = backend;
    this.native = Object.getPrototypeOf(backend) === JsBackend.prototype;
    this.#blas = backend instanceof BlasBackend ? backend : undefined;
  }

  /** a·w written into `into` (reused when its shape fits), or undefined without a raw-buffer gemm. */
  #product(into: Tensor | undefined, a: Tensor, w: Tensor): JsTensor | undefined {
    if (!this.native && !this.#blas) return undefined;
    const o = this.#buf(into, a.rows, w.cols), c = o.data;
    c.fill(0);
    if (this.#blas) this.#blas.gemmInto(this.#d(a), this.#d(w), c, a.rows, a.cols, w.cols);
    else gemmInto(this.#d(a), this.#d(w), c, a.rows, a.cols, w.cols);
    return o;
  }

  #buf(into: Tensor | undefined, rows: number, cols: number): JsTensor {
    if (into instanceof JsTensor && into.rows === rows && into.cols === cols) return into;
    return new JsTensor(new Float32Array(rows * cols), rows, cols, this.backend.name);
  }

  #d(t: Tensor): Float32Array {
    if (!(t instanceof JsTensor) || t.backend !== this.backend.name) {
      throw new Error(
        `Cannot use a tensor of backend "${t.backend}" on backend "${this.backend.name}"`,
      );
    }
    return t.data;
  }

  copy(t: Tensor, into?: Tensor): Tensor {
    const o = this.#buf(into, t.rows, t.cols);
    o.data.set(this.#d(t));
    return o;
  }

  transposed(w: Tensor, prev?: Tensor): Tensor | undefined {
    if (!this.native) return undefined;
    const o = this.#buf(prev, w.cols, w.rows), s = this.#d(w), d = o.data;
    const r = w.rows, c = w.cols;
    for (let i = 0; i < r; i++) {
      const io = i * c;
      for (let j = 0; j < c; j++) d[j * r + i] = s[io + j]!;
    }
    return o;
  }

  predict(into: Tensor | undefined, a: Tensor, w: Tensor, bias: Tensor | undefined): Tensor {
    // A fresh product from the backend is ours to write, too.
    const o = this.#product(into, a, w) ?? (this.backend.matmul(a, w) as JsTensor);
    const d = o.data;
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
    const t = this.#product(scratch, a, w);
    const m = t ? t.data : this.#d(this.backend.matmul(a, w)), keep = t ?? scratch;
    const o = this.#buf(into, x.rows, x.cols), e = o.data, xd = this.#d(x);
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
    return [o, 0.5 * s, keep];
  }

  backProject(into: Tensor | undefined, e: Tensor, w: Tensor, wT: Tensor | undefined): Tensor {
    if (this.native && wT) {
      const o = this.#buf(into, e.rows, w.rows);
      o.data.fill(0);
      gemmInto(this.#d(e), this.#d(wT), o.data, e.rows, e.cols, w.rows);
      return o;
    }
    if (this.#blas) {
      const o = this.#buf(into, e.rows, w.rows);
      o.data.fill(0);
      this.#blas.gemmInto(this.#d(e), this.#d(w), o.data, e.rows, e.cols, w.rows, true);
      return o;
    }
    return this.backend.matmul(e, w, false, true); // fresh, so ours
  }

  error(into: Tensor | undefined, x: Tensor, mu: Tensor): [Tensor, number] {
    const o = this.#buf(into, x.rows, x.cols), e = o.data, xd = this.#d(x), md = this.#d(mu);
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
    const o = this.#buf(into, mu.rows, mu.cols), e = o.data;
    if (loss.kind === "mse" && fOut === "identity") {
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
        for (let i = 0; i < n; i++) {
          const v = xd[i]!;
          const nv = Math.fround(v - step * (ed[i]! - (s + k * +(v > 0)) * bd[i]!));
          xd[i] = nv;
          ad[i] = nv * (s + k * +(nv > 0));
        }
        break;
      }
      default: {
        const g = phiGrad(f, slope), p = phi(f, slope);
        for (let i = 0; i < n; i++) {
          const nv = Math.fround(xd[i]! - step * (ed[i]! - g(xd[i]!) * bd[i]!));
          xd[i] = nv;
          ad[i] = p(nv);
        }
      }
    }
    return [x, a];
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
    const o = this.#buf(into, mu.rows, mu.cols), d = o.data, bd = this.#d(back), md = this.#d(mu);
    if (f === "identity") d.set(bd);
    else {
      const g = phiGrad(f, slope);
      for (let i = 0; i < d.length; i++) d[i] = bd[i]! * g(md[i]!);
    }
    return o;
  }

  activate(into: Tensor | undefined, mu: Tensor, f: Activation, slope: number): Tensor {
    const o = this.#buf(into, mu.rows, mu.cols), d = o.data, md = this.#d(mu);
    if (f === "identity") d.set(md);
    else {
      const p = phi(f, slope);
      for (let i = 0; i < d.length; i++) d[i] = p(md[i]!);
    }
    return o;
  }

  gradW(a: Tensor, eps: Tensor, scale: number): Tensor {
    const g = this.backend.matmul(a, eps, true);
    return scale === 1 ? g : this.backend.scale(g, scale);
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
    if (loss.kind === "mse" && fOut === "identity") {
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
}
