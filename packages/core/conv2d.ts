/**
 * 2-D convolution (PyTorch's `Conv2d`: cross-correlation, zero padding, square kernels) and its
 * gradients, on batches of channel-major images stored as `batch × (c·h·w)` tensors (see
 * `image_shape.ts`).
 *
 * With input x (n × c × h × w), weights W (o × c × k × k), bias b (o), stride s and padding p:
 *
 *   y[n, j, u, v] = b[j] + Σ_{i, κ, λ} W[j, i, κ, λ] · x[n, i, u·s − p + κ, v·s − p + λ]
 *
 * (x read as 0 outside the image). The weights are a `o × (c·k·k)` tensor, PyTorch's
 * `weight.view(o, -1)`. Each image is unfolded by im2col into the `(c·k·k) × (oh·ow)` matrix
 * X̃ₙ, so that yₙ = W·X̃ₙ + b is a matrix product through the backend's
 * {@linkcode RawKernels.gemmInto} (OpenBLAS `sgemm` on `blas`, the `js` loop on `js`); a few
 * unfolded images sit side by side, [X̃ₙ … X̃ₙ₊ₘ], so that one product serves them all (as many
 * as fit in about 1 MiB: small output planes gain most). A stride-1 convolution whose padded width
 * w + 2p is at most 1.5·ow is unfolded "wide": its outputs are computed at all w + 2p columns of
 * each output row and the last k − 1 dropped, so that each row of X̃ₙ is one contiguous run of the
 * zero-padded image, copied rather than gathered pixel by pixel (LeNet's layers: 32 and 14 columns
 * for 28 and 10). A {@linkcode Conv2dColumns} passed to {@linkcode conv2d} keeps the batch's X̃ₙ
 * for {@linkcode conv2dWeightGrad}, which then skips the unfolding. The
 * gradients of a loss ℒ with δₙ = ∂ℒ/∂yₙ (o × oh·ow) are
 *
 *   ∂ℒ/∂W = Σₙ δₙ X̃ₙᵀ,   ∂ℒ/∂b[j] = Σ_{n,u,v} δ[n, j, u, v],   ∂ℒ/∂xₙ = col2im(Wᵀ δₙ),
 *
 * col2im being the adjoint of im2col (it adds each entry back to the pixel it came from).
 *
 * These operations run on the raw buffers ({@linkcode Backend.raw}: the `js` and `blas` backends)
 * or on a backend's own image kernels ({@linkcode Backend.images}: `webgpu`); elsewhere (TF.js)
 * they throw.
 *
 * @module
 */
import {
  col2im,
  col2imWide,
  im2col,
  im2colWide,
  imagesPerProduct,
  padBuffer,
  padLength,
  type Unfold,
  unfoldWidth,
} from "./_im2col.ts";
import { checkImages, type Conv2dGeometry, conv2dOutputShape, imageSize } from "./image_shape.ts";
import { type Backend, type RawKernels, shapeOf, type Tensor } from "./tensor.ts";

/**
 * The raw buffers of `b`, or a one-line error naming the operation and the backend.
 *
 * @param b The backend.
 * @param op The operation, for the message.
 * @returns Its raw-buffer capability.
 *
 * @example
 * ```ts
 * import { imageRaw, jsBackend } from "@plasticity/core";
 * console.assert(imageRaw(jsBackend, "conv2d") === jsBackend.raw);
 * ```
 */
export function imageRaw(b: Backend, op: string): RawKernels {
  if (!b.raw) {
    throw new Error(
      `${op} needs a backend with raw buffers or image kernels: got backend "${b.name}", expected js, blas or webgpu`,
    );
  }
  return b.raw;
}

/** The unfolding geometry and output size of `g`. */
function unfold(g: Conv2dGeometry): Unfold {
  const o = conv2dOutputShape(g);
  return {
    c: g.input.c,
    h: g.input.h,
    w: g.input.w,
    k: g.kernel,
    s: g.stride ?? 1,
    p: g.padding ?? 0,
    oh: o.h,
    ow: o.w,
  };
}

/**
 * Copies between image-major data (image, channel, oh × ow plane) and the channel-major block
 * (channel, image·plane) of images n0 … n0 + nb − 1 whose output rows are `lw` ≥ ow wide (see
 * `unfoldWidth`): `toBlock` gathers into `block`, zeroing the columns past ow; otherwise the first
 * ow columns of each row of `block` (plus `bias[channel]` when given) are written into `images`.
 */
