// The SIMD 2 × 2 max-pooling search against the definition: each window's first maximum in
// row-major order under `>` (ties keep the earlier pixel, NaN neither wins nor loses), searched
// here by a direct loop over the window's four pixels.
import assert from "node:assert/strict";
import { argmax2x2Simd } from "./_pool_kernel.ts";
import { createRng } from "./random.ts";

function firstMaxima(x: Float32Array, pairs: number, w: number): Int32Array {
  const ow = Math.floor(w / 2), best = new Int32Array(pairs * ow);
  for (let r = 0; r < pairs; r++) {
    for (let v = 0; v < ow; v++) {
      const top = 2 * r * w + 2 * v;
      let at = top;
      for (const i of [top, top + 1, top + w, top + w + 1]) if (x[i]! > x[at]!) at = i;
      best[r * ow + v] = at;
    }
  }
  return best;
}

// Values from a small set so that ties, signed zeros and NaN are common.
function tiedData(n: number, seed: number): Float32Array {
  const rng = createRng(seed), pool = [0, -0, 1, -1, 0.5, NaN, Infinity, -Infinity];
  return Float32Array.from(
    { length: n },
    () => rng.next() < 0.5 ? pool[Math.floor(rng.next() * pool.length)]! : rng.next() * 2 - 1,
  );
}

Deno.test("the SIMD search picks each window's first maximum, as the definition does", () => {
  // Windows a row pair from 1 to 14: tails of 1, 2 and 3 windows past a step of four, odd widths.
  const cases: [number, number][] = [
    [1, 2],
    [3, 5],
    [2, 7],
    [4, 9],
    [5, 16],
    [6, 11],
    [
      64 * 6 * 14,
      28,
    ],
    [2, 28],
    [1, 3],
  ];
  cases.forEach(([pairs, w], k) => {
    const x = tiedData(2 * pairs * w, 10 + k), n = pairs * Math.floor(w / 2);
    const best = new Int32Array(n), out = new Float32Array(n);
    assert.equal(argmax2x2Simd(x, pairs, w, best, out), true);
    const want = firstMaxima(x, pairs, w);
    assert.deepEqual(Array.from(best), Array.from(want), `${pairs} row pairs of width ${w}`);
    want.forEach((i, q) => assert.ok(Object.is(out[q], x[i]), `value ${q} of ${pairs} × ${w}`));
  });
});

Deno.test("the SIMD search after a larger input reads only the new one", () => {
  const big = tiedData(2 * 40 * 30, 1), small = tiedData(2 * 3 * 6, 2);
  argmax2x2Simd(big, 40, 30, new Int32Array(40 * 15));
  const best = new Int32Array(9), out = new Float32Array(9);
  argmax2x2Simd(small, 3, 6, best, out);
  assert.deepEqual(Array.from(best), Array.from(firstMaxima(small, 3, 6)));
});
