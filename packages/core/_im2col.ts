// im2col and its adjoint col2im: the unfolding of one channel-major image into the matrix whose
// product with a convolution's weights is the convolution (Chellapilla et al. 2006).
//
// For an image x of c × h × w, kernel k, stride s, padding p and output oh × ow, the matrix `cols`
// has c·k·k rows and oh·ow columns: row (ci·k + ky)·k + kx, column oy·ow + ox holds
// x[ci, oy·s − p + ky, ox·s − p + kx], or 0 where that pixel lies in the padding.

/**
 * Images unfolded side by side per matrix product: as many as keep the block within 2¹⁸ values
 * (1 MiB of float32, about a core's L2 cache), so that small output planes (LeNet's 10×10 and
 * 1×1) share one product instead of one thin product each; large planes go one image at a time.
 *
 * @param ckk Rows of one unfolded image (c·k·k).
 * @param plane Its columns (oh·ow).
 * @param rows Images in the batch.
 * @returns Images per chunk, at least 1.
 */
export function imagesPerProduct(ckk: number, plane: number, rows: number): number {
  return Math.max(1, Math.min(rows, Math.floor((1 << 18) / Math.max(1, ckk * plane))));
}

/** The geometry both functions share. */
export interface Unfold {
  c: number;
  h: number;
  w: number;
  k: number;
  s: number;
  p: number;
  oh: number;
  ow: number;
}

/** The first and one-past-last output index o with 0 ≤ o·s − p + kk < n. */
function validRange(n: number, kk: number, s: number, p: number, count: number): [number, number] {
  const lo = Math.max(0, Math.ceil((p - kk) / s));
  const hi = Math.min(count, Math.floor((n - 1 + p - kk) / s) + 1);
  return [lo, Math.max(lo, hi)];
}

/**
 * Writes this image's block of `cols` (c·k·k rows × oh·ow columns from column `col0` of rows of
 * length `ld`; by default the image alone) from the image at `x[xOff …]`.
 */
export function im2col(
  x: Float32Array,
  xOff: number,
  g: Unfold,
  cols: Float32Array,
  ld = g.oh * g.ow,
  col0 = 0,
): void {
  // Plain loops: typed-array fill/set/subarray calls per output row cost more than the copy.
  const { c, h, w, k, s, p, oh, ow } = g, plane = oh * ow;
  let r = 0;
  for (let ci = 0; ci < c; ci++) {
    const xc = xOff + ci * h * w;
    for (let ky = 0; ky < k; ky++) {
      const [yLo, yHi] = validRange(h, ky, s, p, oh);
      for (let kx = 0; kx < k; kx++, r++) {
        const [xLo, xHi] = validRange(w, kx, s, p, ow);
        const row = r * ld + col0;
        for (let q = row; q < row + yLo * ow; q++) cols[q] = 0;
        for (let oy = yLo; oy < yHi; oy++) {
          const o = row + oy * ow, src = xc + (oy * s - p + ky) * w - p + kx;
          let ox = 0;
          for (; ox < xLo; ox++) cols[o + ox] = 0;
          for (; ox < xHi; ox++) cols[o + ox] = x[src + ox * s]!;
          for (; ox < ow; ox++) cols[o + ox] = 0;
        }
        for (let q = row + yHi * ow; q < row + plane; q++) cols[q] = 0;
      }
    }
  }
}

/**
 * The adjoint of {@linkcode im2col}: adds every element of this image's block of `cols` (same `ld`
 * and `col0`) to its pixel of `dx[dxOff …]`.
 */
export function col2im(
  cols: Float32Array,
  g: Unfold,
  dx: Float32Array,
  dxOff: number,
  ld = g.oh * g.ow,
  col0 = 0,
): void {
  const { c, h, w, k, s, p, oh, ow } = g;
  let r = 0;
  for (let ci = 0; ci < c; ci++) {
    const xc = dxOff + ci * h * w;
    for (let ky = 0; ky < k; ky++) {
      const [yLo, yHi] = validRange(h, ky, s, p, oh);
      for (let kx = 0; kx < k; kx++, r++) {
        const [xLo, xHi] = validRange(w, kx, s, p, ow);
        const row = r * ld + col0;
        for (let oy = yLo; oy < yHi; oy++) {
          const o = row + oy * ow, dst = xc + (oy * s - p + ky) * w - p + kx;
          for (let ox = xLo; ox < xHi; ox++) dx[dst + ox * s]! += cols[o + ox]!;
        }
      }
    }
  }
}
