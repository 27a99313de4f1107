// Running dot products and squared norms for cosine similarities of concatenated vectors.
import type { Tensor } from "@plasticity/core";

/** Accumulates ⟨a, b⟩, ‖a‖², ‖b‖² over pieces of two long vectors (float64 sums). */
export class Alignment {
  ab = 0;
  aa = 0;
  bb = 0;

  add(a: Float32Array, b: Float32Array): void {
    let ab = 0, aa = 0, bb = 0;
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!, y = b[i]!;
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
    this.ab += ab;
    this.aa += aa;
    this.bb += bb;
  }

  merge(o: Alignment): void {
    this.ab += o.ab;
    this.aa += o.aa;
    this.bb += o.bb;
  }

  /** cos ∠(a, b), clamped to [−1, 1]; NaN when either vector is zero. */
  cos(): number {
    const c = this.ab / Math.sqrt(this.aa * this.bb);
    return c > 1 ? 1 : c < -1 ? -1 : c;
  }

  /** ‖a‖ / ‖b‖. */
  normRatio(): number {
    return Math.sqrt(this.aa / this.bb);
  }
}

/** Angle in degrees from a cosine; cosines within float rounding of 1 give exactly 0. */
export function angleFromCos(c: number): number {
  if (c > 1 - 1e-12) return 0;
  return (Math.acos(c) * 180) / Math.PI;
}

/** Shape check with a one-line message naming the matrix. */
export function checkShape(
  name: string,
  t: { rows: number; cols: number },
  rows: number,
  cols: number,
): void {
  if (t.rows !== rows || t.cols !== cols) {
    throw new Error(`${name} has shape ${t.rows}×${t.cols}: expected ${rows}×${cols}`);
  }
}

/** Reads a tensor's values. */
export type Reader = (t: Tensor) => Float32Array;
