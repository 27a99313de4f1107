/**
 * Losses and their gradients with respect to the network output.
 *
 * @module
 */
import type { SectionField } from "./hyper.ts";
import type { Backend, Tensor } from "./tensor.ts";
import { checkSame } from "./_check.ts";

/**
 * A loss: `mse` is squared error, `ce` is softmax cross-entropy on logits.
 * For `mse`, `half` multiplies by ½ and `reduction` sums or averages: `sum` sums every element,
 * `mean` divides the total by the number of rows, `meanElements` by the number of elements
 * (rows × outputs: PyTorch's `MSELoss()`, and bioflax's MSE, `optax.l2_loss(…).mean()`).
 */
export interface LossSpec {
  /** `mse` (squared error) or `ce` (softmax cross-entropy on logits). */
  kind: "mse" | "ce";
  /** Multiply squared error by ½ (default true). Ignored for `ce`. */
  half?: boolean;
  /** `mean` over batch rows (default), `sum`, or `meanElements` over every element (`mse` only). */
  reduction?: "mean" | "sum" | "meanElements";
  /**
   * Output units left out of the loss (`mse` only): they get no error and add nothing to the
   * value; `meanElements` divides by the units kept. Song et al. 2024's continual-learning runs
   * slice `[:, 0:-1]`, so their 5th output unit never receives an error (`ignore_outputs: [4]`).
   */
  "ignore_outputs"?: readonly number[];
}

/** Loss names: the variants of {@linkcode LOSS_SECTION}. */
export const LOSS_KINDS = ["mse", "ce"] as const;

/**
 * The `loss` section of a config, declared once: `kind` (`mse`, the default, or `ce`; a bare
 * string sets it), `reduction` (`mean` over rows, `sum`, or for `mse` `meanElements`), and for
 * `mse` `half` (true: ½ squared error).
 *
 * @example
 * ```ts
 * import { LOSS_SECTION, resolveHyper } from "@plasticity/core";
 * const { loss } = resolveHyper({ loss: LOSS_SECTION }, { loss: "ce" }, "");
 * console.assert(JSON.stringify(loss) === '{"kind":"ce","reduction":"mean"}');
 * ```
 */
export const LOSS_SECTION: SectionField = {
  type: "section",
  doc: "loss at the output",
  shorthand: "kind",
  schema: {
    by: "kind",
    default: "mse",
    variants: {
      mse: {
        half: { type: "boolean", default: true, doc: "multiply the squared error by ½" },
        reduction: {
          type: "string",
          default: "mean",
          enum: ["mean", "sum", "meanElements"],
          doc: "`mean` over batch rows, `sum`, or `meanElements` over every element",
        },
        "ignore_outputs": {
          type: "numbers",
          integer: true,
          min: 0,
          optional: true,
          doc: "output units left out of the loss: no error, no contribution (e.g. [4], the " +
            "unit Song et al. 2024's continual-learning loss slices off)",
        },
      },
      ce: {
        reduction: {
          type: "string",
          default: "mean",
          enum: ["mean", "sum"],
          doc: "`mean` over batch rows or `sum`",
        },
      },
    },
  },
};

/**
 * What the summed loss is divided by: the rows (`mean`), 1 (`sum`) or rows × cols
 * (`meanElements`, squared error only).
 *
 * @param spec The loss.
 * @param rows Batch rows.
 * @param cols Outputs per row.
 * @returns The divisor.
 *
 * @example
 * ```ts
 * import { lossDivisor } from "@plasticity/core";
 * console.assert(lossDivisor({ kind: "mse", reduction: "meanElements" }, 4, 10) === 40);
 * console.assert(lossDivisor({ kind: "ce" }, 4, 10) === 4);
 * ```
 */
export function lossDivisor(spec: LossSpec, rows: number, cols: number): number {
  const r = spec.reduction ?? "mean";
  if (r === "meanElements") {
    if (spec.kind !== "mse") {
      throw new Error(
        `Invalid loss reduction "meanElements" for ${
          JSON.stringify(spec.kind)
        }: expected mean or sum`,
      );
    }
    return rows * (cols - ignoredOutputs(spec, cols).size);
  }
  return r === "mean" ? rows : 1;
}

