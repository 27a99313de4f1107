import assert from "node:assert/strict";
import { createRng, deriveSeed, permutation, shuffle } from "./random.ts";

Deno.test("createRng() gives the same stream for the same seed and different streams otherwise", () => {
  const a = createRng(5), b = createRng(5), c = createRng(6);
  const xa = Array.from({ length: 10 }, () => a.next());
  const xb = Array.from({ length: 10 }, () => b.next());
  const xc = Array.from({ length: 10 }, () => c.next());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

Deno.test("createRng() uniforms have mean 1/2 and variance 1/12", () => {
  const r = createRng(1), n = 200_000;
  let s = 0, s2 = 0;
  for (let i = 0; i < n; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    s += u;
    s2 += u * u;
  }
  const mean = s / n, v = s2 / n - mean * mean;
  // Standard errors: 1/sqrt(12 n) ≈ 6.5e-4 for the mean.
  assert.ok(Math.abs(mean - 0.5) < 4e-3, `mean ${mean}`);
  assert.ok(Math.abs(v - 1 / 12) < 2e-3, `variance ${v}`);
});

Deno.test("createRng() normals have mean 0, variance 1 and a symmetric tail", () => {
  const r = createRng(2), n = 200_000;
  let s = 0, s2 = 0, beyond = 0;
  for (let i = 0; i < n; i++) {
    const z = r.normal();
    s += z;
    s2 += z * z;
    if (Math.abs(z) > 1.96) beyond++;
  }
  assert.ok(Math.abs(s / n) < 0.01);
  assert.ok(Math.abs(s2 / n - 1) < 0.02);
  assert.ok(Math.abs(beyond / n - 0.05) < 0.003, `P(|z| > 1.96) = ${beyond / n}`);
});

Deno.test("rng.int(n) covers [0, n) uniformly", () => {
  const r = createRng(3), counts = new Array(7).fill(0);
  for (let i = 0; i < 70_000; i++) counts[r.int(7)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 500, `count ${c}`);
  assert.throws(() => r.int(0), /Invalid integer range 0/);
});

Deno.test("shuffle() and permutation() are permutations and seed-deterministic", () => {
  const p = permutation(100, createRng(4));
  assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(p, permutation(100, createRng(4)));
  assert.deepEqual(shuffle([], createRng(0)), []);
});

Deno.test("deriveSeed() separates streams and is stable", () => {
  assert.equal(deriveSeed(1, "train"), deriveSeed(1, "train"));
  assert.notEqual(deriveSeed(1, "train"), deriveSeed(1, "test"));
  assert.notEqual(deriveSeed(1, "train"), deriveSeed(2, "train"));
});

Deno.test("createRng() rejects non-finite seeds", () => {
  assert.throws(() => createRng(NaN), /Invalid seed null: expected a finite number/);
});
