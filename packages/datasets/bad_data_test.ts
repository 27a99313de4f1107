// Bad sizes and bad data files are configuration errors: a one-line DatasetError (a core
// SchemaError, which the runner reports as a config error) naming the key or the file.
import assert from "node:assert/strict";
import { join } from "node:path";
import { resolveHyper, SchemaError } from "@plasticity/core";
import { datasetSchema } from "./schema.ts";
import { loadDataset } from "./load.ts";
import { datasetSource } from "./source.ts";
import { DatasetError } from "./errors.ts";
import { parseIdx } from "./idx.ts";
import { cifarFile, idxFile, writeCifarBatch } from "./_test_files.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "plasticity-bad-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Asserts that `p` rejects with a one-line DatasetError (a SchemaError) of exactly `message`. */
async function rejectsWith(p: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(p, (e) => {
    assert.ok(e instanceof DatasetError, `not a DatasetError: ${e}`);
    assert.ok(e instanceof SchemaError);
    assert.equal(e.message, message);
    assert.ok(!e.message.includes("\n"));
    return true;
  });
}

const images = (n: number, h = 28, w = 28) =>
  idxFile([n, h, w], Array.from({ length: n * h * w }, (_, i) => i % 256));
const labels = (n: number) => idxFile([n], Array.from({ length: n }, (_, i) => i % 10));

async function writeIdx(
  dir: string,
  files: [Uint8Array, Uint8Array, Uint8Array, Uint8Array],
): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const names = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
  ];
  const paths = names.map((n) => join(dir, n));
  for (const [i, p] of paths.entries()) await Deno.writeFile(p, files[i]!);
  return paths;
}

/** Both the loader and datasetSource (the sweep's early check) give the error. */
async function bothReject(
  name: string,
  given: Record<string, unknown>,
  data: string,
  message: string,
): Promise<void> {
  await rejectsWith(loadDataset(name, given, { seed: 0, dataDir: data, log: () => {} }), message);
  const o = resolveHyper(datasetSchema(name), given, "dataset");
  await rejectsWith(datasetSource(name, o, { dataDir: data }), message);
}

Deno.test("train_size 0 and test_size 0 are errors naming the key", async () => {
  for (const name of ["yin-yang", "teacher-student", "sine"]) {
    for (const key of ["train_size", "test_size"]) {
      await assert.rejects(loadDataset(name, { [key]: 0 }, { seed: 0 }), {
        name: "SchemaError",
        message: `dataset.${key}: expected an integer ≥ 1, got 0`,
      });
    }
    // a validation split stays optional
    const d = await loadDataset(name, { train_size: 3, validation_size: 0, test_size: 2 }, {
      seed: 0,
    });
    assert.equal(d.validation, undefined);
  }
  await withDir(async (data) => {
    for (const name of ["mnist", "fashion-mnist", "cifar10"]) {
      for (const key of ["train_size", "test_size"]) {
        // refused before any file is looked for (cifar10 has none here)
        await bothReject(
          name,
          { [key]: 0 },
          data,
          `dataset.${key}: expected -1 (all) or an integer ≥ 1, got 0`,
        );
      }
    }
  });
});

Deno.test("option combinations the schema cannot check are errors naming the keys, early", async () => {
  await withDir(async (data) => {
    await bothReject(
      "teacher-student",
      { teacher_sizes: [5] },
      data,
      "dataset.teacher_sizes: expected at least two integers ≥ 1 (input size first), got [5]",
    );
    await bothReject(
      "yin-yang",
      { r_small: 0.3, r_big: 0.5 },
      data,
      "dataset.r_small, dataset.r_big: expected 0 < 2 r_small < r_big, got r_small 0.3 and r_big 0.5",
    );
    // refused before CIFAR-10 is looked for (there is none here)
    await bothReject(
      "cifar10",
      { grayscale: true, normalize: "cifar-corinfomax" },
      data,
      'dataset.normalize: "cifar-corinfomax" needs the 3 colour channels, but dataset.grayscale is true; expected none, unit, div256, mnist or fashion-mnist with grayscale',
    );
  });
});

