/**
 * The Hopfield-like energy of Equilibrium Propagation (Scellier & Bengio 2017) as written in the
 * Supervised-CorInfoMax repository, with the optional lateral term of Contrastive Similarity
 * Matching (Qin, Mudur & Pehlevan 2020), and its gradient with respect to the neurons.
 *
 * Samples are rows (batch-major); weights are stored `fanIn × fanOut`, so layer `l + 1` receives
 * `s_l @ W_l + b_l`. With `s_0 = x` and layers `s_1 … s_P`:
 *
 * Φ(s; β) = ½ Σ_l ‖s_l‖² − Σ_l s_{l+1} · (s_l W_l + b_l) + ½ Σ_{hidden l} s_lᵀ M_l s_l
 *           + β Σ_c (s_P,c − y_c)²
 *
 * (the squared error has no ½, as in the repository), averaged over the batch.
 *
 * @module
 */
import type { Backend, Tensor } from "@plasticity/core";

/** The parameters the energy depends on. */
export interface EnergyParams {
  /** Weights `W_l` (`n_l × n_{l+1}`), one per layer pair. */
  readonly W: readonly Tensor[];
  /** Biases `b_l` (`1 × n_{l+1}`), or `undefined` for a network without biases. */
  readonly b?: readonly Tensor[] | undefined;
  /** Lateral matrices `M_l` (`n_l × n_l`, symmetric) of the hidden layers `1 … P−1` (CSM only). */
  readonly M?: readonly Tensor[] | undefined;
}

/**
 * The batch-mean energy Φ(s; β) = ½Σ‖s_l‖² − Σ s_{l+1}·(s_l W_l + b_l) + ½Σ s_lᵀM_l s_l
 * + β Σ_c (s_P − y)².
 *
 * @param b The backend.
 * @param p Weights, biases and (optionally) lateral matrices.
 * @param x Inputs `s_0`, batch × n_0.
 * @param s Neurons `s_1 … s_P`, each batch × n_l.
 * @param beta Nudging strength β (0 for the free energy).
 * @param y Targets, batch × n_P (needed when β ≠ 0).
 * @returns ⟨Φ⟩ over the batch.
 *
 * @example Energy of a one-layer net
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { epEnergy } from "@plasticity/equilibrium-propagation";
 * const W = [b.fromArray([2], 1, 1)];
 * // ½·1² − 1·(1·2) = −1.5
 * console.assert(epEnergy(b, { W }, b.fill(1, 1, 1), [b.fill(1, 1, 1)], 0) === -1.5);
 * ```
 */
export function epEnergy(
  b: Backend,
  p: EnergyParams,
  x: Tensor,
  s: readonly Tensor[],
  beta: number,
  y?: Tensor,
): number {
  checkLayers(p, s);
  const m = x.rows;
  let phi = 0;
  for (const sl of s) phi += 0.5 * b.sumSquares(sl);
  for (let l = 0; l < p.W.length; l++) {
    const below = l === 0 ? x : s[l - 1]!;
    let pre = b.matmul(below, p.W[l]!);
    if (p.b) pre = b.addRow(pre, p.b[l]!);
    phi -= b.sumAll(b.mul(pre, s[l]!));
  }
  if (p.M) {
    for (let l = 0; l < p.M.length; l++) {
      phi += 0.5 * b.sumAll(b.mul(b.matmul(s[l]!, p.M[l]!), s[l]!));
    }
  }
  if (beta !== 0) {
    if (!y) throw new Error("epEnergy: targets y are required when beta is not 0");
    phi += beta * b.sumSquares(b.sub(s[s.length - 1]!, y));
  }
  return phi / m;
}

/**
 * The gradient ∂Φ/∂s_l of the per-sample energy for every layer:
 * hidden `s_l − (s_{l−1}W_{l−1} + b_{l−1}) − s_{l+1}W_lᵀ + s_l M_l`, output
 * `s_P − (s_{P−1}W_{P−1} + b_{P−1}) + 2β(s_P − y)`.
 *
 * @param b The backend.
 * @param p Weights, biases and lateral matrices.
 * @param x Inputs, batch × n_0.
 * @param s Neurons `s_1 … s_P`.
 * @param beta Nudging strength β.
 * @param y Targets (needed when β ≠ 0).
 * @param drive0 Optional precomputed input drive `x W_0 + b_0` (it does not change while the
 *   neurons relax, so the dynamics compute it once per batch).
 * @returns One gradient per layer, same shapes as `s`.
 *
 * @example At s = 0 the gradient is minus the input drive
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { energyGradient } from "@plasticity/equilibrium-propagation";
 * const g = energyGradient(b, { W: [b.fromArray([3], 1, 1)] }, b.fill(1, 1, 1), [b.zeros(1, 1)], 0);
 * console.assert(b.read(g[0]!)[0] === -3);
 * ```
 */
export function energyGradient(
  b: Backend,
  p: EnergyParams,
  x: Tensor,
  s: readonly Tensor[],
  beta: number,
  y?: Tensor,
  drive0?: Tensor,
): Tensor[] {
  checkLayers(p, s);
  const P = s.length;
  const out: Tensor[] = [];
  for (let l = 0; l < P; l++) {
    const sl = s[l]!;
    let pre: Tensor;
    if (l === 0 && drive0) pre = drive0;
    else {
      pre = b.matmul(l === 0 ? x : s[l - 1]!, p.W[l]!);
      if (p.b) pre = b.addRow(pre, p.b[l]!);
    }
    let g = b.sub(sl, pre);
    if (l < P - 1) {
      g = b.sub(g, b.matmul(s[l + 1]!, p.W[l + 1]!, false, true));
      if (p.M) g = b.add(g, b.matmul(sl, p.M[l]!));
    } else if (beta !== 0) {
      if (!y) throw new Error("energyGradient: targets y are required when beta is not 0");
      g = b.axpy(2 * beta, b.sub(sl, y), g);
    }
    out.push(g);
  }
  return out;
}

function checkLayers(p: EnergyParams, s: readonly Tensor[]): void {
  if (s.length !== p.W.length) {
    throw new Error(
      `Energy: got ${s.length} layers of neurons for ${p.W.length} weight matrices: expected one per matrix`,
    );
  }
  if (p.M && p.M.length !== s.length - 1) {
    throw new Error(
      `Energy: got ${p.M.length} lateral matrices for ${
        s.length - 1
      } hidden layers: expected one per hidden layer`,
    );
  }
}
