/**
 * The input synapses of a {@linkcode GennMicrocircuit} when many input rates are exactly 0 (MNIST
 * pixels): their weights `g` and low-passed updates `δ` (post × pre, row-major) stepped only for
 * the inputs that are on, the others caught up in closed form when they turn on or the weights are
 * read.
 *
 * A learning step of one synapse is g ← g + δ, δ ← δ + a(e r_last,pre − δ), and its contribution
 * to the basal sum is (g + δ) r_pre. For an input with r_pre = r_last,pre = 0 the step is a pure
 * decay (q = 1 − a) and contributes nothing, so n such steps from (g₀, δ₀) give
 *
 *   δₙ = qⁿ δ₀,   gₙ = g₀ + δ₀ Σ_{s<n} qˢ = g₀ + δ₀ (1 − qⁿ)/a,
 *
 * computed as qⁿ = exp(n log1p(−a)) and (1 − qⁿ)/a = −expm1(n log1p(−a))/a (accurate for small
 * n a). These equal the step-by-step recurrence up to float rounding (the recurrence rounds n
 * times, the closed form a few times); the basal sums over the inputs that are on are the same
 * sums in the same order as over all inputs.
 *
 * @module
 */

import { learnRows, sumRows } from "./_synapse_rows.ts";

/** Inputs that are on, their pending decay steps, and the closed-form catch-up. */
export class SparseInputSynapses {
  readonly #pre: number;
  readonly #post: number;
  readonly #a: number;
  readonly #logQ: number;
  /** Learning steps taken. */
  #learnSteps = 0;
  /** Per input: the learning-step count up to which its synapses are stepped. */
  readonly #since: Float64Array;
  /** Whether some input has pending decay steps. */
  #dirty = false;
  readonly #active: Int32Array;
  readonly #runs: Int32Array;
  readonly #pending: Int32Array;
  readonly #qn: Float64Array;
  readonly #cn: Float64Array;

  /**
   * @param pre Number of inputs.
   * @param post Number of target neurons.
   * @param a The low-pass factor dt/τ, in [0, 1].
   */
  constructor(pre: number, post: number, a: number) {
    this.#pre = pre;
    this.#post = post;
    this.#a = a;
    this.#logQ = Math.log1p(-a);
    this.#since = new Float64Array(pre);
    this.#active = new Int32Array(pre);
    this.#runs = new Int32Array(2 * pre);
    this.#pending = new Int32Array(pre);
    this.#qn = new Float64Array(pre);
    this.#cn = new Float64Array(pre);
  }

  /** Whether the closed form applies to a low-pass factor (0 ≤ a ≤ 1). */
  static supports(a: number): boolean {
    return a >= 0 && a <= 1;
  }

  /**
   * One step of the population: catch up the inputs that are on, then (when `learning`) step their
   * synapses and write the basal sums `out_j = Σ_i g_ji r_pre,i` (with the updated g).
   */
  step(
    g: Float64Array,
    delta: Float64Array,
    out: Float64Array,
    rPre: Float64Array,
    rLastPre: Float64Array,
    rPost: Float64Array,
    rRefPost: Float64Array,
    dtEta: number,
    learning: boolean,
  ): void {
    const pre = this.#pre, post = this.#post, a = this.#a;
    const act = this.#active, runs = this.#runs, since = this.#since;
    const now = this.#learnSteps;
    let nAct = 0, nPend = 0, nRuns = 0;
    const pend = this.#pending;
    // the inputs that are on, as runs [start, end) of consecutive indices
    for (let i = 0; i < pre; i++) {
      if (rPre[i]! !== 0 || rLastPre[i]! !== 0) {
        act[nAct++] = i;
        if (since[i]! < now) pend[nPend++] = i;
        if (nRuns > 0 && runs[2 * nRuns - 1] === i) runs[2 * nRuns - 1] = i + 1;
        else {
          runs[2 * nRuns] = i;
          runs[2 * nRuns + 1] = i + 1;
          nRuns++;
        }
      }
    }
    if (nPend > 0) this.#catchUp(g, delta, pend, nPend);
    if (!learning) {
      sumRows(g, out, rPre, pre, post, runs, nRuns);
      return;
    }
    learnRows(g, delta, out, rPre, rLastPre, rPost, rRefPost, pre, post, dtEta, a, runs, nRuns);
    const next = now + 1;
    for (let t = 0; t < nAct; t++) since[act[t]!] = next;
    this.#learnSteps = next;
    if (nAct < pre) this.#dirty = true;
  }

  /** Brings every input's synapses up to date (before the weights are read or written). */
  flush(g: Float64Array, delta: Float64Array): void {
    if (!this.#dirty) return;
    const since = this.#since, now = this.#learnSteps, pend = this.#pending;
    let nPend = 0;
    for (let i = 0; i < this.#pre; i++) if (since[i]! < now) pend[nPend++] = i;
    if (nPend > 0) this.#catchUp(g, delta, pend, nPend);
    this.#dirty = false;
  }

  /** Applies n pending pure-decay steps to the listed inputs' synapses (closed form). */
  #catchUp(g: Float64Array, delta: Float64Array, pend: Int32Array, nPend: number): void {
    const since = this.#since, now = this.#learnSteps, qn = this.#qn, cn = this.#cn;
    for (let t = 0; t < nPend; t++) {
      const n = now - since[pend[t]!]!;
      if (this.#a === 0) {
        qn[t] = 1;
        cn[t] = n;
      } else {
        const x = n * this.#logQ;
        qn[t] = Math.exp(x);
        cn[t] = -Math.expm1(x) / this.#a;
      }
      since[pend[t]!] = now;
    }
    const pre = this.#pre;
    for (let j = 0; j < this.#post; j++) {
      const row = j * pre;
      for (let t = 0; t < nPend; t++) {
        const q = row + pend[t]!, dl = delta[q]!;
        g[q] = g[q]! + dl * cn[t]!;
        delta[q] = dl * qn[t]!;
      }
    }
  }
}
