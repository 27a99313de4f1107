import assert from "node:assert/strict";
import { summarize } from "./stats.ts";

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

Deno.test("summarize matches hand-computed mean, sample std, sem, min and max", () => {
  // 2,4,4,4,5,5,7,9: sum 40 → mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32.
  const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
  assert.equal(s.n, 8);
  assert.equal(s.mean, 5);
  close(s.std, Math.sqrt(32 / 7)); // sample std (n − 1), pandas' default: 2.1380899...
  close(s.std, 2.138089935299395);
  close(s.sem, Math.sqrt(32 / 7) / Math.sqrt(8));
  assert.equal(s.min, 2);
  assert.equal(s.max, 9);
});

Deno.test("summarize keeps precision far from zero (two-pass about the mean)", () => {
  // 1e9+1, 1e9+2, 1e9+3: deviations −1, 0, 1 → sample variance 2/2 = 1.
  const s = summarize([1e9 + 1, 1e9 + 2, 1e9 + 3]);
  assert.equal(s.mean, 1e9 + 2);
  assert.equal(s.std, 1);
  close(s.sem, 1 / Math.sqrt(3));
});

Deno.test("summarize of one value has NaN std and sem, of none all NaN", () => {
  const one = summarize([0.25]);
  assert.deepEqual([one.n, one.mean, one.min, one.max], [1, 0.25, 0.25, 0.25]);
  assert.ok(Number.isNaN(one.std) && Number.isNaN(one.sem));
  const none = summarize([]);
  assert.equal(none.n, 0);
  assert.ok([none.mean, none.std, none.sem, none.min, none.max].every(Number.isNaN));
});

Deno.test("summarize rejects a non-finite value with its index", () => {
  assert.throws(
    () => summarize([1, NaN]),
    /Cannot summarise value null at index 1: expected a finite number/,
  );
  assert.throws(() => summarize([Infinity]), /at index 0/);
});
