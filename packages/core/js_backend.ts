/**
 * The `js` backend: plain TypeScript over `Float32Array`, no dependencies, always available.
 * It is the reference every other backend is tested against.
 *
 * @module
 */
import type { Activation, Axis, Backend, GemmShape, RawKernels, Tensor } from "./tensor.ts";
import {
  checkDims,
  checkFinite,
  checkGemmBuffers,
  checkLength,
  checkMatmul,
  checkOwner,
  checkRow,
  checkSame,
  checkWrap,
} from "./_check.ts";
import { fastExp } from "./fast_exp.ts";

/** A tensor of the `js` and `blas` backends: row-major `Float32Array` storage. */
export class JsTensor implements Tensor {
  /** Row-major elements; treat as read-only. */
  readonly data: Float32Array;
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** Owning backend's name. */
  readonly backend: string;
  /**
   * Wraps `data` (not copied).
   *
   * @param data Row-major elements.
   * @param rows Number of rows.
   * @param cols Number of columns.
   * @param backend Owning backend's name.
   */
  constructor(data: Float32Array, rows: number, cols: number, backend: string) {
    this.data = data;
    this.rows = rows;
    this.cols = cols;
    this.backend = backend;
  }
}

/**
 * C (m×n) = A (m×k) @ B (k×n), all row-major, accumulated into zeroed `c`. The i-k-j loop
 * with four rows of A per pass reads each row of B once per four output rows.
 */
export function gemmInto(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  k: number,
  n: number,
): void {
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const c0 = i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
    const a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    for (let p = 0; p < k; p++) {
      const v0 = a[a0 + p]!, v1 = a[a1 + p]!, v2 = a[a2 + p]!, v3 = a[a3 + p]!;
      const bo = p * n;
      for (let j = 0; j < n; j++) {
        const bv = b[bo + j]!;
        c[c0 + j]! += v0 * bv;
        c[c1 + j]! += v1 * bv;
        c[c2 + j]! += v2 * bv;
        c[c3 + j]! += v3 * bv;
      }
    }
  }
  for (; i < m; i++) {
    const co = i * n, ao = i * k;
    for (let p = 0; p < k; p++) {
      const v = a[ao + p]!;
      if (v === 0) continue;
      const bo = p * n;
      for (let j = 0; j < n; j++) c[co + j]! += v * b[bo + j]!;
    }
  }
}

function transposeData(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) out[j * rows + i] = src[o + j]!;
  }
  return out;
}

const LEAKY_SLOPE = 0.01;

/**
 * The `js` backend. Subclass it to replace single kernels (the `blas` backend replaces matmul). A
 * subclass that replaces matmul should replace {@linkcode JsBackend.gemmRaw} to match, since rules
 * with fused kernels multiply through {@linkcode JsBackend.raw}.
 *
 * @example Matrix product
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * const c = b.matmul(b.fromArray([1, 2], 1, 2), b.fromArray([3, 4], 2, 1));
 * console.assert(b.read(c)[0] === 11);
 * ```
 */
export class JsBackend implements Backend {
  /** Backend name. */
  readonly name: string;
  /**
   * The raw-buffer capability: tensors are row-major `Float32Array`s; products into a caller's
   * buffer go through {@linkcode JsBackend.gemmRaw}.
   */
  readonly raw: RawKernels;
  /**
   * Makes a backend with the given name.
   *
   * @param name Name reported in results.
   */
  constructor(name = "js") {
    this.name = name;
    this.raw = {
      data: (t) => this.data(t),
      wrap: (data, rows, cols) => {
        checkWrap(data.length, rows, cols);
        return this.wrap(data, rows, cols);
      },
      gemmInto: (a, b, c, shape) => this.gemmRaw(a, b, c, shape),
      // a subclass's override is already in place: the prototype is set before this runs
      copiesTransposes: this.rawCopiesTransposes,
    };
  }

