import assert from "node:assert/strict";
import { accuracy, angleDeg, argmax, cosine } from "./metrics.ts";
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

Deno.test("accuracy() and argmax() count agreeing rows, first index on ties", () => {
  assert.equal(argmax([1, 1, 0], 0, 3), 0);
  const y = b.fromArray([0.1, 0.9, 0.8, 0.2, 0.5, 0.5], 3, 2),
    t = b.fromArray([0, 1, 0, 1, 1, 0], 3, 2);
  assert.equal(accuracy(b, y, t), 2 / 3);
});
