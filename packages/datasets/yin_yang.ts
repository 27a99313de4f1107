/**
 * The yin-yang dataset of Kriener et al. (2021), as used by the PAL microcircuit experiments.
 *
 * @module
 */
import type { Rng } from "@plasticity/core";

/**
 * The class of a point of the yin-yang figure (circle of radius `rBig` centred at (rBig, rBig)).
 * With `d_R` and `d_L` the distances to the right dot (1.5 rBig, rBig) and the left dot
 * (0.5 rBig, rBig):
 * - 2 ("dot") if `d_R < rSmall` or `d_L < rSmall`;
 * - else 1 ("yang") if `d_R ≤ rSmall`, or `rSmall < d_L ≤ rBig/2`, or (`y > rBig` and `d_R > rBig/2`);
 * - else 0 ("yin").
 *
 * @param x First coordinate.
 * @param y Second coordinate.
 * @param rSmall Radius of the dots (0.1).
 * @param rBig Radius of the figure (0.5).
 * @returns 0, 1 or 2.
 *
 * @example
 * ```ts
 * import { yinYangClass } from "@plasticity/datasets";
 * console.assert(yinYangClass(0.25, 0.5) === 2 && yinYangClass(0.5, 0.9) === 1);
 * ```
 */
export function yinYangClass(x: number, y: number, rSmall = 0.1, rBig = 0.5): number {
  const dR = Math.hypot(x - 1.5 * rBig, y - rBig);
  const dL = Math.hypot(x - 0.5 * rBig, y - rBig);
  if (dR < rSmall || dL < rSmall) return 2;
  const yang = dR <= rSmall || (dL > rSmall && dL <= 0.5 * rBig) || (y > rBig && dR > 0.5 * rBig);
  return yang ? 1 : 0;
}

/** Raw yin-yang samples. */
export interface YinYangSamples {
  /** `n × 4` inputs (x, y, 1 − x, 1 − y). */
  readonly x: Float32Array;
  /** Class per sample. */
  readonly labels: Int32Array;
}

/**
 * Generates `size` yin-yang samples like Kriener et al.'s `YinYangDataset`: per sample, draw the
 * goal class with `randint(3)`, then draw (x, y) = 2 rBig · `rand(2)` until the point lies in the
 * big circle (distance to (rBig, rBig) ≤ rBig) and has the goal class. The input is
 * (x, y, 1 − x, 1 − y). With a `NumpyRandomState(seed)` this gives the same samples as the Python
 * generator with `RandomState(seed)`.
 *
 * @param size Number of samples.
 * @param rng The generator (use `NumpyRandomState` for bit-compatibility).
 * @param rSmall Radius of the dots.
 * @param rBig Radius of the figure.
 * @returns The samples.
 *
 * @example
 * ```ts
 * import { NumpyRandomState } from "@plasticity/core";
 * import { generateYinYang } from "@plasticity/datasets";
 * const s = generateYinYang(30, new NumpyRandomState(42));
 * console.assert(s.x.length === 120 && s.labels.length === 30);
 * ```
 */
export function generateYinYang(size: number, rng: Rng, rSmall = 0.1, rBig = 0.5): YinYangSamples {
  if (!Number.isInteger(size) || size < 0) {
    throw new Error(
      `Invalid yin-yang size ${JSON.stringify(size)}: expected a non-negative integer`,
    );
  }
  if (!(rSmall > 0 && rBig > 2 * rSmall)) {
    throw new Error(
      `Invalid yin-yang radii r_small ${rSmall}, r_big ${rBig}: expected 0 < 2 r_small < r_big`,
    );
  }
  const x = new Float32Array(size * 4);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const goal = rng.int(3);
    let px: number, py: number;
    for (;;) {
      px = rng.next() * 2 * rBig;
      py = rng.next() * 2 * rBig;
      if (Math.hypot(px - rBig, py - rBig) > rBig) continue;
      if (yinYangClass(px, py, rSmall, rBig) === goal) break;
    }
    x[4 * i] = px;
    x[4 * i + 1] = py;
    x[4 * i + 2] = 1 - px;
    x[4 * i + 3] = 1 - py;
    labels[i] = goal;
  }
  return { x, labels };
}
