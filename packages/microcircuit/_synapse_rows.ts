// The row kernels of a population of synapses stored post × pre (row-major), over the
// presynaptic indices in `runs` ([start, end) pairs, `nRuns` of them): every row's sum runs over
// those indices in increasing order, so four rows at a time give the same sums as one row alone.

/** out_j = Σ_{i in runs} g_ji r_pre,i. */
export function sumRows(
  g: Float64Array,
  out: Float64Array,
  rPre: Float64Array,
  pre: number,
  post: number,
  runs: Int32Array,
  nRuns: number,
): void {
  let j = 0;
  for (; j + 4 <= post; j += 4) {
    const r0 = j * pre, r1 = r0 + pre, r2 = r1 + pre, r3 = r2 + pre;
    let acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
    for (let k = 0; k < nRuns; k++) {
      const end = runs[2 * k + 1]!;
      for (let i = runs[2 * k]!; i < end; i++) {
        const x = rPre[i]!;
        acc0 += g[r0 + i]! * x;
        acc1 += g[r1 + i]! * x;
        acc2 += g[r2 + i]! * x;
        acc3 += g[r3 + i]! * x;
      }
    }
    out[j] = acc0;
    out[j + 1] = acc1;
    out[j + 2] = acc2;
    out[j + 3] = acc3;
  }
  for (; j < post; j++) {
    const row = j * pre;
    let acc = 0;
    for (let k = 0; k < nRuns; k++) {
      const end = runs[2 * k + 1]!;
      for (let i = runs[2 * k]!; i < end; i++) acc += g[row + i]! * rPre[i]!;
    }
    out[j] = acc;
  }
}

/**
 * One learning step of low-passed synapses: g += δ, δ += a(e_j r_last,pre − δ) with
 * e_j = dtEta (r_post,j − r_ref,j), then out_j = Σ g_ji r_pre,i (with the updated g).
 */
export function learnRows(
  g: Float64Array,
  delta: Float64Array,
  out: Float64Array,
  rPre: Float64Array,
  rLastPre: Float64Array,
  rPost: Float64Array,
  rRefPost: Float64Array,
  pre: number,
  post: number,
  dtEta: number,
  a: number,
  runs: Int32Array,
  nRuns: number,
): void {
  // four rows at a time (each row's sum in the same order as one row alone)
  let j = 0;
  for (; j + 4 <= post; j += 4) {
    const r0 = j * pre, r1 = r0 + pre, r2 = r1 + pre, r3 = r2 + pre;
    const e0 = dtEta * (rPost[j]! - rRefPost[j]!),
      e1 = dtEta * (rPost[j + 1]! - rRefPost[j + 1]!);
    const e2 = dtEta * (rPost[j + 2]! - rRefPost[j + 2]!);
    const e3 = dtEta * (rPost[j + 3]! - rRefPost[j + 3]!);
    let acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
    for (let k = 0; k < nRuns; k++) {
      const end = runs[2 * k + 1]!;
      for (let i = runs[2 * k]!; i < end; i++) {
        const x = rPre[i]!, xl = rLastPre[i]!;
        const d0 = delta[r0 + i]!, w0 = g[r0 + i]! + d0;
        g[r0 + i] = w0;
        delta[r0 + i] = d0 + a * (e0 * xl - d0);
        acc0 += w0 * x;
        const d1 = delta[r1 + i]!, w1 = g[r1 + i]! + d1;
        g[r1 + i] = w1;
        delta[r1 + i] = d1 + a * (e1 * xl - d1);
        acc1 += w1 * x;
        const d2 = delta[r2 + i]!, w2 = g[r2 + i]! + d2;
        g[r2 + i] = w2;
        delta[r2 + i] = d2 + a * (e2 * xl - d2);
        acc2 += w2 * x;
        const d3 = delta[r3 + i]!, w3 = g[r3 + i]! + d3;
        g[r3 + i] = w3;
        delta[r3 + i] = d3 + a * (e3 * xl - d3);
        acc3 += w3 * x;
      }
    }
    out[j] = acc0;
    out[j + 1] = acc1;
    out[j + 2] = acc2;
    out[j + 3] = acc3;
  }
  for (; j < post; j++) {
    const row = j * pre, e = dtEta * (rPost[j]! - rRefPost[j]!);
    let acc = 0;
    for (let k = 0; k < nRuns; k++) {
      const end = runs[2 * k + 1]!;
      for (let i = runs[2 * k]!; i < end; i++) {
        const dl = delta[row + i]!;
        const w = g[row + i]! + dl;
        g[row + i] = w;
        delta[row + i] = dl + a * (e * rLastPre[i]! - dl);
        acc += w * rPre[i]!;
      }
    }
    out[j] = acc;
  }
}