function regroup(
  images: Float32Array,
  block: Float32Array,
  n0: number,
  nb: number,
  channels: number,
  oh: number,
  ow: number,
  lw: number,
  toBlock: boolean,
  bias?: Float32Array,
): void {
  const plane = oh * ow, lplane = oh * lw, ld = nb * lplane;
  for (let n = 0; n < nb; n++) {
    for (let j = 0; j < channels; j++) {
      const img = ((n0 + n) * channels + j) * plane, blk = j * ld + n * lplane;
      // A typed-array copy for long planes; for short ones (1×1) the call costs more than a loop.
      if (toBlock && lw === ow && plane >= 64) block.set(images.subarray(img, img + plane), blk);
      else if (toBlock) {
        for (let y = 0; y < oh; y++) {
          const i = img + y * ow, o = blk + y * lw;
          for (let q = 0; q < ow; q++) block[o + q] = images[i + q]!;
          for (let q = ow; q < lw; q++) block[o + q] = 0;
        }
      } else {
        const b = bias ? bias[j]! : 0;
        for (let y = 0; y < oh; y++) {
          const i = img + y * ow, o = blk + y * lw;
          for (let q = 0; q < ow; q++) images[i + q] = block[o + q]! + b;
        }
      }
    }
  }
}

/**
 * Values past the unfolded blocks that a buffer of columns needs for {@linkcode unfoldImages}:
 * room to stage one padded channel when unfolded wide, else none.
 */
function stageLength(u: Unfold, lw: number): number {
  return lw === u.ow ? 0 : padLength(u);
}

/**
 * Unfolds images n0 … n0 + nb − 1 of `x` side by side into `buf` from `at` on (rows of nb·oh·lw),
 * wide when lw ≠ ow, staging each padded channel in the last {@linkcode stageLength} values of
 * `buf`.
 */
function unfoldImages(
  x: Float32Array,
  u: Unfold,
  lw: number,
  n0: number,
  nb: number,
  buf: Float32Array,
  at: number,
): void {
  const inSize = u.c * u.h * u.w, lplane = u.oh * lw, ld = nb * lplane;
  const stage = stageLength(u, lw), padAt = buf.length - stage;
  // The staging area's border must be zero; a reused buffer may hold columns there.
  if (stage > 0) buf.fill(0, padAt);
  for (let n = 0; n < nb; n++) {
    if (stage > 0) im2colWide(x, (n0 + n) * inSize, u, buf, ld, at + n * lplane, padAt);
    else im2col(x, (n0 + n) * inSize, u, buf, ld, at + n * lplane);
  }
}

/** Values a {@linkcode Conv2dColumns} keeps at most (64 MiB of float32); larger batches unfold again. */
const KEEP_MAX = 1 << 24;

/** What a {@linkcode Conv2dColumns} holds: the unfolding of `x` under the geometry `key`. */
interface Kept {
  x?: Tensor;
  key: string;
  cols: Float32Array;
}
const kept = new WeakMap<Conv2dColumns, Kept>();

/**
 * A place for a convolution's unfolded input (im2col's columns of the whole batch), filled by
 * {@linkcode conv2d} and read by {@linkcode conv2dWeightGrad} when both get it with the same input
 * tensor and geometry, so that the weight gradient does not unfold the input again. Its buffer is
 * reused from call to call (a network keeps one per convolution layer). The input must not be
 * changed in place between the two calls. Only the raw-buffer backends (`js`, `blas`) use it, only
 * for unfoldings that gather (not the wide ones of stride-1 layers, a run of copies that is cheaper
 * to do again than to read back) and only for batches whose columns fit in 2²⁴ values; elsewhere
 * it is ignored.
 *
 * @example
 * ```ts
 * import { Conv2dColumns, conv2d, conv2dWeightGrad, jsBackend as b } from "@plasticity/core";
 * const g = { input: { c: 1, h: 3, w: 3 }, outChannels: 1, kernel: 2 }, keep = new Conv2dColumns();
 * const x = b.fromArray([1, 2, 3, 4, 5, 6, 7, 8, 9], 1, 9);
 * conv2d(b, x, b.fill(1, 4, 1), g, undefined, keep);
 * // ∂ℒ/∂y all ones: each weight's gradient sums its pixel over the four windows.
 * console.assert(b.read(conv2dWeightGrad(b, x, b.fill(1, 4, 1), g, keep)).join() === "12,16,24,28");
 * ```
 */