/** The output units `spec` leaves out of the loss, checked against the number of outputs. */
function ignoredOutputs(spec: LossSpec, cols: number): ReadonlySet<number> {
  const ignored = new Set(spec.ignore_outputs ?? []);
  for (const j of ignored) {
    if (!Number.isInteger(j) || j < 0 || j >= cols) {
      throw new Error(
        `Invalid loss.ignore_outputs entry ${j}: expected an output unit index in 0…${cols - 1}`,
      );
    }
  }
  if (ignored.size && spec.kind !== "mse") {
    throw new Error(`Invalid loss.ignore_outputs for "${spec.kind}": expected the mse loss`);
  }
  return ignored;
}

/** y − t with the ignored output units set to 0 (a fresh tensor). */
function maskedDifference(b: Backend, y: Tensor, t: Tensor, ignored: ReadonlySet<number>): Tensor {
  const yd = b.read(y), td = b.read(t), n = y.cols, out = new Float32Array(yd.length);
  for (let i = 0; i < out.length; i++) out[i] = ignored.has(i % n) ? 0 : yd[i]! - td[i]!;
  return b.fromArray(out, y.rows, n);
}

/**
 * The loss of output `y` (logits for `ce`) against target `t`.
 *
 * Squared error: L = c · Σ (y − t)² / d with c = ½ or 1, d = batch rows, 1 or rows × outputs.
 * Cross-entropy: L = −Σ t · log softmax(y) / d.
 *
 * @param b The backend.
 * @param spec The loss.
 * @param y Output, batch × units.
 * @param t Target, same shape.
 * @returns The loss.
 *
 * @example
 * ```ts
 * import { jsBackend as b, lossValue } from "@plasticity/core";
 * const l = lossValue(b, { kind: "mse", half: true, reduction: "sum" }, b.fromArray([1, 2], 1, 2), b.fromArray([0, 0], 1, 2));
 * console.assert(l === 2.5);
 * ```
 */
export function lossValue(b: Backend, spec: LossSpec, y: Tensor, t: Tensor): number {
  checkSame("compute the loss of", y, t);
  const ignored = ignoredOutputs(spec, y.cols);
  return b.tidy(() => {
    if (spec.kind === "mse") {
      const c = (spec.half ?? true) ? 0.5 : 1;
      const diff = ignored.size ? maskedDifference(b, y, t, ignored) : b.sub(y, t);
      return c * b.sumSquares(diff) / lossDivisor(spec, y.rows, y.cols);
    }
    const yd = b.read(y), td = b.read(t), n = y.cols;
    let total = 0;
    for (let i = 0; i < y.rows; i++) {
      const o = i * n;
      let max = -Infinity;
      for (let j = 0; j < n; j++) max = Math.max(max, yd[o + j]!);
      let s = 0;
      for (let j = 0; j < n; j++) s += Math.exp(yd[o + j]! - max);
      const lse = max + Math.log(s);
      for (let j = 0; j < n; j++) total -= td[o + j]! * (yd[o + j]! - lse);
    }
    return total / lossDivisor(spec, y.rows, y.cols);
  });
}

/**
 * ∂L/∂y of {@linkcode lossValue}: `c'·(y − t)/d` for squared error (c' = 1 with ½, 2 without),
 * `(softmax(y) − t)/d` for cross-entropy (targets summing to 1 per row).
 *
 * @param b The backend.
 * @param spec The loss.
 * @param y Output.
 * @param t Target.
 * @returns The gradient, same shape as `y`.
 *
 * @example
 * ```ts
 * import { jsBackend as b, lossGrad } from "@plasticity/core";
 * const g = lossGrad(b, { kind: "mse", reduction: "sum" }, b.fromArray([1], 1, 1), b.fromArray([0], 1, 1));
 * console.assert(b.read(g)[0] === 1);
 * ```
 */
export function lossGrad(b: Backend, spec: LossSpec, y: Tensor, t: Tensor): Tensor {
  checkSame("compute the loss gradient of", y, t);
  const d = lossDivisor(spec, y.rows, y.cols);
  const ignored = ignoredOutputs(spec, y.cols);
  if (spec.kind === "mse") {
    const c = (spec.half ?? true) ? 1 : 2;
    return b.tidy(() =>
      b.scale(ignored.size ? maskedDifference(b, y, t, ignored) : b.sub(y, t), c / d)
    );
  }
  return b.tidy(() => b.scale(b.sub(b.softmax(y), t), 1 / d));
}