Deno.test("IDX files: no images, a test shape unlike the train shape, label count ≠ image count", async () => {
  await withDir(async (data) => {
    const dir = join(data, "mnist");
    let p = await writeIdx(dir, [images(0), labels(0), images(2), labels(2)]);
    await bothReject("mnist", {}, data, `File "${p[0]}" holds 0 images: expected at least 1`);
    p = await writeIdx(dir, [images(3), labels(3), images(2, 27, 27), labels(2)]);
    await bothReject(
      "mnist",
      {},
      data,
      `File "${p[2]}" holds 27 × 27 images: expected 28 × 28 like the training images in "${p[0]}"`,
    );
    p = await writeIdx(dir, [images(3), labels(2), images(2), labels(2)]);
    await bothReject(
      "mnist",
      {},
      data,
      `File "${p[1]}" holds 2 labels: expected 3, one per image in "${p[0]}"`,
    );
    p = await writeIdx(dir, [images(3), labels(3), images(2), labels(2).subarray(0, 9)]);
    await bothReject(
      "mnist",
      {},
      data,
      `File "${p[3]}" is truncated: header says 2 = 2 bytes of data, found 1`,
    );
  });
});

Deno.test("IDX magic number errors show expected and got in hex, and name the file", async () => {
  await withDir(async (data) => {
    const dir = join(data, "fashion-mnist");
    const bad = images(3);
    bad.set([0x1f, 0x8c, 0x08, 0x08], 0);
    const p = await writeIdx(dir, [bad, labels(3), images(2), labels(2)]);
    await bothReject(
      "fashion-mnist",
      {},
      data,
      `File "${
        p[0]
      }" has magic number 0x1f8c0808: expected 0x00000803 (IDX images: unsigned bytes, 3 dimensions)`,
    );
    // swapped files: an IDX file of another kind is described
    await writeIdx(dir, [labels(3), labels(3), images(2), labels(2)]);
    await bothReject(
      "fashion-mnist",
      {},
      data,
      `File "${
        p[0]
      }" has magic number 0x00000801 (IDX unsigned bytes, 1 dimension): expected 0x00000803 (IDX images: unsigned bytes, 3 dimensions)`,
    );
  });
  assert.throws(() => parseIdx(Uint8Array.of(0, 0, 0x0d, 1, 0, 0, 0, 0), "x", 1), {
    name: "DatasetError",
    message:
      'File "x" has magic number 0x00000d01 (IDX float32, 1 dimension): expected 0x00000801 (IDX labels: unsigned bytes, 1 dimension)',
  });
  assert.throws(() => parseIdx(Uint8Array.of(0, 0, 8, 0), "y"), {
    message:
      'File "y" has magic number 0x00000800 (IDX unsigned bytes, 0 dimensions): expected 0x000008NN (IDX unsigned bytes, NN ≥ 1 dimensions)',
  });
});

Deno.test("CIFAR-10: a batch file of the wrong size names the file and both sizes", async () => {
  await withDir(async (data) => {
    const dir = join(data, "cifar10", "cifar-10-batches-bin");
    await Deno.mkdir(dir, { recursive: true });
    for (let b = 1; b <= 5; b++) await writeCifarBatch(join(dir, `data_batch_${b}.bin`), [b]);
    await writeCifarBatch(join(dir, "test_batch.bin"), [1, 2]);
    const f = join(dir, "data_batch_3.bin");
    // one record short (a truncated download), and a small file of whole records
    for (const size of [9999 * 3073, 2 * 3073]) {
      await Deno.writeFile(f, cifarFile([1, 2]));
      await Deno.truncate(f, size);
      await bothReject(
        "cifar10",
        { train_size: 10, test_size: 10 },
        data,
        `File "${f}" has ${size} bytes: expected 30730000 (10000 records of 3073 bytes)`,
      );
    }
  });
});
