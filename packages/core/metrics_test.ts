import assert from "node:assert/strict";
import {
  accuracy,
  angleDeg,
  angleFromCos,
  argmax,
  correctCount,
  cosine,
  CosineAccumulator,
  topKCorrectCount,
} from "./metrics.ts";
import { jsBackend as b } from "./js_backend.ts";
import { createRng } from "./random.ts";

Deno.test("angleDeg() gives exactly 0 for identical directions, never NaN", () => {
  const r = createRng(0);
  for (let n = 1; n < 200; n += 7) {
    const v = Array.from({ length: n }, () => r.normal());
    assert.equal(angleDeg(v, v), 0);
    assert.equal(angleDeg(v, v.map((x) => 3 * x)), 0);
  }
});

Deno.test("angleDeg() of known pairs", () => {
  assert.equal(angleDeg([1, 0], [0, 1]), 90);
  assert.equal(angleDeg([1, 0], [-1, 0]), 180);
  assert.ok(Math.abs(angleDeg([1, 0], [1, 1]) - 45) < 1e-12);
  assert.ok(Number.isNaN(cosine([0, 0], [1, 1])));
});

Deno.test("cosine() is clamped to [-1, 1] and checks lengths", () => {
  const c = cosine([1e-20, 1e-20], [1e-20, 1e-20]);
  assert.ok(c <= 1 && c >= -1);
  assert.throws(() => cosine([1], [1, 2]), /lengths 1 and 2/);
});

Deno.test("CosineAccumulator over pieces gives the cosine, angle and norm ratio of the concatenation", () => {
  const r = createRng(3);
  const a = Array.from({ length: 30 }, () => r.normal()), c = a.map((x) => x + 0.5 * r.normal());
  // pieces of 10, 15 and 5, the last through a second accumulator merged in
  const acc = new CosineAccumulator().add(a.slice(0, 10), c.slice(0, 10));
  acc.add(a.slice(10, 25), c.slice(10, 25));
  acc.merge(new CosineAccumulator().add(a.slice(25), c.slice(25)));
  // independently: the definitions in float64 over the whole vectors
  let ab = 0, aa = 0, cc = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * c[i]!;
    aa += a[i]! ** 2;
    cc += c[i]! ** 2;
  }
  const cos = ab / Math.sqrt(aa * cc);
  assert.ok(Math.abs(acc.cos() - cos) < 1e-14);
  assert.ok(Math.abs(acc.angle() - (Math.acos(cos) * 180) / Math.PI) < 1e-10);
  assert.ok(Math.abs(acc.normRatio() - Math.sqrt(aa / cc)) < 1e-14);
  // one piece is exactly cosine()
  assert.equal(new CosineAccumulator().add(a, c).cos(), cosine(a, c));
  assert.ok(Number.isNaN(new CosineAccumulator().cos()));
  assert.throws(() => new CosineAccumulator().add([1], [1, 2]), /lengths 1 and 2/);
});

Deno.test("angleFromCos() is arccos in degrees, exactly 0 within rounding of 1", () => {
  assert.equal(angleFromCos(0), 90);
  assert.equal(angleFromCos(-1), 180);
  assert.ok(Math.abs(angleFromCos(0.5) - 60) < 1e-12);
  assert.equal(angleFromCos(1 - 1e-13), 0);
  assert.ok(angleFromCos(1 - 1e-9) > 0);
});

Deno.test("accuracy() and argmax() count agreeing rows, first index on ties", () => {
  assert.equal(argmax([1, 1, 0], 0, 3), 0);
  const y = b.fromArray([0.1, 0.9, 0.8, 0.2, 0.5, 0.5], 3, 2),
    t = b.fromArray([0, 1, 0, 1, 1, 0], 3, 2);
  assert.equal(accuracy(b, y, t), 2 / 3);
});

Deno.test("topKCorrectCount: the target's rank by sorting, ties broken by index as argmax does", () => {
  const rng = createRng(5);
  const rows = 200, cols = 7;
  // Values from a small set, so that ties happen often.
  const y = Array.from({ length: rows * cols }, () => rng.int(4));
  const t = Array.from({ length: rows * cols }, () => 0);
  for (let r = 0; r < rows; r++) t[r * cols + rng.int(cols)] = 1;
  for (let k = 1; k <= cols; k++) {
    let expected = 0;
    for (let r = 0; r < rows; r++) {
      const row = y.slice(r * cols, (r + 1) * cols);
      const target = t.slice(r * cols, (r + 1) * cols).indexOf(1);
      const order = row.map((v, j) => [v, j] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
      if (order.findIndex(([, j]) => j === target) < k) expected++;
    }
    assert.equal(topKCorrectCount(y, t, cols, k), expected, `k = ${k}`);
  }
  assert.equal(topKCorrectCount(y, t, cols, 1), correctCount(y, t, cols));
  assert.equal(topKCorrectCount(y, t, cols, cols), rows);
});
