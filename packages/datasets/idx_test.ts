import assert from "node:assert/strict";
import { join } from "node:path";
import { loadDataset } from "./load.ts";
import { parseIdx, readIdxFile, readIdxPair } from "./idx.ts";
import { gzip, idxFile } from "./_test_files.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "plasticity-idx-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const images = (n: number) =>
  idxFile([n, 28, 28], Array.from({ length: n * 784 }, (_, i) => (i * 7) % 256));
const labels = (l: number[]) => idxFile([l.length], l);

Deno.test("readIdxFile reads plain and gzipped IDX files alike", async () => {
  await withDir(async (dir) => {
    const bytes = images(3);
    await Deno.writeFile(join(dir, "a"), bytes);
    await Deno.writeFile(join(dir, "a.gz"), await gzip(bytes));
    const a = await readIdxFile(join(dir, "a"), 3), b = await readIdxFile(join(dir, "a.gz"), 3);
    assert.deepEqual(a.dims, [3, 28, 28]);
    assert.deepEqual(b.dims, [3, 28, 28]);
    assert.deepEqual(a.data, b.data);
    assert.equal(a.data[784 + 5], (789 * 7) % 256);
  });
});

Deno.test("IDX errors: truncated, wrong magic, wrong type, label count mismatch, bad label", async () => {
  await withDir(async (dir) => {
    const f = join(dir, "train-images-idx3-ubyte");
    await Deno.writeFile(f, images(2).subarray(0, 16 + 1000));
    await assert.rejects(readIdxFile(f, 3), {
      message: `File "${f}" is truncated: header says 2 × 28 × 28 = 1568 bytes of data, found 1000`,
    });
    await Deno.writeFile(f, Uint8Array.of(0, 0));
    await assert.rejects(
      readIdxFile(f, 3),
      /is truncated: 2 bytes, expected at least the 4 bytes of an IDX magic number/,
    );
    const bad = images(1);
    bad[0] = 0x1f;
    bad[1] = 0x8c;
    await Deno.writeFile(f, bad);
    await assert.rejects(readIdxFile(f, 3), {
      message:
        `File "${f}" has magic number 0x1f8c0803: expected 0x00000803 (IDX images: unsigned bytes, 3 dimensions)`,
    });
    assert.throws(
      () => parseIdx(Uint8Array.of(0, 0, 0x0d, 1, 0, 0, 0, 0), "x", 1),
      /magic number 0x00000d01 \(IDX float32, 1 dimension\): expected 0x00000801/,
    );
    assert.throws(
      () => parseIdx(labels([1, 2]), "x", 3),
      /magic number 0x00000801 \(IDX unsigned bytes, 1 dimension\): expected 0x00000803/,
    );
    const lf = join(dir, "train-labels-idx1-ubyte");
    await Deno.writeFile(f, images(3));
    await Deno.writeFile(lf, labels([1, 2]));
    await assert.rejects(readIdxPair(f, lf), {
      message: `File "${lf}" holds 2 labels: expected 3, one per image in "${f}"`,
    });
    await Deno.writeFile(lf, labels([1, 2, 10]));
    await assert.rejects(readIdxPair(f, lf), /has label 10 at index 2: expected 0\.\.9/);
    await Deno.writeFile(f, await gzip(images(1)).then((g) => g.subarray(0, g.length - 20)));
    await assert.rejects(readIdxFile(f, 3), /Cannot gunzip/);
  });
});

Deno.test("MNIST from IDX files in the data directory (torchvision layout, gzipped)", async () => {
  await withDir(async (data) => {
    const raw = join(data, "MNIST", "raw");
    await Deno.mkdir(raw, { recursive: true });
    const trainLabels = Array.from({ length: 40 }, (_, i) => i % 10);
    await Deno.writeFile(join(raw, "train-images-idx3-ubyte.gz"), await gzip(images(40)));
    await Deno.writeFile(join(raw, "train-labels-idx1-ubyte.gz"), await gzip(labels(trainLabels)));
    await Deno.writeFile(join(raw, "t10k-images-idx3-ubyte"), images(10));
    await Deno.writeFile(
      join(raw, "t10k-labels-idx1-ubyte"),
      labels([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]),
    );
    const lines: string[] = [];
    const d = await loadDataset("mnist", {
      validation_size: 10,
      validation_split: "tail",
      per_class: 2,
    }, { seed: 0, dataDir: data, log: (l) => lines.push(l) });
    assert.equal(lines.length, 0);
    assert.equal(d.source, raw);
    assert.equal(d.validation!.n, 10);
    assert.equal(d.test.n, 10);
    assert.equal(d.train.n, 20); // the last 10 (one per class) are validation, 3 per class left, 2 kept
    const perClass = new Array(10).fill(0);
    for (const l of d.train.labels!) perClass[l]++;
    assert.deepEqual(perClass, new Array(10).fill(2));
    assert.deepEqual(Array.from(d.test.labels!), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    assert.ok(Math.abs(d.test.x[5]! - 35 / 255) < 1e-7);
    // classes: keep only labels < 3, targets of length 3 with the configured values
    const c = await loadDataset("mnist", { classes: 3, target_values: [-0.1, 1] }, {
      seed: 0,
      dataDir: data,
    });
    assert.equal(c.train.n, 12);
    assert.equal(c.test.n, 3);
    assert.equal(c.train.targetDim, 3);
    assert.deepEqual(Array.from(c.test.labels!), [2, 1, 0]);
    assert.deepEqual(Array.from(c.test.y.subarray(0, 3)), [-0.1, -0.1, 1].map(Math.fround));
    // a partial set of files is an error, not a silent fallback
    await Deno.remove(join(raw, "t10k-labels-idx1-ubyte"));
    await assert.rejects(
      loadDataset("mnist", {}, { seed: 0, dataDir: data }),
      { message: `Incomplete dataset in "${raw}": missing t10k-labels-idx1-ubyte (plain or .gz)` },
    );
  });
});
