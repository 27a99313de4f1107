/**
 * 2-D max and average pooling (PyTorch's `MaxPool2d` and `AvgPool2d` with square windows, no
 * padding, `ceil_mode` false) and their gradients, on batches of channel-major images stored as
 * `batch × (c·h·w)` tensors (see `image_shape.ts`). With window k and stride s, per image n and
 * channel i:
 *
 *   max:  y[n, i, u, v] = max_{κ,λ < k} x[n, i, u·s + κ, v·s + λ]
 *   avg:  y[n, i, u, v] = (1/k²) Σ_{κ,λ < k} x[n, i, u·s + κ, v·s + λ]
 *
 * Their gradients: max pooling sends ∂ℒ/∂y[n, i, u, v] to the window's maximum (the first in
 * row-major window order when several are equal, as PyTorch does), average pooling spreads it as
 * ∂ℒ/∂y / k² over the window; overlapping windows (s < k) add up.
 *
 * These operations read and write the tensors' storage ({@linkcode Backend.raw}, the `js` and
 * `blas` backends, which share this code) or call a backend's own image kernels
 * ({@linkcode Backend.images}: `webgpu`); elsewhere (TF.js) they throw.
 *
 * @module
 */
import { imageRaw } from "./conv2d.ts";
import { checkImages, imageSize, type Pool2dGeometry, pool2dOutputShape } from "./image_shape.ts";
import { type Backend, shapeOf, type Tensor } from "./tensor.ts";
import { argmax2x2Simd } from "./_pool_kernel.ts";

/**
 * Calls `f(inOffset, outIndex)` for every window of every channel of every image: `inOffset` is
 * the input index of the window's top-left pixel, `outIndex` the output index.
 */
function windows(
  rows: number,
  g: Pool2dGeometry,
  f: (inOff: number, outIdx: number) => void,
): void {
  const o = pool2dOutputShape(g), s = g.stride ?? g.size, { c, h, w } = g.input;
  let q = 0;
  for (let n = 0; n < rows; n++) {
    for (let i = 0; i < c; i++) {
      const base = (n * c + i) * h * w;
      for (let u = 0; u < o.h; u++) {
        for (let v = 0; v < o.w; v++) f(base + u * s * w + v * s, q++);
      }
    }
  }
}

/**
 * Writes into `best[q]` the input index of the first maximum (row-major window order, so ties go
 * to the first, as PyTorch does) of every window q of every channel of every image, in output
 * order, and the maximum into `out[q]` when `out` is given. 2 × 2 windows of stride 2 over an even
 * number of rows (each image's rows pair up into windows with none left over) go to a branch-free
 * WebAssembly SIMD kernel that picks the same pixels; other geometries run plain loops.
 */
function argmaxes(
  x: Float32Array,
  rows: number,
  g: Pool2dGeometry,
  best: Int32Array,
  out?: Float32Array,
): void {
  const o = pool2dOutputShape(g), k = g.size, s = g.stride ?? k, { c, h, w } = g.input;
  if (k === 2 && s === 2 && h % 2 === 0 && argmax2x2Simd(x, (rows * c * h) / 2, w, best, out)) {
    return;
  }
  let q = 0;
  for (let plane = 0; plane < rows * c; plane++) {
    const base = plane * h * w;
    for (let u = 0; u < o.h; u++) {
      const r0 = base + u * s * w;
      for (let v = 0; v < o.w; v++, q++) {
        const off = r0 + v * s;
        let i = off, m = x[off]!;
        if (k === 2) {
          if (x[off + 1]! > m) m = x[i = off + 1]!;
          if (x[off + w]! > m) m = x[i = off + w]!;
          if (x[off + w + 1]! > m) i = off + w + 1;
        } else {
          for (let a = 0; a < k; a++) {
            const r = off + a * w;
            for (let j = 0; j < k; j++) {
              if (x[r + j]! > m) m = x[i = r + j]!;
            }
          }
        }
        best[q] = i;
      }
    }
  }
  if (out) { for (let q = 0; q < out.length; q++) out[q] = x[best[q]!]!; }
}

/** What a {@linkcode MaxPoolIndices} holds: the argmaxes of `x` under the geometry `key`. */
interface KeptIndices {
  x: Tensor;
  key: string;
  best: Int32Array;
}
const keptIndices = new WeakMap<MaxPoolIndices, KeptIndices>();

