import assert from "node:assert/strict";
import { describeOverride, mergeConfig } from "@plasticity/reproduce/overrides";

Deno.test("mergeConfig merges mappings, replaces lists and scalars, deletes on null", () => {
  const base = {
    name: "x",
    epochs: 64,
    seeds: [1, 2, 3],
    dataset: { name: "fashion-mnist", per_class: 60 },
    grid: { "network.sizes": [[784, 10], [784, 64, 10]], "optimizer.lr": [1, 0.1, 0.01] },
    metrics: { every: 1 },
  };
  const merged = mergeConfig(base, {
    epochs: 8,
    seeds: [1],
    dataset: { test_size: 2000 },
    grid: { "optimizer.lr": [0.1] },
    metrics: null,
  });
  assert.deepEqual(merged, {
    name: "x",
    epochs: 8,
    seeds: [1],
    dataset: { name: "fashion-mnist", per_class: 60, test_size: 2000 },
    grid: { "network.sizes": [[784, 10], [784, 64, 10]], "optimizer.lr": [0.1] },
  });
  // The inputs are left alone.
  assert.equal(base.epochs, 64);
  assert.deepEqual(base.grid["optimizer.lr"], [1, 0.1, 0.01]);
});

Deno.test("describeOverride names nested keys with dots", () => {
  assert.equal(
    describeOverride({ seeds: [123], simulation: { params: { epochs: 20 } } }),
    "seeds [123], simulation.params.epochs 20",
  );
});