  /**
   * c ← c + α·op(a)·op(b) on row-major storage, the {@linkcode RawKernels.gemmInto} of this
   * backend: transposed operands are copied (a scaled by α on the way, when α ≠ 1), then
   * {@linkcode gemmInto} accumulates, as matmul does.
   *
   * @param a op(a)'s storage.
   * @param b op(b)'s storage.
   * @param c The accumulator, m × n, updated in place.
   * @param shape m, k, n and the transpose flags.
   */
  protected gemmRaw(a: Float32Array, b: Float32Array, c: Float32Array, shape: GemmShape): void {
    const { m, k, n, alpha = 1 } = shape;
    checkGemmBuffers(a.length, b.length, c.length, m, k, n);
    if (shape.transA) a = transposeData(a, k, m);
    if (alpha !== 1) {
      const scaled = shape.transA ? a : new Float32Array(m * k);
      for (let i = 0; i < m * k; i++) scaled[i] = alpha * a[i]!;
      a = scaled;
    }
    if (shape.transB) b = transposeData(b, n, k);
    gemmInto(a, b, c, m, k, n);
  }

  /** {@linkcode RawKernels.copiesTransposes} of this backend: true, gemmRaw copies them. */
  protected get rawCopiesTransposes(): boolean {
    return true;
  }

  /** Wraps storage as a tensor of this backend. */
  protected wrap(data: Float32Array, rows: number, cols: number): JsTensor {
    return new JsTensor(data, rows, cols, this.name);
  }

  /** The storage of a tensor of this backend. */
  protected data(t: Tensor): Float32Array {
    checkOwner(this.name, t);
    return (t as JsTensor).data;
  }

  zeros(rows: number, cols: number): Tensor {
    checkDims("make zeros", rows, cols);
    return this.wrap(new Float32Array(rows * cols), rows, cols);
  }

  fill(rows: number, cols: number, value: number): Tensor {
    checkDims("fill", rows, cols);
    return this.wrap(new Float32Array(rows * cols).fill(value), rows, cols);
  }

  fromArray(data: ArrayLike<number>, rows: number, cols: number): Tensor {
    checkDims("make a tensor", rows, cols);
    checkLength(data.length, rows, cols);
    checkFinite("make a tensor", data);
    // allocate and set: a memcpy for a Float32Array (Float32Array.from iterates, about 5× slower)
    const out = new Float32Array(data.length);
    out.set(data);
    return this.wrap(out, rows, cols);
  }

  random(rows: number, cols: number, sample: () => number): Tensor {
    checkDims("make a random tensor", rows, cols);
    const out = new Float32Array(rows * cols);
    for (let i = 0; i < out.length; i++) out[i] = sample();
    return this.wrap(out, rows, cols);
  }

  read(t: Tensor): Float32Array {
    return this.data(t).slice();
  }

  matmul(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
    const [m, k, n] = checkMatmul(a, b, transA, transB);
    let ad = this.data(a), bd = this.data(b);
    if (transA) ad = transposeData(ad, a.rows, a.cols);
    if (transB) bd = transposeData(bd, b.rows, b.cols);
    const c = new Float32Array(m * n);
    gemmInto(ad, bd, c, m, k, n);
    return this.wrap(c, m, n);
  }

  /** Applies `f` elementwise to two same-shaped tensors. */
  protected zip(op: string, a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
    checkSame(op, a, b);
    const x = this.data(a), y = this.data(b), out = new Float32Array(x.length);
    for (let i = 0; i < out.length; i++) out[i] = f(x[i]!, y[i]!);
    return this.wrap(out, a.rows, a.cols);
  }

  /** Applies `f` elementwise. */
  protected map(a: Tensor, f: (x: number) => number): Tensor {
    const x = this.data(a), out = new Float32Array(x.length);
    for (let i = 0; i < out.length; i++) out[i] = f(x[i]!);
    return this.wrap(out, a.rows, a.cols);
  }