export class Conv2dColumns {
  /** Forgets the kept columns and frees their buffer. */
  clear(): void {
    kept.delete(this);
  }
}

/**
 * The kept buffer of `columns`, at least `size` long (the old one when long enough), forgetting what
 * it held.
 */
function keepBuffer(columns: Conv2dColumns, size: number): Float32Array {
  const k = kept.get(columns);
  kept.delete(columns);
  return k && k.cols.length >= size ? k.cols : new Float32Array(size);
}

/** The key of a geometry and batch size in a {@linkcode Conv2dColumns}. */
function keyOf(u: Unfold, rows: number): string {
  return `${u.c} ${u.h} ${u.w} ${u.k} ${u.s} ${u.p} ${rows}`;
}

function checkWeights(op: string, w: Tensor, g: Conv2dGeometry): void {
  const ckk = g.input.c * g.kernel * g.kernel;
  if (w.rows !== g.outChannels || w.cols !== ckk) {
    throw new Error(
      `${op}: weights have shape ${shapeOf(w)}: expected ${g.outChannels}×${ckk} (out × in·k·k)`,
    );
  }
}

/**
 * The convolution y = W ⊛ x + b of a batch of images (see the module description).
 *
 * @param b The backend (`js`, `blas` or `webgpu`).
 * @param x Input images, batch × (c·h·w).
 * @param w Weights, outChannels × (c·k·k).
 * @param g The geometry.
 * @param bias Bias per output channel, 1 × outChannels (absent: none).
 * @param columns Where to keep the unfolded input for {@linkcode conv2dWeightGrad} (absent: not
 *   kept).
 * @returns Output images, batch × (outChannels·oh·ow).
 *
 * @example A 2×2 kernel of ones sums each 2×2 window
 * ```ts
 * import { conv2d, jsBackend as b } from "@plasticity/core";
 * const x = b.fromArray([1, 2, 3, 4, 5, 6, 7, 8, 9], 1, 9);
 * const y = conv2d(b, x, b.fill(1, 4, 1), { input: { c: 1, h: 3, w: 3 }, outChannels: 1, kernel: 2 });
 * console.assert(b.read(y).join() === "12,16,24,28");
 * ```
 */
export function conv2d(
  b: Backend,
  x: Tensor,
  w: Tensor,
  g: Conv2dGeometry,
  bias?: Tensor,
  columns?: Conv2dColumns,
): Tensor {
  const u = unfold(g);
  checkImages("conv2d", "input", x, g.input);
  checkWeights("conv2d", w, g);
  if (bias && (bias.rows !== 1 || bias.cols !== g.outChannels)) {
    throw new Error(`conv2d: bias has shape ${shapeOf(bias)}: expected 1×${g.outChannels}`);
  }
  if (b.images) return b.images.conv2d(x, w, g, bias);
  const raw = imageRaw(b, "conv2d");
  const o = g.outChannels, ckk = w.cols, lw = unfoldWidth(u), lplane = u.oh * lw;
  const xd = raw.data(x), wd = raw.data(w), out = new Float32Array(x.rows * o * u.oh * u.ow);
  const bd = bias ? raw.data(bias) : undefined;
  const per = imagesPerProduct(ckk, lplane, x.rows), chunk = ckk * per * lplane;
  // A wide unfolding is never kept: it is a run of copies, cheaper to do again chunk by chunk while
  // the chunk sits in cache than to read back the whole batch's columns (LeNet: 12 % of a step).
  const keep = columns && lw === u.ow && ckk * x.rows * lplane <= KEEP_MAX ? columns : undefined;
  // Kept columns: one chunk after the other in the kept buffer; else one scratch chunk.
  // Kept columns are never wide, so only the scratch chunk needs room to stage a padded channel.
  const all = keep
    ? keepBuffer(keep, Math.ceil(x.rows / per) * chunk)
    : new Float32Array(chunk + stageLength(u, lw));
  const yb = new Float32Array(o * per * lplane);
  for (let n0 = 0, at = 0; n0 < x.rows; n0 += per, at += keep ? chunk : 0) {
    const nb = Math.min(per, x.rows - n0), ld = nb * lplane;
    unfoldImages(xd, u, lw, n0, nb, all, at);
    const cols = all.subarray(at, at + chunk);
    yb.fill(0, 0, o * ld);
    raw.gemmInto(wd, cols, yb, { m: o, k: ckk, n: ld });
    regroup(out, yb, n0, nb, o, u.oh, u.ow, lw, false, bd);
  }
  if (keep) kept.set(keep, { x, key: keyOf(u, x.rows), cols: all });
  return raw.wrap(out, x.rows, o * u.oh * u.ow);
}

