/**
 * The energy that predictive-coding inference descends, as a pure function of the value nodes,
 * in the form the prospective-configuration paper uses (Song et al., Nat. Neurosci. 2024, Methods:
 * F = Σ_l ½‖ε_l‖² with ε_l = x_l − W_l f(x_{l−1})), and the PC-Nudge energy (Millidge et al.
 * 2023).
 *
 * Rows are samples and weights are stored fanIn × fanOut, so with a₀ the clamped input layer's
 * activity, a_l = φ_l(x_l) and μ_l = a_{l−1} W_l + b_l:
 *
 *   F = ℓ(f_out(μ_L), y) + Σ_{l=1}^{L−1} ½‖x_l − μ_l‖²,
 *
 * summed over units and over the batch, where the hidden value nodes x_l hold pre-activations and
 * the output is clamped to the target through the loss ℓ (always summed over the batch, whatever
 * the loss's reduction). For the paper's ½ squared error and a linear output this is
 * Σ_{l=1}^{L} ½‖x_l − μ_l‖² with x_L = y.
 *
 * @module
 */
import {
  type Activation,
  type Backend,
  type LossSpec,
  lossValue,
  NETWORK_DEFAULTS,
  shapeOf,
  type Tensor,
} from "@plasticity/core";
import { PC_LOSS } from "./network.ts";

/** The parameters the energy depends on. */
export interface PCEnergyParams {
  /** Weights W_1 … W_L, W_l of shape n_{l−1} × n_l. */
  readonly W: readonly Tensor[];
  /** Biases b_1 … b_L (1 × n_l); absent, or an `undefined` entry, for a layer without one. */
  readonly b?: readonly (Tensor | undefined)[] | undefined;
  /** Hidden activations φ_1 … φ_{L−1}. */
  readonly activations: readonly Activation[];
  /** Output activation f_out (default `identity`). */
  readonly outputActivation?: Activation | undefined;
  /** Negative slope of `leakyRelu` (default 0.01). */
  readonly slope?: number | undefined;
  /** Output loss ℓ (default ½ squared error); its reduction is replaced by a sum. */
  readonly loss?: LossSpec | undefined;
}

/**
 * The predictive-coding energy F = ℓ(f_out(μ_L), y) + Σ_{l=1}^{L−1} ½‖x_l − μ_l‖² of the hidden
 * value nodes `x` (Song et al. 2024), summed over the batch.
 *
 * @param b The backend.
 * @param p Weights, biases, activations and the output loss.
 * @param a0 The clamped input layer's activity a₀, batch × n₀.
 * @param x Hidden value nodes x_1 … x_{L−1} (pre-activations), each batch × n_l.
 * @param y Targets, batch × n_L.
 * @returns F.
 *
 * @example Two linear layers, one sample
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { pcEnergy } from "@plasticity/predictive-coding";
 * const W = [b.fromArray([2], 1, 1), b.fromArray([3], 1, 1)];
 * // μ₁ = 1·2, μ₂ = x₁·3: F = ½(3 − 3·1)² + ½(1 − 2)² = 0.5
 * const F = pcEnergy(b, { W, activations: ["identity"] }, b.fill(1, 1, 1), [b.fill(1, 1, 1)], b.fill(1, 1, 3));
 * console.assert(F === 0.5);
 * ```
 */
export function pcEnergy(
  b: Backend,
  p: PCEnergyParams,
  a0: Tensor,
  x: readonly Tensor[],
  y: Tensor,
): number {
  const L = checkParams(p, x, p.W.length - 1, "hidden value nodes x_1 … x_{L−1}");
  checkTarget(p, y);
  const slope = p.slope ?? NETWORK_DEFAULTS.leaky_slope;
  return b.tidy(() => {
    const [hidden, a] = hiddenTerms(b, p, a0, x, L - 1, slope);
    const out = b.activate(prediction(b, p, a, L), p.outputActivation ?? "identity", slope);
    return hidden + lossValue(b, { ...(p.loss ?? PC_LOSS), reduction: "sum" }, out, y);
  });
}

/**
 * The PC-Nudge energy E = Σ_{l=1}^{L} ‖x_l − μ_l‖² + λ‖x_L − y‖², with a value node x_L on the
 * output that is only nudged towards the target (Millidge et al. 2023; without the ½, as the
 * Supervised-CorInfoMax repository writes it), summed over the batch. The output is linear.
 *
 * @param b The backend.
 * @param p Weights, biases and hidden activations (`outputActivation` and `loss` are not used).
 * @param a0 The clamped input layer's activity a₀.
 * @param x Value nodes x_1 … x_L, each batch × n_l.
 * @param y Targets, batch × n_L.
 * @param lambda Nudge strength λ.
 * @returns E.
 *
 * @example One linear layer, one sample
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { pcNudgeEnergy } from "@plasticity/predictive-coding";
 * const W = [b.fromArray([2], 1, 1)];
 * // μ₁ = 2: E = (3 − 2)² + 0.5·(3 − 1)² = 3
 * const E = pcNudgeEnergy(b, { W, activations: [] }, b.fill(1, 1, 1), [b.fill(1, 1, 3)], b.fill(1, 1, 1), 0.5);
 * console.assert(E === 3);
 * ```
 */
export function pcNudgeEnergy(
  b: Backend,
  p: PCEnergyParams,
  a0: Tensor,
  x: readonly Tensor[],
  y: Tensor,
  lambda: number,
): number {
  const L = checkParams(p, x, p.W.length, "value nodes x_1 … x_L");
  checkTarget(p, y);
  return b.tidy(() => {
    const [hidden] = hiddenTerms(b, p, a0, x, L, p.slope ?? NETWORK_DEFAULTS.leaky_slope);
    return 2 * hidden + lambda * b.sumSquares(b.sub(x[L - 1]!, y));
  });
}

/** Σ_{l=1}^{count} ½‖x_l − μ_l‖² and a_count = φ_count(x_count) (a₀ when count is 0). */
function hiddenTerms(
  b: Backend,
  p: PCEnergyParams,
  a0: Tensor,
  x: readonly Tensor[],
  count: number,
  slope: number,
): [number, Tensor] {
  let F = 0, a = a0;
  for (let l = 1; l <= count; l++) {
    const xl = x[l - 1]!;
    F += 0.5 * b.sumSquares(b.sub(xl, prediction(b, p, a, l)));
    if (l <= p.activations.length) a = b.activate(xl, p.activations[l - 1]!, slope);
  }
  return [F, a];
}

/** μ_l = a W_l (+ b_l). */
function prediction(b: Backend, p: PCEnergyParams, a: Tensor, l: number): Tensor {
  const mu = b.matmul(a, p.W[l - 1]!), bias = p.b?.[l - 1];
  return bias ? b.addRow(mu, bias) : mu;
}

function checkParams(p: PCEnergyParams, x: readonly Tensor[], want: number, what: string): number {
  const L = p.W.length;
  if (L < 1) throw new Error("Energy: got no weight matrices: expected W_1 … W_L with L ≥ 1");
  if (p.activations.length !== L - 1) {
    throw new Error(
      `Energy: got ${p.activations.length} hidden activations for ${L} weight matrices: expected ${
        L - 1
      }`,
    );
  }
  if (x.length !== want) {
    throw new Error(`Energy: got ${x.length} layers of value nodes: expected ${want} (${what})`);
  }
  return L;
}

function checkTarget(p: PCEnergyParams, y: Tensor): void {
  const n = p.W[p.W.length - 1]!.cols;
  if (y.cols !== n) throw new Error(`Energy: target of shape ${shapeOf(y)}: expected ${n} columns`);
}
