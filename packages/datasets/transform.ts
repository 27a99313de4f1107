/**
 * Pre-processing shared by the image datasets: one-hot targets, pixel normalisations, grayscale
 * conversion and per-class subsets, exactly as the papers' repositories do them.
 *
 * @module
 */
import type { Rng } from "@plasticity/core";

/** Names of the pixel normalisations. */
export const NORMALIZATIONS = [
  "none",
  "unit",
  "div256",
  "mnist",
  "fashion-mnist",
  "cifar",
  "cifar-corinfomax",
] as const;

/**
 * A pixel normalisation applied to raw bytes `b` in 0..255:
 * - `none`: `b` (raw 0..255 values);
 * - `unit`: `b / 255` (torchvision `ToTensor`);
 * - `div256`: `b / 256` (the PAL GeNN code);
 * - `mnist`: `(b / 255 − 0.1307) / 0.3081` (bioflax);
 * - `fashion-mnist`: `(b / 255 − 0.2859) / 0.3530` (BioTorch's Fashion MNIST);
 * - `cifar`: per channel `(b / 255 − m_c) / s_c` with {@linkcode CIFAR_MEAN} and {@linkcode CIFAR_STD};
 * - `cifar-corinfomax`: the same with three times the std (CorInfoMax).
 */
export type Normalization = typeof NORMALIZATIONS[number];

/** MNIST pixel mean of `b / 255`. */
export const MNIST_MEAN = 0.1307;
/** MNIST pixel std of `b / 255`. */
export const MNIST_STD = 0.3081;
/** Fashion MNIST pixel mean of `b / 255` (BioTorch's). */
export const FASHION_MNIST_MEAN = 0.2859;
/** Fashion MNIST pixel std of `b / 255` (BioTorch's). */
export const FASHION_MNIST_STD = 0.3530;
/** CIFAR-10 per-channel (R, G, B) mean of `b / 255`. */
export const CIFAR_MEAN: readonly number[] = [0.4914, 0.4822, 0.4465];
/** CIFAR-10 per-channel (R, G, B) std used by the seeds. */
export const CIFAR_STD: readonly number[] = [0.2023, 0.1994, 0.2010];

/**
 * One-hot targets `y[i, labels[i]] = on`, every other entry `off`.
 *
 * @param labels Class index per sample.
 * @param classes Number of classes.
 * @param values `[off, on]`, e.g. `[0, 1]`, `[-1, 1]`, `[0.03, 0.97]`, `[0.1, 1]`.
 * @returns `labels.length × classes`, row-major.
 *
 * @example
 * ```ts
 * import { oneHot } from "@plasticity/datasets";
 * const y = oneHot(Int32Array.of(2, 0), 3, [-1, 1]);
 * console.assert(y.join() === "-1,-1,1,1,-1,-1");
 * ```
 */
export function oneHot(
  labels: ArrayLike<number>,
  classes: number,
  values: readonly number[],
): Float32Array {
  if (values.length !== 2) {
    throw new Error(
      `Invalid target_values ${JSON.stringify(values)}: expected two numbers [off, on]`,
    );
  }
  const off = values[0]!, on = values[1]!;
  const y = new Float32Array(labels.length * classes).fill(off);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new Error(
        `Invalid label ${JSON.stringify(c)} at sample ${i}: expected an integer in [0, ${classes})`,
      );
    }
    y[i * classes + c] = on;
  }
  return y;
}

/**
 * Converts raw pixel bytes to floats with a normalisation (see {@linkcode Normalization}).
 *
 * @param `n × channels × plane` bytes, channel-major within a sample.
 * @param normalize The normalisation.
 * @param channels 1 for grayscale, 3 for RGB (needed by the CIFAR normalisations).
 * @param plane Pixels per channel (needed when `channels > 1`).
 * @returns A `Float32Array` of the same length.
 *
 * @example
 * ```ts
 * import { pixelsToFloat } from "@plasticity/datasets";
 * const x = pixelsToFloat(Uint8Array.of(0, 255), "unit", 1);
 * console.assert(x[0] === 0 && x[1] === 1);
 * ```
 */
