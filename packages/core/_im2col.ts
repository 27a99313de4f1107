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

/** The first output index o with 0 ≤ o·s − p + kk (the first that reads inside the image). */
function validLo(kk: number, s: number, p: number): number {
  return Math.max(0, Math.ceil((p - kk) / s));
}

/** One past the last output index o < count with o·s − p + kk < n, at least `lo`. */
function validHi(n: number, kk: number, s: number, p: number, count: number, lo: number): number {
  return Math.max(lo, Math.min(count, Math.floor((n - 1 + p - kk) / s) + 1));
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
  if (p === 0 && k === h && k === w) {
    // The kernel covers the image (one output pixel): row r holds pixel r, one column.
    for (let r = 0; r < c * h * w; r++) cols[r * ld + col0] = x[xOff + r]!;
    return;
  }
  let r = 0;
  for (let ci = 0; ci < c; ci++) {
    const xc = xOff + ci * h * w;
    for (let ky = 0; ky < k; ky++) {
      const yLo = validLo(ky, s, p), yHi = validHi(h, ky, s, p, oh, yLo);
      for (let kx = 0; kx < k; kx++, r++) {
        const xLo = validLo(kx, s, p), xHi = validHi(w, kx, s, p, ow, xLo);
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
  if (p === 0 && k === h && k === w) {
    for (let r = 0; r < c * h * w; r++) dx[dxOff + r]! += cols[r * ld + col0]!;
    return;
  }
  let r = 0;
  for (let ci = 0; ci < c; ci++) {
    const xc = dxOff + ci * h * w;
    for (let ky = 0; ky < k; ky++) {
      const yLo = validLo(ky, s, p), yHi = validHi(h, ky, s, p, oh, yLo);
      for (let kx = 0; kx < k; kx++, r++) {
        const xLo = validLo(kx, s, p), xHi = validHi(w, kx, s, p, ow, xLo);
        const row = r * ld + col0;
        for (let oy = yLo; oy < yHi; oy++) {
          const o = row + oy * ow, dst = xc + (oy * s - p + ky) * w - p + kx;
          for (let ox = xLo; ox < xHi; ox++) dx[dst + ox * s]! += cols[o + ox]!;
        }
      }
    }
  }
}

/**
 * The width of one output row in the unfolded block. A stride-1 convolution whose padded width
 * w + 2p is at most 1.5 × ow is unfolded "wide": its output rows are computed at every column of
 * the padded image (w + 2p of them, the last k − 1 being discarded), because then each row of
 * the unfolded image is one contiguous run of the padded image ({@linkcode im2colWide}): a copy
 * instead of a gather, at the price of (w + 2p)/ow times the product's columns. Otherwise ow.
 *
 * @param g The geometry.
 * @returns w + 2p when unfolded wide, else ow.
 */
export function unfoldWidth(g: Unfold): number {
  const wp = g.w + 2 * g.p;
  return g.s === 1 && g.ow > 0 && 2 * wp <= 3 * g.ow ? wp : g.ow;
}

/**
 * Values of one padded channel: (h + 2p) × (w + 2p) plus k − 1 trailing zeros (the last wide row
 * reads that far).
 *
 * @param g The geometry.
 * @returns The length.
 */
export function padLength(g: Unfold): number {
  return (g.h + 2 * g.p) * (g.w + 2 * g.p) + g.k - 1;
}

/**
 * A zeroed buffer for one padded channel ({@linkcode padLength} values), as
 * {@linkcode col2imWide} uses it.
 *
 * @param g The geometry.
 * @returns The buffer.
 */
export function padBuffer(g: Unfold): Float32Array {
  return new Float32Array(padLength(g));
}

/**
 * {@linkcode im2col} for a wide unfolding (stride 1, rows of width wp = w + 2p, see
 * {@linkcode unfoldWidth}): row (ci·k + ky)·k + kx of this image's block is the padded channel ci
 * read from index ky·wp + kx on, oh·wp values. The padded channel is staged in `cols` itself, in
 * the {@linkcode padLength} values from `padAt` on (outside the block, its border zero: only the
 * interior is written), so that each row is one `copyWithin` — no view per row, which for short
 * rows (LeNet's second layer: 140 values) costs more than the copy.
 */
export function im2colWide(
  x: Float32Array,
  xOff: number,
  g: Unfold,
  cols: Float32Array,
  ld: number,
  col0: number,
  padAt: number,
): void {
  const { c, h, w, k, p, oh } = g, wp = w + 2 * p, len = oh * wp;
  let r = 0;
  for (let ci = 0; ci < c; ci++) {
    const xc = xOff + ci * h * w;
    for (let y = 0; y < h; y++) {
      const src = xc + y * w, dst = padAt + (y + p) * wp + p;
      for (let q = 0; q < w; q++) cols[dst + q] = x[src + q]!;
    }
    for (let ky = 0; ky < k; ky++) {
      for (let kx = 0; kx < k; kx++, r++) {
        // One long run: a typed-array copy beats a loop (about 6× here).
        const from = padAt + ky * wp + kx;
        cols.copyWithin(r * ld + col0, from, from + len);
      }
    }
  }
}

/**
 * The adjoint of {@linkcode im2colWide} on blocks whose discarded columns (ox ≥ ow of each wide
 * row) are zero, as Wᵀδ is when δ is zero there: adds every element of this image's wide block of
 * `cols` to its pixel of `dx[dxOff …]` (the padding's shares are dropped), summing each pixel's
 * terms in the same order as {@linkcode col2im}. `pad` is a {@linkcode padBuffer}, overwritten.
 */
export function col2imWide(
  cols: Float32Array,
  g: Unfold,
  pad: Float32Array,
  dx: Float32Array,
  dxOff: number,
  ld: number,
  col0: number,
): void {
  const { c, h, w, k, p, oh } = g, wp = w + 2 * p, len = oh * wp;
  const f = Math.fround;
  let r = 0;
  for (let ci = 0; ci < c; ci++) {
    pad.fill(0);
    for (let ky = 0; ky < k; ky++, r += k) {
      const row = r * ld + col0, dst = ky * wp;
      let q0 = 0;
      if (k === 5 && len >= 4) {
        // The five rows of this ky in one pass over the padded row, each pixel's terms added in
        // kx order and rounded to float32 after each, as the row-by-row loop below does.
        const a = row, b = a + ld - 1, c2 = b + ld - 1, d = c2 + ld - 1, e = d + ld - 1;
        for (let i = 4; i < len; i++) {
          pad[dst + i] = f(
            f(f(f(f(pad[dst + i]! + cols[a + i]!) + cols[b + i]!) + cols[c2 + i]!) + cols[d + i]!) +
              cols[e + i]!,
          );
        }
        // Left to do: the first four and the last four pixels (row kx: q < 4 − kx, q ≥ len − kx).
        for (let kx = 0; kx < k; kx++) {
          const rr = row + kx * ld, o = dst + kx;
          for (let q = 0; q < 4 - kx; q++) pad[o + q]! += cols[rr + q]!;
          for (let q = len - kx; q < len; q++) pad[o + q]! += cols[rr + q]!;
        }
        q0 = len;
      }
      for (let kx = 0; kx < k; kx++) {
        const rr = row + kx * ld, o = dst + kx;
        for (let q = q0; q < len; q++) pad[o + q]! += cols[rr + q]!;
      }
    }
    const xc = dxOff + ci * h * w;
    for (let y = 0; y < h; y++) {
      const dst = xc + y * w, src = (y + p) * wp + p;
      for (let q = 0; q < w; q++) dx[dst + q]! += pad[src + q]!;
    }
  }
}
