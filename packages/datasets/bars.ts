/**
 * The bars dataset of the PAL GeNN code (`BarsDataset` in `microcircuits/Dataset.py` of
 * unibe-cns/pal_microcircuits_genn): s × s images holding one horizontal bar (class 0), one
 * vertical bar (class 1) or one of the two diagonals (class 2), with uniform noise added.
 *
 * @module
 */
import type { Rng } from "@plasticity/core";

/** Options of {@linkcode generateBars} (names as the GeNN code's arguments). */
export interface BarsOptions {
  /** Side s of the square image (s ≥ 2); each sample has s² inputs. */
  squareSize: number;
  /** Samples of each class. */
  samplesPerClass: number;
  /** Value of the background pixels (`bottom_left`, default 0). */
  low?: number;
  /** Value of the bar's pixels (`top_right`, default 1); must exceed `low`. */
  high?: number;
  /** Width of the uniform noise added to every pixel (`noise_level`, default 0.01). */
  noise?: number;
}

/** Bars samples: inputs and class labels. */
export interface BarsSamples {
  /** `n × s²` inputs, row-major images. */
  readonly x: Float32Array;
  /** Class per sample: 0 horizontal, 1 vertical, 2 diagonal. */
  readonly labels: Int32Array;
}

/**
 * The noiseless patterns of each class, in the order the GeNN code cycles through them, as
 * row-major s × s images of `low` and `high`:
 * - class 0: the s horizontal bars, in numpy's lexicographic order (`np.unique(…, axis=0)` of the
 *   permutations of one high row among s − 1 low rows): with low < high, the bar in row s − 1
 *   first, then row s − 2, …, row 0 last;
 * - class 1: the transposes of those, i.e. the bar in column s − 1 first, …, column 0 last;
 * - class 2: the main diagonal (pixel (i, i) high), then the anti-diagonal (pixel (i, s − 1 − i)).
 *
 * @param s Side of the image (≥ 2).
 * @param low Background value.
 * @param high Bar value (> low).
 * @returns Three lists of patterns, one per class.
 *
 * @example
 * ```ts
 * import { barsPatterns } from "@plasticity/datasets/bars";
 * const [h, v, d] = barsPatterns(3, 0, 1);
 * console.assert(h!.length === 3 && v!.length === 3 && d!.length === 2);
 * console.assert(h![0]!.join("") === "000000111" && v![0]!.join("") === "001001001");
 * console.assert(d![1]!.join("") === "001010100");
 * ```
 */
export function barsPatterns(s: number, low = 0, high = 1): Float64Array[][] {
  checkBars(s, low, high);
  const image = (on: (i: number, j: number) => boolean) => {
    const p = new Float64Array(s * s);
    for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) p[i * s + j] = on(i, j) ? high : low;
    return p;
  };
  const rows = Array.from({ length: s }, (_, k) => s - 1 - k);
  return [
    rows.map((r) => image((i) => i === r)),
    rows.map((c) => image((_, j) => j === c)),
    [image((i, j) => i === j), image((i, j) => j === s - 1 - i)],
  ];
}

function checkBars(s: number, low: number, high: number): void {
  if (!Number.isInteger(s) || s < 2) {
    throw new Error(`Invalid bars square size ${JSON.stringify(s)}: expected an integer ≥ 2`);
  }
  if (!(Number.isFinite(low) && Number.isFinite(high) && low < high)) {
    throw new Error(
      `Invalid bars values bottom_left ${low}, top_right ${high}: expected finite bottom_left < top_right`,
    );
  }
}

/**
 * Generates bars samples like the GeNN code's `BarsDataset`: `samplesPerClass` samples of class 0,
 * then of class 1, then of class 2; class c's k-th sample is pattern k mod (number of patterns) of
 * {@linkcode barsPatterns} plus `noise` · U[0, 1) per pixel, drawn pixel by pixel in row-major order
 * (`np.random.rand(s²)` per sample). With a `NumpyRandomState(seed)` the draws are those of the
 * Python generator after `np.random.seed(seed)` (values stored as float32).
 *
 * @param o Image side, samples per class, background and bar values, noise width.
 * @param rng The generator (use `NumpyRandomState` for the GeNN code's draws).
 * @returns `3 · samplesPerClass` samples.
 *
 * @example
 * ```ts
 * import { NumpyRandomState } from "@plasticity/core";
 * import { generateBars } from "@plasticity/datasets/bars";
 * const b = generateBars({ squareSize: 4, samplesPerClass: 5 }, new NumpyRandomState(42));
 * console.assert(b.x.length === 15 * 16 && b.labels.join("") === "000001111122222");
 * // the first sample: the bar in row 3 plus noise below 0.01
 * console.assert(b.x[12]! >= 1 && b.x[12]! < 1.01 && b.x[0]! >= 0 && b.x[0]! < 0.01);
 * ```
 */
export function generateBars(o: BarsOptions, rng: Rng): BarsSamples {
  const s = o.squareSize, n = o.samplesPerClass, noise = o.noise ?? 0.01;
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(
      `Invalid bars samples per class ${JSON.stringify(n)}: expected a non-negative integer`,
    );
  }
  if (!(Number.isFinite(noise) && noise >= 0)) {
    throw new Error(`Invalid bars noise level ${noise}: expected a finite number ≥ 0`);
  }
  const patterns = barsPatterns(s, o.low ?? 0, o.high ?? 1);
  const dim = s * s;
  const x = new Float32Array(3 * n * dim), labels = new Int32Array(3 * n);
  let i = 0;
  for (let c = 0; c < 3; c++) {
    const ps = patterns[c]!;
    for (let k = 0; k < n; k++, i++) {
      const p = ps[k % ps.length]!;
      labels[i] = c;
      for (let j = 0; j < dim; j++) x[i * dim + j] = p[j]! + rng.next() * noise;
    }
  }
  return { x, labels };
}