/**
 * A place for the input index of each window's maximum, filled by {@linkcode maxPool2d} and read
 * by {@linkcode maxPool2dGrad} when both get it with the same input tensor and geometry, so that
 * the gradient does not search the windows again. Its buffer is reused from call to call (a
 * network keeps one per max-pooling layer). The input must not be changed in place between the
 * two calls. Only the raw-buffer backends (`js`, `blas`) use it; elsewhere it is ignored.
 *
 * @example
 * ```ts
 * import { jsBackend as b, maxPool2d, maxPool2dGrad, MaxPoolIndices } from "@plasticity/core";
 * const g = { input: { c: 1, h: 2, w: 2 }, size: 2 }, keep = new MaxPoolIndices();
 * const x = b.fromArray([1, 3, 2, 0], 1, 4);
 * console.assert(b.read(maxPool2d(b, x, g, keep))[0] === 3);
 * console.assert(b.read(maxPool2dGrad(b, x, b.fill(1, 1, 5), g, keep)).join() === "0,5,0,0");
 * ```
 */
export class MaxPoolIndices {
  /** Forgets the kept indices and frees their buffer. */
  clear(): void {
    keptIndices.delete(this);
  }
}

/** The key of a pooling geometry and batch size in a {@linkcode MaxPoolIndices}. */
function poolKey(g: Pool2dGeometry, rows: number): string {
  const { c, h, w } = g.input;
  return `${c} ${h} ${w} ${g.size} ${g.stride ?? g.size} ${rows}`;
}

/**
 * Max pooling: each window's largest value.
 *
 * @param b The backend (`js`, `blas` or `webgpu`).
 * @param x Input images, batch × (c·h·w).
 * @param g The geometry.
 * @param indices Where to keep each window's argmax for {@linkcode maxPool2dGrad} (absent: not
 *   kept).
 * @returns Output images, batch × (c·oh·ow).
 *
 * @example
 * ```ts
 * import { jsBackend as b, maxPool2d } from "@plasticity/core";
 * const x = b.fromArray([1, 5, 2, 0, 3, 4, 7, 1, 0, 2, 9, 8, 1, 1, 6, 3], 1, 16);
 * console.assert(b.read(maxPool2d(b, x, { input: { c: 1, h: 4, w: 4 }, size: 2 })).join() === "5,7,2,9");
 * ```
 */
export function maxPool2d(
  b: Backend,
  x: Tensor,
  g: Pool2dGeometry,
  indices?: MaxPoolIndices,
): Tensor {
  checkImages("maxPool2d", "input", x, g.input);
  if (b.images) return b.images.maxPool2d(x, g);
  const raw = imageRaw(b, "maxPool2d");
  const o = pool2dOutputShape(g), xd = raw.data(x), n = x.rows * imageSize(o);
  const old = indices ? keptIndices.get(indices) : undefined;
  if (indices) keptIndices.delete(indices);
  const best = old && old.best.length >= n ? old.best : new Int32Array(n);
  const out = new Float32Array(n);
  argmaxes(xd, x.rows, g, best, out);
  if (indices) keptIndices.set(indices, { x, key: poolKey(g, x.rows), best });
  return raw.wrap(out, x.rows, imageSize(o));
}

/**
 * ∂ℒ/∂x of max pooling: each output gradient added at its window's (first) maximum of `x`.
 *
 * @param b The backend (`js`, `blas` or `webgpu`).
 * @param x The input images the pooling was applied to, batch × (c·h·w).
 * @param dy ∂ℒ/∂y, batch × (c·oh·ow).
 * @param g The geometry.
 * @param indices The argmaxes kept by {@linkcode maxPool2d} for this `x` and geometry, used
 *   instead of searching the windows again (absent, or kept for another input: searched here).
 * @param reluGate When given (x's shape), the result is multiplied elementwise by [reluGate > 0]:
 *   with x = relu(a) and reluGate = a, the gradient at a in the same pass,
 *   ∂ℒ/∂a = relu'(a) ⊙ ∂ℒ/∂x, the products `mul(dx, activateGrad(a, "relu"))` would give.
 * @returns ∂ℒ/∂x (or ∂ℒ/∂a with `reluGate`), batch × (c·h·w).
 *
 * @example
 * ```ts
 * import { jsBackend as b, maxPool2dGrad } from "@plasticity/core";
 * const dx = maxPool2dGrad(b, b.fromArray([1, 3, 2, 0], 1, 4), b.fill(1, 1, 5), { input: { c: 1, h: 2, w: 2 }, size: 2 });
 * console.assert(b.read(dx).join() === "0,5,0,0");
 * ```
 */
