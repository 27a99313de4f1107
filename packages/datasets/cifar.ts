/**
 * Reader of the binary version of CIFAR-10.
 *
 * @module
 */
import { join } from "node:path";
import type { RawImages } from "./idx.ts";

/** Bytes per CIFAR-10 record: 1 label byte + 3 × 32 × 32 pixel bytes (channel-major R, G, B). */
export const CIFAR_RECORD = 3073;

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
    throw new Error(
      `File "${file}" is truncated or not CIFAR-10 binary: ${bytes.length} bytes is not a positive multiple of ${CIFAR_RECORD} (1 label byte + 3072 pixel bytes)`,
    );
  }
  const n = bytes.length / CIFAR_RECORD;
  const images = new Uint8Array(n * 3072), labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * CIFAR_RECORD;
    const label = bytes[o]!;
    if (label > 9) {
      throw new Error(
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
 * Reads CIFAR-10 (`data_batch_1..5.bin`, `test_batch.bin`) from `dir`.
 *
 * @param dir Folder holding the batch files.
 * @returns Train (50 000) and test (10 000) raw images.
 *
 * @example
 * ```ts ignore
 * import { readCifar10 } from "@plasticity/datasets";
 * const { train, test } = await readCifar10("/data/cifar10/cifar-10-batches-bin");
 * ```
 */
export async function readCifar10(dir: string): Promise<{ train: RawImages; test: RawImages }> {
  const parts: RawImages[] = [];
  for (const f of CIFAR_TRAIN_FILES) {
    const path = join(dir, f);
    parts.push(parseCifar(await Deno.readFile(path), path));
  }
  const testPath = join(dir, CIFAR_TEST_FILE);
  return { train: concat(parts), test: parseCifar(await Deno.readFile(testPath), testPath) };
}
