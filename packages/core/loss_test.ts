import assert from "node:assert/strict";
import { jsBackend as b } from "./js_backend.ts";
import { lossGrad, lossValue } from "./loss.ts";
import { assertClose } from "./_test_utils.ts";

const y = b.fromArray([0.5, -1, 2, 0.25, 0, 1], 2, 3);
const t = b.fromArray([1, 0, 0, 0, 0, 1], 2, 3);

Deno.test("squared error variants equal their hand-computed values", () => {
  // Σ (y − t)² = 0.25 + 1 + 4 + 0.0625 + 0 + 0 = 5.3125 over 2 rows.
  assert.equal(lossValue(b, { kind: "mse", half: false, reduction: "sum" }, y, t), 5.3125);
  assert.equal(lossValue(b, { kind: "mse", half: true, reduction: "sum" }, y, t), 2.65625);
  assert.equal(lossValue(b, { kind: "mse", half: true, reduction: "mean" }, y, t), 1.328125);
  assert.equal(lossValue(b, { kind: "mse", half: false }, y, t), 2.65625);
  // bioflax's MSE, optax.l2_loss(…).mean(): ½ · 5.3125 over all 6 elements.
  assert.equal(
    lossValue(b, { kind: "mse", half: true, reduction: "meanElements" }, y, t),
    2.65625 / 6,
  );
  // … whose gradient is (y − t) / (number of output elements in the batch).
  assertClose(
    b.read(lossGrad(b, { kind: "mse", reduction: "meanElements" }, y, t)),
    [-0.5, -1, 2, 0.25, 0, 0].map((v) => v / 6),
    1e-7,
  );
  assert.throws(
    () => lossValue(b, { kind: "ce", reduction: "meanElements" }, y, t),
    /Invalid loss reduction "meanElements" for "ce": expected mean or sum/,
  );
});

Deno.test("cross-entropy equals -Σ t log softmax(y) per row, averaged", () => {
  const lse = (xs: number[]) => Math.log(xs.reduce((s, x) => s + Math.exp(x), 0));
  const want = ((lse([0.5, -1, 2]) - 0.5) + (lse([0.25, 0, 1]) - 1)) / 2;
  assertClose([lossValue(b, { kind: "ce" }, y, t)], [want], 1e-6);
});

Deno.test("loss gradients agree with central finite differences", () => {
  for (
    const spec of [
      { kind: "mse", half: false, reduction: "sum" },
      { kind: "mse" },
      { kind: "mse", half: false, reduction: "meanElements" },
      { kind: "ce" },
      { kind: "ce", reduction: "sum" },
    ] as const
  ) {
    const base = Array.from(b.read(y)), g = b.read(lossGrad(b, spec, y, t)), h = 1e-2;
    const fd = base.map((_, i) => {
      const up = [...base], dn = [...base];
      up[i]! += h;
      dn[i]! -= h;
      return (lossValue(b, spec, b.fromArray(up, 2, 3), t) -
        lossValue(b, spec, b.fromArray(dn, 2, 3), t)) / (2 * h);
    });
    assertClose(g, fd, 2e-3, JSON.stringify(spec));
  }
});

Deno.test("loss functions reject mismatched shapes", () => {
  assert.throws(() => lossValue(b, { kind: "mse" }, y, b.zeros(3, 2)), /shapes 2×3 and 3×2/);
});
