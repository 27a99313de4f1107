import assert from "node:assert/strict";
import { createRng, NumpyRandomState, resolveHyper } from "@plasticity/core";
import { barsPatterns, generateBars } from "./bars.ts";
import { loadDataset, openDataset } from "./load.ts";
import { datasetSchema } from "./schema.ts";
import { datasetSource } from "./source.ts";

/**
 * The class of a noiseless-up-to-`noise` image by the definition of the bars: class 0 when
 * exactly one row is all bar and the rest background, class 1 likewise for a column, class 2 for
 * the main or the anti-diagonal; -1 otherwise. Pixels count as bar when ≥ high, as background
 * when < low + noise (the bar pixels then < high + noise).
 */
function classOf(img: ArrayLike<number>, s: number, low: number, high: number, noise: number) {
  const on = (i: number, j: number) => {
    const v = img[i * s + j]!;
    if (v >= high && v < high + noise) return true;
    if (v >= low && v < low + noise) return false;
    throw new Error(`pixel (${i}, ${j}) = ${v} is neither bar nor background`);
  };
  const matches = (bar: (i: number, j: number) => boolean) => {
    for (let i = 0; i < s; i++) {
      for (let j = 0; j < s; j++) if (on(i, j) !== bar(i, j)) return false;
    }
    return true;
  };
  const found: number[] = [];
  for (let r = 0; r < s; r++) {
    if (matches((i) => i === r)) found.push(0);
    if (matches((_, j) => j === r)) found.push(1);
  }
  if (matches((i, j) => i === j) || matches((i, j) => i + j === s - 1)) found.push(2);
  return found.length === 1 ? found[0]! : -1;
}

Deno.test("bars: shapes, GeNN's class order, and every label is the class of its image", () => {
  for (const [s, n, low, high, noise] of [[3, 7, 0, 1, 0.01], [5, 12, -0.5, 2, 0.1]] as const) {
    const b = generateBars(
      { squareSize: s, samplesPerClass: n, low, high, noise },
      createRng(s),
    );
    assert.equal(b.x.length, 3 * n * s * s);
    assert.equal(b.labels.length, 3 * n);
    // class 0 first, then 1, then 2, n of each (BarsDataset's order)
    assert.deepEqual(Array.from(b.labels), [0, 1, 2].flatMap((c) => Array(n).fill(c)));
    for (let i = 0; i < 3 * n; i++) {
      const img = b.x.subarray(i * s * s, (i + 1) * s * s);
      assert.equal(classOf(img, s, low, high, noise), b.labels[i], `sample ${i}`);
    }
  }
});

Deno.test("bars: the patterns of each class, in np.unique's order, cycled through", () => {
  const s = 4;
  const [h, v, d] = barsPatterns(s, 0, 1);
  // one high row among low rows, sorted lexicographically: the bar in the last row is smallest
  assert.deepEqual(h!.map((p) => [...p].indexOf(1) / s), [3, 2, 1, 0]);
  for (const [k, p] of h!.entries()) {
    assert.deepEqual(
      [...p],
      [...v![k]!].map((_, idx) => v![k]![(idx % s) * s + Math.floor(idx / s)]!),
    );
  }
  assert.deepEqual(
    d!.map((p) => [...p].map((x, idx) => (x === 1 ? idx : -1)).filter((i) => i >= 0)),
    [
      [0, 5, 10, 15],
      [3, 6, 9, 12],
    ],
  );
  // Noiseless samples are the patterns in turn: horizontal 6 samples wrap after 4, diagonals after 2.
  const b = generateBars({ squareSize: s, samplesPerClass: 6, noise: 0 }, createRng(0));
  const sample = (i: number) => [...b.x.subarray(i * 16, (i + 1) * 16)];
  for (let k = 0; k < 6; k++) {
    assert.deepEqual(sample(k), [...h![k % 4]!]);
    assert.deepEqual(sample(6 + k), [...v![k % 4]!]);
    assert.deepEqual(sample(12 + k), [...d![k % 2]!]);
  }
});

Deno.test("bars: the noise is noise_level · rand() per pixel in order from the injected generator", () => {
  const b = generateBars(
    { squareSize: 3, samplesPerClass: 2, noise: 0.1 },
    new NumpyRandomState(7),
  );
  const [h, v, d] = barsPatterns(3);
  const rng = new NumpyRandomState(7);
  const patterns = [h![0]!, h![1]!, v![0]!, v![1]!, d![0]!, d![1]!];
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 9; j++) {
      assert.equal(b.x[i * 9 + j], Math.fround(patterns[i]![j]! + 0.1 * rng.next()));
    }
  }
});

Deno.test("bars through loadDataset: options, seeds, one-hot targets and one-line errors", async () => {
  const d = await loadDataset("bars", {
    square_size: 4,
    per_class: 5,
    validation_per_class: 2,
    test_per_class: 3,
    data_seed: 42,
  }, { seed: 0 });
  assert.deepEqual([d.train.n, d.validation!.n, d.test.n], [15, 6, 9]);
  assert.equal(d.train.inputDim, 16);
  assert.equal(d.train.targetDim, 3);
  assert.deepEqual(
    Array.from(d.train.x),
    Array.from(generateBars({ squareSize: 4, samplesPerClass: 5 }, new NumpyRandomState(42)).x),
  );
  assert.deepEqual(
    Array.from(d.test.x),
    Array.from(generateBars({ squareSize: 4, samplesPerClass: 3 }, new NumpyRandomState(44)).x),
  );
  for (let i = 0; i < d.train.n; i++) {
    for (let c = 0; c < 3; c++) {
      assert.equal(d.train.y[i * 3 + c], c === d.train.labels![i] ? 1 : 0);
    }
  }
  assert.equal((await loadDataset("bars", {}, { seed: 0 })).validation, undefined);
  await assert.rejects(
    loadDataset("bars", { square_size: 1 }, { seed: 0 }),
    /^SchemaError: dataset\.square_size: expected an integer ≥ 2[^\n]*, got 1$/,
  );
  await assert.rejects(
    loadDataset("bars", { bottom_left: 1, top_right: 1 }, { seed: 0 }),
    /^DatasetError: dataset\.bottom_left, dataset\.top_right: expected bottom_left < top_right, got bottom_left 1 and top_right 1$/,
  );
  assert.throws(
    () => generateBars({ squareSize: 3, samplesPerClass: -1 }, createRng(0)),
    /^Error: Invalid bars samples per class -1: expected a non-negative integer$/,
  );
});

Deno.test("bars: generated source, and the run seed decides the data when data_seed is -1", async () => {
  const o = resolveHyper(datasetSchema("bars"), { per_class: 4, test_per_class: 2 }, "dataset");
  const s = await datasetSource("bars", o);
  assert.deepEqual(s, { kind: "generated", generator: "bars@1" });
  const a = await openDataset("bars", o, { seed: 5 });
  assert.deepEqual(a.provenance, s);
  assert.deepEqual(a, await openDataset("bars", o, { seed: 5 }));
  assert.notDeepEqual(a.train.x, (await openDataset("bars", o, { seed: 6 })).train.x);
  assert.deepEqual(
    Array.from(a.train.x),
    Array.from(generateBars({ squareSize: 3, samplesPerClass: 4 }, new NumpyRandomState(5)).x),
  );
});