export function maxPool2dGrad(
  b: Backend,
  x: Tensor,
  dy: Tensor,
  g: Pool2dGeometry,
  indices?: MaxPoolIndices,
  reluGate?: Tensor,
): Tensor {
  checkImages("maxPool2dGrad", "input", x, g.input);
  checkImages("maxPool2dGrad", "output gradient", dy, pool2dOutputShape(g));
  if (dy.rows !== x.rows) {
    throw new Error(
      `maxPool2dGrad: output gradient has ${dy.rows} rows: expected ${x.rows}, the batch of the input`,
    );
  }
  if (reluGate && (reluGate.rows !== x.rows || reluGate.cols !== x.cols)) {
    throw new Error(
      `maxPool2dGrad: relu gate has shape ${shapeOf(reluGate)}: expected ${
        shapeOf(x)
      }, the input's`,
    );
  }
  if (b.images) {
    const dx = b.images.maxPool2dGrad(x, dy, g);
    return reluGate ? b.mul(dx, b.activateGrad(reluGate, "relu")) : dx;
  }
  const raw = imageRaw(b, "maxPool2dGrad");
  const xd = raw.data(x), dyd = raw.data(dy), n = dyd.length;
  const k = indices ? keptIndices.get(indices) : undefined;
  const dx = new Float32Array(xd.length);
  let best: Int32Array;
  if (k && k.x === x && k.key === poolKey(g, x.rows)) best = k.best;
  else argmaxes(xd, x.rows, g, best = new Int32Array(n));
  for (let q = 0; q < n; q++) dx[best[q]!]! += dyd[q]!;
  if (reluGate) {
    // Only the maxima can be nonzero; [a > 0] is 0 or 1, so a pixel met twice is still right.
    const a = raw.data(reluGate);
    for (let q = 0; q < n; q++) dx[best[q]!]! *= +(a[best[q]!]! > 0);
  }
  return raw.wrap(dx, x.rows, x.cols);
}

/**
 * Average pooling: each window's mean.
 *
 * @param b The backend (`js`, `blas` or `webgpu`).
 * @param x Input images, batch × (c·h·w).
 * @param g The geometry.
 * @returns Output images, batch × (c·oh·ow).
 *
 * @example
 * ```ts
 * import { avgPool2d, jsBackend as b } from "@plasticity/core";
 * const y = avgPool2d(b, b.fromArray([1, 3, 2, 6], 1, 4), { input: { c: 1, h: 2, w: 2 }, size: 2 });
 * console.assert(b.read(y)[0] === 3);
 * ```
 */
export function avgPool2d(b: Backend, x: Tensor, g: Pool2dGeometry): Tensor {
  checkImages("avgPool2d", "input", x, g.input);
  if (b.images) return b.images.avgPool2d(x, g);
  const raw = imageRaw(b, "avgPool2d");
  const o = pool2dOutputShape(g), k = g.size, w = g.input.w, xd = raw.data(x);
  const out = new Float32Array(x.rows * imageSize(o)), inv = 1 / (k * k);
  windows(x.rows, g, (off, q) => {
    let s = 0;
    for (let a = 0; a < k; a++) {
      const r = off + a * w;
      for (let j = 0; j < k; j++) s += xd[r + j]!;
    }
    out[q] = s * inv;
  });
  return raw.wrap(out, x.rows, imageSize(o));
}

/**
 * ∂ℒ/∂x of average pooling: each output gradient spread as ∂ℒ/∂y / k² over its window.
 *
 * @param b The backend (`js`, `blas` or `webgpu`).
 * @param dy ∂ℒ/∂y, batch × (c·oh·ow).
 * @param g The geometry.
 * @returns ∂ℒ/∂x, batch × (c·h·w).
 *
 * @example
 * ```ts
 * import { avgPool2dGrad, jsBackend as b } from "@plasticity/core";
 * const dx = avgPool2dGrad(b, b.fill(1, 1, 8), { input: { c: 1, h: 2, w: 2 }, size: 2 });
 * console.assert(b.read(dx).join() === "2,2,2,2");
 * ```
 */
export function avgPool2dGrad(b: Backend, dy: Tensor, g: Pool2dGeometry): Tensor {
  checkImages("avgPool2dGrad", "output gradient", dy, pool2dOutputShape(g));
  if (b.images) return b.images.avgPool2dGrad(dy, g);
  const raw = imageRaw(b, "avgPool2dGrad");
  const k = g.size, w = g.input.w, dyd = raw.data(dy), inv = 1 / (k * k);
  const dx = new Float32Array(dy.rows * imageSize(g.input));
  windows(dy.rows, g, (off, q) => {
    const v = dyd[q]! * inv;
    for (let a = 0; a < k; a++) {
      const r = off + a * w;
      for (let j = 0; j < k; j++) dx[r + j]! += v;
    }
  });
  return raw.wrap(dx, dy.rows, imageSize(g.input));
}
