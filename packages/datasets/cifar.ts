/**
 * Reader of the binary version of CIFAR-10.
 *
 * @module
 */
import { join } from "node:path";
import { DatasetError } from "./errors.ts";
import type { RawImages } from "./idx.ts";

/** Bytes per CIFAR-10 record: 1 label byte + 3 × 32 × 32 pixel bytes (channel-major R, G, B). */
export const CIFAR_RECORD = 3073;

/** Records in each CIFAR-10 batch file (binary version): five training batches and one test. */
export const CIFAR_BATCH_RECORDS = 10000;

/**
 * Checks the size of a CIFAR-10 batch file: exactly {@linkcode CIFAR_BATCH_RECORDS} records of
 * {@linkcode CIFAR_RECORD} bytes.
 *
 * @param file File name, for messages.
 * @param size Its size in bytes.
 * @throws {DatasetError} Naming the file, its size and the expected size.
 *
 * @example
 * ```ts
 * import { checkCifarBatchSize } from "@plasticity/datasets";
 * checkCifarBatchSize("data_batch_1.bin", 30730000);
 * let msg = "";
 * try {
 *   checkCifarBatchSize("data_batch_1.bin", 3073);
 * } catch (e) {
 *   msg = (e as Error).message;
 * }
 * console.assert(msg === 'File "data_batch_1.bin" has 3073 bytes: expected 30730000 (10000 records of 3073 bytes)');
 * ```
 */
export function checkCifarBatchSize(file: string, size: number): void {
  const want = CIFAR_BATCH_RECORDS * CIFAR_RECORD;
  if (size !== want) {
    throw new DatasetError(
      `File "${file}" has ${size} bytes: expected ${want} (${CIFAR_BATCH_RECORDS} records of ${CIFAR_RECORD} bytes)`,
    );
  }
}

/** The training batch files of CIFAR-10 (binary version). */
export const CIFAR_TRAIN_FILES: readonly string[] = [1, 2, 3, 4, 5].map((i) =>
  `data_batch_${i}.bin`
);
/** The test batch file of CIFAR-10 (binary version). */
export const CIFAR_TEST_FILE = "test_batch.bin";

/**
 * Parses CIFAR-10 binary records (1 label byte, then 1024 R, 1024 G and 1024 B bytes).
 *
 * @param bytes File contents (a whole number of 3073-byte records).
 * @param file File name, for messages.
 * @returns Images `n × 3072` and labels `n`.
 * @throws {DatasetError} When the size is not a positive multiple of 3073 or a label is above 9.
 *
 * @example
 * ```ts
 * import { parseCifar } from "@plasticity/datasets";
 * const rec = new Uint8Array(3073);
 * rec[0] = 7;
 * console.assert(parseCifar(rec, "x.bin").labels[0] === 7);
 * ```
 */
export function parseCifar(bytes: Uint8Array, file: string): RawImages {
  if (bytes.length === 0 || bytes.length % CIFAR_RECORD !== 0) {
    throw new DatasetError(
      `File "${file}" is truncated or not CIFAR-10 binary: ${bytes.length} bytes is not a positive multiple of ${CIFAR_RECORD} (1 label byte + 3072 pixel bytes)`,
    );
  }
  const n = bytes.length / CIFAR_RECORD;
  const images = new Uint8Array(n * 3072), labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * CIFAR_RECORD;
    const label = bytes[o]!;
    if (label > 9) {
      throw new DatasetError(
        `File "${file}" has label ${label} in record ${i}: expected 0..9 (is it the binary version?)`,
      );
    }
    labels[i] = label;
    images.set(bytes.subarray(o + 1, o + CIFAR_RECORD), i * 3072);
  }
  return { images, labels, n, channels: 3, height: 32, width: 32 };
}

function concat(parts: RawImages[]): RawImages {
  const n = parts.reduce((s, p) => s + p.n, 0);
  const images = new Uint8Array(n * 3072), labels = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * 3072);
    labels.set(p.labels, at);
    at += p.n;
  }
  return { images, labels, n, channels: 3, height: 32, width: 32 };
}

/**
 * Reads CIFAR-10 (`data_batch_1..5.bin`, `test_batch.bin`) from `dir`, each of exactly
 * {@linkcode CIFAR_BATCH_RECORDS} records.
 *
 * @param dir Folder holding the batch files.
 * @param read Reads a file (default `Deno.readFile`; the loader's reader also hashes it).
 * @returns Train (50 000) and test (10 000) raw images.
 * @throws {DatasetError} On a batch file of the wrong size or with a bad label.
 *
 * @example
 * ```ts ignore
 * import { readCifar10 } from "@plasticity/datasets";
 * const { train, test } = await readCifar10("/data/cifar10/cifar-10-batches-bin");
 * ```
 */
export async function readCifar10(
  dir: string,
  read: (path: string) => Promise<Uint8Array> = (path) => Deno.readFile(path),
): Promise<{ train: RawImages; test: RawImages }> {
  const parts: RawImages[] = [];
  for (const f of [...CIFAR_TRAIN_FILES, CIFAR_TEST_FILE]) {
    const path = join(dir, f);
    // the size first, so a wrong file is refused before it is read
    checkCifarBatchSize(path, (await Deno.stat(path)).size);
    const bytes = await read(path);
    checkCifarBatchSize(path, bytes.length);
    parts.push(parseCifar(bytes, path));
  }
  const test = parts.pop()!;
  return { train: concat(parts), test };
}
