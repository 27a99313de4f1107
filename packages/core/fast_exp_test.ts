import assert from "node:assert/strict";
import { fastExp } from "./fast_exp.ts";

Deno.test("fastExp is within 2 ulp of Math.exp over the range the rates use, and exact at the edges", () => {
  let worst = 0;
  for (let i = 0; i <= 200000; i++) {
    const x = -60 + (120 * i) / 200000 + 1e-7 * Math.sin(i);
    const e = Math.exp(x);
    worst = Math.max(worst, Math.abs(fastExp(x) - e) / e);
  }
  assert.ok(worst < 2 * 2.220446049250313e-16, `relative error ${worst}`);
  assert.equal(fastExp(0), 1);
  assert.equal(fastExp(800), Infinity);
  assert.equal(fastExp(-800), 0);
  assert.ok(Number.isNaN(fastExp(NaN)));
});
