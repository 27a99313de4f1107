/**
 * Images on the 2-D tensor interface: a batch of images is an ordinary `batch × (c·h·w)`
 * {@linkcode Tensor} whose row n holds image n in channel-major (NCHW) order, element (c, y, x) at
 * column (c·h + y)·w + x, with its {@linkcode ImageShape} carried beside it by the caller (the
 * network knows the shape of every layer). This is PyTorch's memory layout of an `N × C × H × W`
 * tensor, so:
 *
 * - `flatten` (PyTorch's `torch.flatten(x, 1)`) is the identity on the tensor: a dense layer after
 *   it reads the row as it is;
 * - every elementwise operation of the {@linkcode Backend} (activations and their derivatives,
 *   `mul`, `axpy`, the optimisers) applies to images unchanged;
 * - a convolution of one image is one matrix product on this layout (see `conv2d.ts`).
 *
 * The shape is carried beside the tensor rather than in it so that the {@linkcode Tensor} and
 * {@linkcode Backend} interfaces, every backend and every rule stay exactly as they are.
 *
 * This file holds the shapes and geometry of the 2-D image operations (convolution, pooling).
 *
 * @module
 */
import { shapeOf, type Tensor } from "./tensor.ts";

/**
 * The shape of one image: `c` channels of `h × w` pixels, stored channel-major in a tensor row of
 * `c·h·w` columns.
 *
 * @example
 * ```ts
 * import { type ImageShape, imageSize } from "@plasticity/core";
 * const mnist: ImageShape = { c: 1, h: 28, w: 28 };
 * console.assert(imageSize(mnist) === 784);
 * ```
 */
export interface ImageShape {
  /** Channels. */
  readonly c: number;
  /** Height in pixels. */
  readonly h: number;
  /** Width in pixels. */
  readonly w: number;
}

/**
 * The geometry of a 2-D convolution (PyTorch's `Conv2d` with square kernel, stride and padding,
 * zero padding, dilation 1, one group): `input` images of `c` channels convolved with
 * `outChannels × c × kernel × kernel` weights.
 */
export interface Conv2dGeometry {
  /** Shape of one input image. */
  readonly input: ImageShape;
  /** Output channels. */
  readonly outChannels: number;
  /** Kernel height and width. */
  readonly kernel: number;
  /** Step between neighbouring windows (default 1). */
  readonly stride?: number;
  /** Zeros added on every side of the image (default 0). */
  readonly padding?: number;
}

/**
 * The geometry of a 2-D pooling (PyTorch's `MaxPool2d` / `AvgPool2d` with square windows, no
 * padding, `ceil_mode` false): windows of `size × size` pixels every `stride` pixels, per channel.
 */
export interface Pool2dGeometry {
  /** Shape of one input image. */
  readonly input: ImageShape;
  /** Window height and width. */
  readonly size: number;
  /** Step between neighbouring windows (default: the window size). */
  readonly stride?: number;
}

/**
 * The number of values of one image, c·h·w.
 *
 * @param s The shape.
 * @returns c·h·w.
 *
 * @example
 * ```ts
 * import { imageSize } from "@plasticity/core";
 * console.assert(imageSize({ c: 3, h: 32, w: 32 }) === 3072);
 * ```
 */
export function imageSize(s: ImageShape): number {
  return s.c * s.h * s.w;
}

/**
 * Output length of a sliding window along one axis, ⌊(n + 2p − k)/s⌋ + 1 (PyTorch's formula for
 * dilation 1 and `ceil_mode` false); 0 or less when the window does not fit.
 *
 * @param n Input length.
 * @param k Window length.
 * @param s Stride.
 * @param p Padding on each side.
 * @returns The output length.
 *
 * @example
 * ```ts
 * import { windowCount } from "@plasticity/core";
 * console.assert(windowCount(32, 3, 2, 1) === 16 && windowCount(28, 5, 1, 0) === 24);
 * ```
 */
export function windowCount(n: number, k: number, s: number, p: number): number {
  return Math.floor((n + 2 * p - k) / s) + 1;
}

function checkPositiveInt(what: string, v: number, op: string, min = 1): void {
  if (!Number.isInteger(v) || v < min) {
    throw new Error(`${op}: ${what} ${v} is invalid: expected an integer ≥ ${min}`);
  }
}