  add(a: Tensor, b: Tensor): Tensor {
    checkSame("add", a, b);
    const x = this.data(a), y = this.data(b), out = new Float32Array(x.length);
    for (let i = 0; i < out.length; i++) out[i] = x[i]! + y[i]!;
    return this.wrap(out, a.rows, a.cols);
  }

  sub(a: Tensor, b: Tensor): Tensor {
    checkSame("subtract", a, b);
    const x = this.data(a), y = this.data(b), out = new Float32Array(x.length);
    for (let i = 0; i < out.length; i++) out[i] = x[i]! - y[i]!;
    return this.wrap(out, a.rows, a.cols);
  }

  mul(a: Tensor, b: Tensor): Tensor {
    checkSame("multiply", a, b);
    const x = this.data(a), y = this.data(b), out = new Float32Array(x.length);
    for (let i = 0; i < out.length; i++) out[i] = x[i]! * y[i]!;
    return this.wrap(out, a.rows, a.cols);
  }

  div(a: Tensor, b: Tensor): Tensor {
    return this.zip("divide", a, b, (x, y) => x / y);
  }

  scale(a: Tensor, s: number): Tensor {
    const x = this.data(a), out = new Float32Array(x.length);
    for (let i = 0; i < out.length; i++) out[i] = x[i]! * s;
    return this.wrap(out, a.rows, a.cols);
  }

  addScalar(a: Tensor, s: number): Tensor {
    return this.map(a, (x) => x + s);
  }

  axpy(alpha: number, x: Tensor, y: Tensor): Tensor {
    checkSame("axpy", x, y);
    const xd = this.data(x), yd = this.data(y), out = new Float32Array(xd.length);
    for (let i = 0; i < out.length; i++) out[i] = alpha * xd[i]! + yd[i]!;
    return this.wrap(out, x.rows, x.cols);
  }

  axpyInPlace(alpha: number, x: Tensor, y: Tensor): void {
    checkSame("axpyInPlace", x, y);
    const xd = this.data(x), yd = this.data(y);
    for (let i = 0; i < yd.length; i++) yd[i] = alpha * xd[i]! + yd[i]!;
  }

  addRow(a: Tensor, row: Tensor): Tensor {
    checkRow("add", a, row);
    const x = this.data(a), r = this.data(row), out = new Float32Array(x.length), n = a.cols;
    for (let i = 0; i < a.rows; i++) {
      const o = i * n;
      for (let j = 0; j < n; j++) out[o + j] = x[o + j]! + r[j]!;
    }
    return this.wrap(out, a.rows, a.cols);
  }

  mulRow(a: Tensor, row: Tensor): Tensor {
    checkRow("multiply", a, row);
    const x = this.data(a), r = this.data(row), out = new Float32Array(x.length), n = a.cols;
    for (let i = 0; i < a.rows; i++) {
      const o = i * n;
      for (let j = 0; j < n; j++) out[o + j] = x[o + j]! * r[j]!;
    }
    return this.wrap(out, a.rows, a.cols);
  }

  sqrt(a: Tensor): Tensor {
    return this.map(a, Math.sqrt);
  }

  clamp(a: Tensor, lo: number, hi: number): Tensor {
    return this.map(a, (x) => (x < lo ? lo : x > hi ? hi : x));
  }

  sum(a: Tensor, axis: Axis): Tensor {
    const x = this.data(a), m = a.rows, n = a.cols;
    if (axis === 0) {
      const out = new Float32Array(n);
      for (let i = 0; i < m; i++) {
        const o = i * n;
        for (let j = 0; j < n; j++) out[j]! += x[o + j]!;
      }
      return this.wrap(out, 1, n);
    }
    const out = new Float32Array(m);
    for (let i = 0; i < m; i++) {
      let s = 0;
      const o = i * n;
      for (let j = 0; j < n; j++) s += x[o + j]!;
      out[i] = s;
    }
    return this.wrap(out, m, 1);
  }

