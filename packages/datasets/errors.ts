/**
 * {@linkcode DatasetError}: the error of a dataset that cannot be given as asked.
 *
 * @module
 */
import { SchemaError } from "@plasticity/core";

/**
 * The dataset options or data files cannot give the dataset asked for: a size of 0, a data file
 * that is missing, truncated, of the wrong kind or shape, data that changed since it was
 * recorded. The user's input to fix, not a bug: the message is one line naming the key
 * (`dataset.train_size`) or the file, the value found and what was expected.
 *
 * It extends core's `SchemaError`, so code that reports a `SchemaError` as a configuration
 * error (the runner: exit code 2) reports this one the same way.
 *
 * @example
 * ```ts
 * import { DatasetError } from "@plasticity/datasets";
 * import { SchemaError } from "@plasticity/core";
 * const e = new DatasetError('File "a" holds 0 images: expected at least 1\nmore');
 * console.assert(e instanceof SchemaError && e.name === "DatasetError" && !e.message.includes("\n"));
 * ```
 */
export class DatasetError extends SchemaError {
  /**
   * Makes the error.
   *
   * @param message The one-line message (anything after a line break is dropped).
   */
  constructor(message: string) {
    super(message);
    this.name = "DatasetError";
  }
}
