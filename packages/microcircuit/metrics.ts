/**
 * Alignment metrics of the microcircuit: angles between matrices (Frobenius inner product) and the
 * ANN back-propagation update the microcircuit's forward updates are compared with.
 *
 * @module
 */

/**
 * The angle between two equally long vectors (or flattened matrices), in degrees:
 * ∠(A, B) = arccos(tr(AᵀB) / (‖A‖_F ‖B‖_F)), computed as 2·atan2(‖â − b̂‖, ‖â + b̂‖) with
 * â = A/‖A‖, which is exact at 0° and 180° (the reference's arccos gives NaN when B = A exactly).
 * It is not core's `angleDeg`/`CosineAccumulator` on purpose: arccos of a cosine near ±1 loses
 * about half the digits (an angle of 10⁻⁶° moves the cosine only 1.5·10⁻¹⁶ from 1, below float64
 * resolution), while the published PAL angles are matched to below 10⁻¹²° at every record.
 *
 * @param a First matrix, flattened.
 * @param b Second matrix, flattened in the same order.
 * @returns The angle in degrees; NaN when either is zero.
 *
 * @example
 * ```ts
 * import { matrixAngle } from "@plasticity/microcircuit/metrics";
 * console.assert(matrixAngle([1, 0], [0, 2]) === 90);
 * console.assert(matrixAngle([0.1, 0.7, -0.3], [0.1, 0.7, -0.3]) === 0);
 * ```
 */
export function matrixAngle(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new Error(
      `Cannot take the angle of lengths ${a.length} and ${b.length}: expected equal lengths`,
    );
  }
  let na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  na = Math.sqrt(na);
  nb = Math.sqrt(nb);
  if (na === 0 || nb === 0) return NaN;
  let d = 0, s = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! / na, y = b[i]! / nb;
    d += (x - y) * (x - y);
    s += (x + y) * (x + y);
  }
  return (2 * Math.atan2(Math.sqrt(d), Math.sqrt(s)) * 180) / Math.PI;
}

/**
 * ∠(B, D_pre Wᵀ D_post) for B of shape rows × cols and W of shape cols × rows (row-major). With
 * `dRows`/`dCols` omitted this is ∠(B, Wᵀ); with D_k = diag φ′(ĝ v_bas,k) it is the angle of B to
 * the matrix PAL converges to, φ′Wᵀφ′.
 *
 * @param B Top-down weights, rows × cols.
 * @param W Forward weights of the layer above, cols × rows.
 * @param rows Rows of B.
 * @param cols Columns of B.
 * @param dRows Diagonal scaling of the rows of Wᵀ (length rows), or undefined.
 * @param dCols Diagonal scaling of the columns of Wᵀ (length cols), or undefined.
 * @returns The angle in degrees.
 *
 * @example
 * ```ts
 * import { angleToTranspose } from "@plasticity/microcircuit/metrics";
 * // B = [[1, 2]] (1×2), W = [[1], [2]] (2×1): B = Wᵀ
 * console.assert(angleToTranspose([1, 2], [1, 2], 1, 2) === 0);
 * console.assert(Math.abs(angleToTranspose([1, 0], [1, 2], 1, 2, [1], [2, 1]) - 45) < 1e-12);
 * ```
 */
export function angleToTranspose(
  B: ArrayLike<number>,
  W: ArrayLike<number>,
  rows: number,
  cols: number,
  dRows?: ArrayLike<number>,
  dCols?: ArrayLike<number>,
): number {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const di = dRows ? dRows[i]! : 1;
    for (let j = 0; j < cols; j++) {
      t[i * cols + j] = di * W[j * rows + i]! * (dCols ? dCols[j]! : 1);
    }
  }
  return matrixAngle(B, t);
}

/**
 * The ANN back-propagation update for the microcircuit's forward weights (the reference's
 * `calc_dWPP_ANN`): forward ĥ_0 = ĝ W_0 r_0, ĥ_k = ĝ W_k φ(ĥ_{k−1}) with ĝ = g_bas/(g_l+g_bas+g_api),
 * the output rescaled by (g_l+g_bas+g_api)/(g_l+g_bas); error e = target − ĥ_L, propagated as
 * e ← diag φ′(ĥ_{k−1}) W_kᵀ e; update ΔW_k = e_k ⊗ r_{k−1}.
 *
 * @param W Forward weights per layer (post × pre, row-major).
 * @param layers Layer sizes.
 * @param phi Rate function per pyramidal layer.
 * @param dphi Its derivative per pyramidal layer.
 * @param gHat ĝ = g_bas/(g_l+g_bas+g_api).
 * @param outScale (g_l+g_bas+g_api)/(g_l+g_bas).
 * @param r0 Input rates.
 * @param target Output target.
 * @returns ΔW per layer.
 *
 * @example
 * ```ts
 * import { annBpDeltaW } from "@plasticity/microcircuit/metrics";
 * const id = (x: number) => x, one = () => 1;
 * // linear 1-1-1 net: h1 = w1 r0, h2 = w2 h1; e = t − h2; ΔW2 = e h1, ΔW1 = w2 e r0
 * const d = annBpDeltaW([[2], [3]], [1, 1, 1], [id, id], [one, one], 1, 1, [1], [10]);
 * console.assert(d[1]![0] === 4 * 2 && d[0]![0] === 3 * 4);
 * ```
 */
export function annBpDeltaW(
  W: readonly ArrayLike<number>[],
  layers: readonly number[],
  phi: readonly ((x: number) => number)[],
  dphi: readonly ((x: number) => number)[],
  gHat: number,
  outScale: number,
  r0: ArrayLike<number>,
  target: ArrayLike<number>,
): Float64Array[] {
  const L = layers.length - 1;
  const h: Float64Array[] = [], r: Float64Array[] = [];
  for (let k = 0; k < L; k++) {
    const pre = k === 0 ? r0 : r[k - 1]!, m = layers[k]!, n = layers[k + 1]!, Wk = W[k]!;
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += Wk[i * m + j]! * pre[j]!;
      v[i] = gHat * s;
    }
    if (k === L - 1) { for (let i = 0; i < n; i++) v[i] = outScale * v[i]!; }
    h.push(v);
    r.push(v.map((x) => phi[k]!(x)));
  }
  const dW: Float64Array[] = new Array(L);
  let e = Float64Array.from({ length: layers[L]! }, (_, i) => target[i]! - h[L - 1]![i]!);
  for (let k = L - 1; k >= 0; k--) {
    const pre = k === 0 ? r0 : r[k - 1]!, m = layers[k]!, n = layers[k + 1]!;
    const d = new Float64Array(n * m);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) d[i * m + j] = e[i]! * pre[j]!;
    dW[k] = d;
    if (k > 0) {
      const Wk = W[k]!, next = new Float64Array(m);
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += Wk[i * m + j]! * e[i]!;
        next[j] = dphi[k - 1]!(h[k - 1]![j]!) * s;
      }
      e = next;
    }
  }
  return dW;
}