/**
 * ∂ℒ/∂x of a convolution: col2im(Wᵀ δₙ) for each image n.
 *
 * @param b The backend (`js`, `blas` or `webgpu`).
 * @param dy ∂ℒ/∂y, batch × (outChannels·oh·ow).
 * @param w Weights, outChannels × (c·k·k).
 * @param g The geometry.
 * @returns ∂ℒ/∂x, batch × (c·h·w).
 *
 * @example Each input pixel of a 1×1 convolution gets w·δ
 * ```ts
 * import { conv2dInputGrad, jsBackend as b } from "@plasticity/core";
 * const dx = conv2dInputGrad(b, b.fromArray([1, 2], 1, 2), b.fill(1, 1, 3), { input: { c: 1, h: 1, w: 2 }, outChannels: 1, kernel: 1 });
 * console.assert(b.read(dx).join() === "3,6");
 * ```
 */
export function conv2dInputGrad(b: Backend, dy: Tensor, w: Tensor, g: Conv2dGeometry): Tensor {
  const u = unfold(g);
  checkWeights("conv2dInputGrad", w, g);
  checkImages("conv2dInputGrad", "output gradient", dy, conv2dOutputShape(g));
  if (b.images) return b.images.conv2dInputGrad(dy, w, g);
  const raw = imageRaw(b, "conv2dInputGrad");
  const o = g.outChannels, ckk = w.cols, inSize = imageSize(g.input);
  const lw = unfoldWidth(u), lplane = u.oh * lw;
  const dyd = raw.data(dy), dx = new Float32Array(dy.rows * inSize);
  // A backend that copies transposed operands gets Wᵀ once instead of once per product.
  const wT = raw.copiesTransposes ? raw.data(b.transpose(w)) : undefined;
  const wd = wT ?? raw.data(w);
  const per = imagesPerProduct(ckk, lplane, dy.rows);
  const cols = new Float32Array(ckk * per * lplane), db = new Float32Array(o * per * lplane);
  const pad = lw === u.ow ? undefined : padBuffer(u);
  for (let n0 = 0; n0 < dy.rows; n0 += per) {
    const nb = Math.min(per, dy.rows - n0), ld = nb * lplane;
    regroup(dyd, db, n0, nb, o, u.oh, u.ow, lw, true);
    cols.fill(0, 0, ckk * ld);
    raw.gemmInto(wd, db, cols, { m: ckk, k: o, n: ld, transA: wT === undefined });
    for (let n = 0; n < nb; n++) {
      if (pad) col2imWide(cols, u, pad, dx, (n0 + n) * inSize, ld, n * lplane);
      else col2im(cols, u, dx, (n0 + n) * inSize, ld, n * lplane);
    }
  }
  return raw.wrap(dx, dy.rows, inSize);
}

/**
 * ∂ℒ/∂W of a convolution: Σₙ δₙ X̃ₙᵀ over the images of the batch.
 *
 * @param b The backend (`js`, `blas` or `webgpu`).
 * @param x Input images, batch × (c·h·w).
 * @param dy ∂ℒ/∂y, batch × (outChannels·oh·ow).
 * @param g The geometry.
 * @param columns The unfolded input kept by {@linkcode conv2d} for this `x` and geometry, used
 *   instead of unfolding `x` again (absent, or kept for another input: unfolded here).
 * @returns ∂ℒ/∂W, outChannels × (c·k·k).
 *
 * @example A 1×1 convolution's weight gradient is Σ x·δ
 * ```ts
 * import { conv2dWeightGrad, jsBackend as b } from "@plasticity/core";
 * const dw = conv2dWeightGrad(b, b.fromArray([1, 2], 1, 2), b.fromArray([3, 4], 1, 2), { input: { c: 1, h: 1, w: 2 }, outChannels: 1, kernel: 1 });
 * console.assert(b.read(dw)[0] === 11);
 * ```
 */