export function pixelsToFloat(
  bytes: Uint8Array,
  normalize: Normalization,
  channels = 1,
  plane = 0,
): Float32Array {
  const out = new Float32Array(bytes.length);
  // A lookup table per channel keeps the loop a single indexed copy.
  const tables: Float32Array[] = [];
  const cifar = normalize === "cifar" || normalize === "cifar-corinfomax";
  if (cifar && channels !== 3) {
    throw new Error(
      `Invalid normalize "${normalize}": it needs 3 colour channels, got ${channels} (grayscale is on?)`,
    );
  }
  for (let c = 0; c < channels; c++) {
    const t = new Float32Array(256);
    for (let b = 0; b < 256; b++) {
      switch (normalize) {
        case "none":
          t[b] = b;
          break;
        case "unit":
          t[b] = b / 255;
          break;
        case "div256":
          t[b] = b / 256;
          break;
        case "mnist":
          t[b] = (b / 255 - MNIST_MEAN) / MNIST_STD;
          break;
        case "fashion-mnist":
          t[b] = (b / 255 - FASHION_MNIST_MEAN) / FASHION_MNIST_STD;
          break;
        case "cifar":
        case "cifar-corinfomax": {
          const k = normalize === "cifar" ? 1 : 3;
          t[b] = (b / 255 - CIFAR_MEAN[c]!) / (k * CIFAR_STD[c]!);
          break;
        }
        default:
          throw new Error(
            `Unknown normalize ${JSON.stringify(normalize)}: expected one of ${
              NORMALIZATIONS.join(", ")
            }`,
          );
      }
    }
    tables.push(t);
  }
  if (channels === 1) {
    const t = tables[0]!;
    for (let i = 0; i < bytes.length; i++) out[i] = t[bytes[i]!]!;
    return out;
  }
  const sample = channels * plane;
  if (!(plane > 0) || bytes.length % sample !== 0) {
    throw new Error(
      `Invalid pixel buffer of ${bytes.length} bytes: expected a multiple of ${channels} × ${plane}`,
    );
  }
  for (let s = 0; s < bytes.length; s += sample) {
    for (let c = 0; c < channels; c++) {
      const t = tables[c]!, o = s + c * plane;
      for (let i = o; i < o + plane; i++) out[i] = t[bytes[i]!]!;
    }
  }
  return out;
}

/**
 * RGB to grayscale exactly as PIL's `convert("L")` (used by torchvision `Grayscale`):
 * `L = (19595 R + 38470 G + 7471 B + 2¹⁵) >> 16`, i.e. ITU-R 601 luma 0.299 R + 0.587 G + 0.114 B
 * rounded to a byte.
 *
 * @param rgb `n × 3 × plane` bytes, channel-major per sample (CIFAR's layout).
 * @param plane Pixels per channel (1024 for CIFAR-10).
 * @returns `n × plane` grayscale bytes.
 *
 * @example
 * ```ts
 * import { grayscale } from "@plasticity/datasets";
 * console.assert(grayscale(Uint8Array.of(255, 255, 255), 1)[0] === 255);
 * ```
 */
export function grayscale(rgb: Uint8Array, plane: number): Uint8Array {
  const n = rgb.length / (3 * plane);
  if (!Number.isInteger(n)) {
    throw new Error(
      `Invalid RGB buffer of ${rgb.length} bytes: expected a multiple of 3 × ${plane}`,
    );
  }
  const out = new Uint8Array(n * plane);
  for (let s = 0; s < n; s++) {
    const o = s * 3 * plane;
    for (let i = 0; i < plane; i++) {
      const r = rgb[o + i]!, g = rgb[o + plane + i]!, b = rgb[o + 2 * plane + i]!;
      out[s * plane + i] = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >>> 16;
    }
  }
  return out;
}

/**
 * `partial_dateset(partial_num = k)` of the prospective-configuration code (Song et al. 2024): `k`
 * random samples of every class (all of a class when it has fewer). Returned in increasing index
 * order.
 *
 * @param labels Class index per sample.
 * @param k Samples per class.
 * @param rng The generator.
 * @returns The chosen indices.
 *
 * @example
 * ```ts
 * import { createRng } from "@plasticity/core";
 * import { perClassIndices } from "@plasticity/datasets";
 * const idx = perClassIndices(Int32Array.of(0, 1, 0, 1, 0), 1, createRng(0));
 * console.assert(idx.length === 2);
 * ```
 */
export function perClassIndices(labels: ArrayLike<number>, k: number, rng: Rng): Int32Array {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    let list = byClass.get(c);
    if (!list) byClass.set(c, list = []);
    list.push(i);
  }
  const chosen: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const list = byClass.get(c)!;
    chosen.push(...randomSubset(list, k, rng));
  }
  return Int32Array.from(chosen.sort((a, b) => a - b));
}

/**
 * A seeded random subset of `k` elements of `items` (all when `k ≥ items.length`), in their
 * original order.
 *
 * @param items The candidates.
 * @param k How many to keep.
 * @param rng The generator.
 * @returns The kept elements.
 *
 * @example
 * ```ts
 * import { createRng } from "@plasticity/core";
 * import { randomSubset } from "@plasticity/datasets";
 * console.assert(randomSubset([5, 6, 7], 2, createRng(1)).length === 2);
 * ```
 */
export function randomSubset(items: ArrayLike<number>, k: number, rng: Rng): number[] {
  const n = items.length;
  if (k >= n) return Array.from(items);
  // Partial Fisher–Yates: the first k positions become a uniform random k-subset.
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.slice(0, k).sort((a, b) => a - b).map((i) => items[i]!);
}
