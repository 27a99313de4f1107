// Column blocks for OpenBLAS's small-matrix GEMM kernel (private to the blas backend).
//
// On its AVX-512 cores OpenBLAS (0.3.17 and later) computes a single-precision product of at most
// 10⁶ multiply-adds with a kernel that reads A and B in place; a larger product packs both
// operands first, and with few rows the packing of B (k × n, read once per call) is a large part
// of the call. Splitting the columns of B and C into blocks that each fit the small kernel skips
// the packing. Measured on a Cooperlake core (one thread, medians of five to seven runs), the
// widest block whose width is a multiple of 64 (32 where 64 columns do not fit) takes of the whole
// call's time: 20 × 500 by 500 × 500 (64 columns) 0.71–0.73, 20 × 784 by 784 × 500 (32) 0.75,
// 8 × 500 by 500 × 500 (192) 0.52, 48 × 256 by 256 × 512 (64) 0.76, 4 × 784 by 784 × 512 (256)
// 0.34, and the im2col products of small convolutions 6 × 25 by 25 × 50 176 (6656) 0.43,
// 16 × 150 by 150 × 1600 (384) 0.66. Widths that are not multiples of 32 are slower (96 columns:
// 0.83 at 20 × 500 by 500 × 500), and narrow blocks of a product with a short k lose to the call
// overhead (32 columns: 1.84 at 6 × 25 by 25 × 50 176). A single row, 64 rows and more, or a
// transposed operand gain nothing or unevenly (0.67–1.08), so those products stay whole.

/** OpenBLAS core names (`openblas_get_corename`) that have the small-matrix SGEMM kernel. */
export const SMALL_KERNEL_CORES: ReadonlySet<string> = new Set([
  "SkylakeX",
  "Cooperlake",
  "SapphireRapids",
]);

/** The largest m·n·k OpenBLAS hands to its small-matrix kernel. */
export const SMALL_KERNEL_MNK = 1_000_000;

/** The fewest and the most rows of a product that is split. */
export const SPLIT_ROWS = { min: 4, max: 48 } as const;

/**
 * The width of the column blocks for an m × k by k × n product: the widest multiple of 64 whose
 * block has at most {@linkcode SMALL_KERNEL_MNK} multiply-adds, or 32 where 64 columns do not fit;
 * 0 when the product stays whole (it fits the small kernel already, has too few or too many rows, a
 * transposed operand, or not even 32 columns fit).
 *
 * @param m Rows of op(a) and c.
 * @param k Columns of op(a), rows of op(b).
 * @param n Columns of op(b) and c.
 * @param transA Whether a is stored transposed.
 * @param transB Whether b is stored transposed.
 * @returns The block width, or 0.
 */
export function columnBlock(
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
): number {
  if (transA || transB || m < SPLIT_ROWS.min || m > SPLIT_ROWS.max) return 0;
  if (m * k * n <= SMALL_KERNEL_MNK) return 0;
  // n > 10⁶ / (m k) ≥ w here, so there are always at least two blocks
  const wide = Math.floor(SMALL_KERNEL_MNK / (m * k) / 64) * 64;
  return wide >= 64 ? wide : m * k * 32 <= SMALL_KERNEL_MNK ? 32 : 0;
}