export function conv2dWeightGrad(
  b: Backend,
  x: Tensor,
  dy: Tensor,
  g: Conv2dGeometry,
  columns?: Conv2dColumns,
): Tensor {
  const u = unfold(g);
  checkImages("conv2dWeightGrad", "input", x, g.input);
  checkImages("conv2dWeightGrad", "output gradient", dy, conv2dOutputShape(g));
  if (dy.rows !== x.rows) {
    throw new Error(
      `conv2dWeightGrad: output gradient has ${dy.rows} rows: expected ${x.rows}, the batch of the input`,
    );
  }
  if (b.images) return b.images.conv2dWeightGrad(x, dy, g);
  const raw = imageRaw(b, "conv2dWeightGrad");
  const o = g.outChannels, ckk = g.input.c * u.k * u.k, lw = unfoldWidth(u), lplane = u.oh * lw;
  const xd = raw.data(x), dyd = raw.data(dy), dw = new Float32Array(o * ckk);
  const k = columns ? kept.get(columns) : undefined;
  const reuse = k !== undefined && k.x === x && k.key === keyOf(u, x.rows);
  const per = imagesPerProduct(ckk, lplane, x.rows), chunk = ckk * per * lplane;
  const scratch = reuse ? undefined : new Float32Array(chunk + stageLength(u, lw));
  const db = new Float32Array(o * per * lplane);
  for (let n0 = 0, at = 0; n0 < x.rows; n0 += per, at += chunk) {
    const nb = Math.min(per, x.rows - n0), ld = nb * lplane;
    // The forward pass's chunk of columns when kept for this input, else unfolded again here.
    const cols = scratch ?? k!.cols.subarray(at, at + chunk);
    if (scratch) unfoldImages(xd, u, lw, n0, nb, scratch, 0);
    regroup(dyd, db, n0, nb, o, u.oh, u.ow, lw, true);
    raw.gemmInto(db, cols, dw, { m: o, k: ld, n: ckk, transB: true });
  }
  return raw.wrap(dw, o, ckk);
}

/**
 * ∂ℒ/∂b of a convolution: each output channel's gradient summed over the batch and the pixels.
 *
 * @param b The backend (`js`, `blas` or `webgpu`).
 * @param dy ∂ℒ/∂y, batch × (outChannels·oh·ow).
 * @param g The geometry.
 * @returns ∂ℒ/∂b, 1 × outChannels.
 *
 * @example
 * ```ts
 * import { conv2dBiasGrad, jsBackend as b } from "@plasticity/core";
 * const db = conv2dBiasGrad(b, b.fromArray([1, 2, 3, 4], 1, 4), { input: { c: 1, h: 1, w: 2 }, outChannels: 2, kernel: 1 });
 * console.assert(b.read(db).join() === "3,7");
 * ```
 */
export function conv2dBiasGrad(b: Backend, dy: Tensor, g: Conv2dGeometry): Tensor {
  const out = conv2dOutputShape(g);
  checkImages("conv2dBiasGrad", "output gradient", dy, out);
  if (b.images) return b.images.conv2dBiasGrad(dy, g);
  const raw = imageRaw(b, "conv2dBiasGrad");
  const o = g.outChannels, plane = out.h * out.w, d = raw.data(dy);
  const db = new Float32Array(o);
  for (let j = 0; j < o; j++) {
    // Four float64 partial sums: the adds of one chain wait on each other, four chains do not.
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let n = 0; n < dy.rows; n++) {
      const off = (n * o + j) * plane, end = off + plane;
      let q = off;
      for (; q + 3 < end; q += 4) {
        s0 += d[q]!;
        s1 += d[q + 1]!;
        s2 += d[q + 2]!;
        s3 += d[q + 3]!;
      }
      for (; q < end; q++) s0 += d[q]!;
    }
    db[j] = (s0 + s1) + (s2 + s3);
  }
  return raw.wrap(db, 1, o);
}