  mean(a: Tensor, axis: Axis): Tensor {
    const count = axis === 0 ? a.rows : a.cols;
    return this.scale(this.sum(a, axis), count === 0 ? NaN : 1 / count);
  }

  sumAll(a: Tensor): number {
    const x = this.data(a);
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i]!;
    return s;
  }

  sumSquares(a: Tensor): number {
    const x = this.data(a);
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
    return s;
  }

  transpose(a: Tensor): Tensor {
    return this.wrap(transposeData(this.data(a), a.rows, a.cols), a.cols, a.rows);
  }

  activate(x: Tensor, f: Activation, slope = LEAKY_SLOPE): Tensor {
    if (f === "identity") return x;
    const v = this.data(x), out = new Float32Array(v.length), n = v.length;
    switch (f) {
      case "sigmoid":
        for (let i = 0; i < n; i++) out[i] = 1 / (1 + fastExp(-v[i]!));
        break;
      case "tanh":
        for (let i = 0; i < n; i++) out[i] = Math.tanh(v[i]!);
        break;
      case "relu":
        // (a + |a|)/2 is exact and branch-free: twice as fast as a comparison on mixed signs.
        for (let i = 0; i < n; i++) {
          const a = v[i]!;
          out[i] = (a + Math.abs(a)) * 0.5;
        }
        break;
      case "leakyRelu":
        for (let i = 0; i < n; i++) out[i] = v[i]! > 0 ? v[i]! : slope * v[i]!;
        break;
      case "hardSigmoid":
        for (let i = 0; i < n; i++) out[i] = v[i]! < 0 ? 0 : v[i]! > 1 ? 1 : v[i]!;
        break;
      default:
        throw new Error(`Unknown activation ${JSON.stringify(f)}`);
    }
    return this.wrap(out, x.rows, x.cols);
  }

  activateGrad(x: Tensor, f: Activation, slope = LEAKY_SLOPE): Tensor {
    const v = this.data(x), out = new Float32Array(v.length), n = v.length;
    switch (f) {
      case "identity":
        out.fill(1);
        break;
      case "sigmoid":
        for (let i = 0; i < n; i++) {
          const s = 1 / (1 + fastExp(-v[i]!));
          out[i] = s * (1 - s);
        }
        break;
      case "tanh":
        for (let i = 0; i < n; i++) {
          const t = Math.tanh(v[i]!);
          out[i] = 1 - t * t;
        }
        break;
      case "relu":
        for (let i = 0; i < n; i++) out[i] = +(v[i]! > 0);
        break;
      case "leakyRelu":
        for (let i = 0; i < n; i++) out[i] = v[i]! > 0 ? 1 : slope;
        break;
      case "hardSigmoid":
        for (let i = 0; i < n; i++) out[i] = v[i]! > 0 && v[i]! < 1 ? 1 : 0;
        break;
      default:
        throw new Error(`Unknown activation ${JSON.stringify(f)}`);
    }
    return this.wrap(out, x.rows, x.cols);
  }

  softmax(a: Tensor): Tensor {
    const x = this.data(a), out = new Float32Array(x.length), n = a.cols;
    for (let i = 0; i < a.rows; i++) {
      const o = i * n;
      let max = -Infinity;
      for (let j = 0; j < n; j++) if (x[o + j]! > max) max = x[o + j]!;
      let s = 0;
      for (let j = 0; j < n; j++) {
        const e = Math.exp(x[o + j]! - max);
        out[o + j] = e;
        s += e;
      }
      for (let j = 0; j < n; j++) out[o + j]! /= s;
    }
    return this.wrap(out, a.rows, a.cols);
  }

  tidy<T>(fn: () => T): T {
    return fn();
  }

  keep<T extends Tensor>(t: T): T {
    return t;
  }

  dispose(..._ts: Tensor[]): void {}
}

/** The shared instance of the `js` backend. */
export const jsBackend: JsBackend = new JsBackend();
