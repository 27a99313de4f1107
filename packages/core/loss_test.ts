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

Deno.test("ignore_outputs: the loss of the kept columns alone, no gradient for the others", () => {
  // Independent path: drop column 2 by hand and take the plain loss of what is left.
  const sliced = (m: typeof y) => {
    const d = b.read(m), out: number[] = [];
    for (let i = 0; i < m.rows; i++) out.push(d[i * 3]!, d[i * 3 + 1]!);
    return b.fromArray(out, m.rows, 2);
  };
  for (const reduction of ["sum", "mean", "meanElements"] as const) {
    for (const half of [true, false]) {
      const spec = { kind: "mse" as const, half, reduction };
      const masked = { ...spec, "ignore_outputs": [2] };
      assert.equal(lossValue(b, masked, y, t), lossValue(b, spec, sliced(y), sliced(t)));
      const g = b.read(lossGrad(b, masked, y, t)),
        kept = b.read(lossGrad(b, spec, sliced(y), sliced(t)));
      for (let i = 0; i < 2; i++) {
        assert.equal(g[i * 3 + 2], 0);
        assert.equal(g[i * 3], kept[i * 2]);
        assert.equal(g[i * 3 + 1], kept[i * 2 + 1]);
      }
    }
  }
  // Ignoring nothing is the plain loss.
  const plain = { kind: "mse" as const, reduction: "sum" as const };
  assert.equal(lossValue(b, { ...plain, "ignore_outputs": [] }, y, t), lossValue(b, plain, y, t));
  assert.throws(() => lossValue(b, { ...plain, "ignore_outputs": [3] }, y, t), /entry 3/);
  assert.throws(
    () => lossValue(b, { kind: "ce", "ignore_outputs": [0] }, y, t),
    /expected the mse loss/,
  );
});