function checkImage(s: ImageShape, op: string): void {
  checkPositiveInt("input channels", s.c, op);
  checkPositiveInt("input height", s.h, op);
  checkPositiveInt("input width", s.w, op);
}

/**
 * The output image shape of a convolution, checking the geometry: every size a positive integer,
 * padding a non-negative one, and the kernel fitting the padded image.
 *
 * @param g The geometry.
 * @returns `outChannels × oh × ow`, with oh = ⌊(h + 2p − k)/s⌋ + 1 (and ow alike).
 * @throws {Error} One line naming the bad size.
 *
 * @example LeNet's first layer on MNIST (5×5 kernels, padding 2)
 * ```ts
 * import { conv2dOutputShape } from "@plasticity/core";
 * const o = conv2dOutputShape({ input: { c: 1, h: 28, w: 28 }, outChannels: 6, kernel: 5, padding: 2 });
 * console.assert(o.c === 6 && o.h === 28 && o.w === 28);
 * ```
 */
export function conv2dOutputShape(g: Conv2dGeometry): ImageShape {
  const op = "conv2d", s = g.stride ?? 1, p = g.padding ?? 0;
  checkImage(g.input, op);
  checkPositiveInt("output channels", g.outChannels, op);
  checkPositiveInt("kernel", g.kernel, op);
  checkPositiveInt("stride", s, op);
  checkPositiveInt("padding", p, op, 0);
  const h = windowCount(g.input.h, g.kernel, s, p), w = windowCount(g.input.w, g.kernel, s, p);
  if (h < 1 || w < 1) {
    throw new Error(
      `conv2d: kernel ${g.kernel} does not fit the ${g.input.h}×${g.input.w} image with padding ${p}: expected kernel ≤ ${
        Math.min(g.input.h, g.input.w) + 2 * p
      }`,
    );
  }
  return { c: g.outChannels, h, w };
}

/**
 * The output image shape of a pooling, checking the geometry.
 *
 * @param g The geometry.
 * @returns `c × oh × ow`, oh = ⌊(h − size)/stride⌋ + 1 (and ow alike).
 * @throws {Error} One line naming the bad size.
 *
 * @example
 * ```ts
 * import { pool2dOutputShape } from "@plasticity/core";
 * const o = pool2dOutputShape({ input: { c: 6, h: 28, w: 28 }, size: 2 });
 * console.assert(o.c === 6 && o.h === 14 && o.w === 14);
 * ```
 */
export function pool2dOutputShape(g: Pool2dGeometry): ImageShape {
  const op = "pool2d", s = g.stride ?? g.size;
  checkImage(g.input, op);
  checkPositiveInt("window size", g.size, op);
  checkPositiveInt("stride", s, op);
  const h = windowCount(g.input.h, g.size, s, 0), w = windowCount(g.input.w, g.size, s, 0);
  if (h < 1 || w < 1) {
    throw new Error(
      `pool2d: window ${g.size} does not fit the ${g.input.h}×${g.input.w} image: expected size ≤ ${
        Math.min(g.input.h, g.input.w)
      }`,
    );
  }
  return { c: g.input.c, h, w };
}

/**
 * Throws unless `t` holds a batch of images of shape `s` (`batch × c·h·w`).
 *
 * @param op The operation, for the message.
 * @param what Which operand, for the message.
 * @param t The tensor.
 * @param s The image shape.
 *
 * @example
 * ```ts
 * import { checkImages, jsBackend } from "@plasticity/core";
 * try { checkImages("conv2d", "input", jsBackend.zeros(2, 10), { c: 1, h: 4, w: 4 }); } catch (e) {
 *   console.assert((e as Error).message === "conv2d: input has shape 2×10: expected batch×16 (1×4×4 images)");
 * }
 * ```
 */
export function checkImages(op: string, what: string, t: Tensor, s: ImageShape): void {
  if (t.cols !== imageSize(s)) {
    throw new Error(
      `${op}: ${what} has shape ${shapeOf(t)}: expected batch×${
        imageSize(s)
      } (${s.c}×${s.h}×${s.w} images)`,
    );
  }
}
