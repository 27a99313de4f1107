import assert from "node:assert/strict";
import { createRng, jsBackend as b } from "@plasticity/core";
import { batches } from "./batches.ts";
import type { Split } from "./types.ts";

function split(n: number): Split {
  // sample i has x = (i, -i), y = 2i, so rows can be checked for alignment
  const x = new Float32Array(2 * n), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = i;
    x[2 * i + 1] = -i;
    y[i] = 2 * i;
  }
  return { x, y, n, inputDim: 2, targetDim: 1 };
}

Deno.test("shuffled batches visit every sample once with x and y rows aligned", () => {
  const seen: number[] = [];
  const sizes: number[] = [];
  for (const [x, y] of batches(split(23), 5, b, { rng: createRng(1) })) {
    const xs = b.read(x), ys = b.read(y);
    sizes.push(x.rows);
    for (let r = 0; r < x.rows; r++) {
      assert.equal(xs[2 * r + 1], -xs[2 * r]!);
      assert.equal(ys[r], 2 * xs[2 * r]!);
      seen.push(xs[2 * r]!);
    }
  }
  assert.deepEqual(sizes, [5, 5, 5, 5, 3]);
  assert.deepEqual([...seen].sort((p, q) => p - q), Array.from({ length: 23 }, (_, i) => i));
  assert.notDeepEqual(seen, Array.from({ length: 23 }, (_, i) => i));
});

Deno.test("batches are deterministic per seed, ordered without rng, and dropLast drops the remainder", () => {
  const order = (seed?: number) =>
    [...batches(split(10), 4, b, seed === undefined ? {} : { rng: createRng(seed) })].flatMap((
      [x],
    ) => Array.from(b.read(x)).filter((_, i) => i % 2 === 0));
  assert.deepEqual(order(3), order(3));
  assert.notDeepEqual(order(3), order(4));
  assert.deepEqual(order(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual([...batches(split(10), 4, b, { dropLast: true })].map(([x]) => x.rows), [4, 4]);
  assert.throws(() => [...batches(split(3), 0, b)], /Invalid batch size 0/);
});
