import assert from "node:assert/strict";
import { fastExp } from "./fast_exp.ts";
import { P2 } from "./_fast_exp_tables.ts";

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

Deno.test("fastExp's powers of two are the float64s whose exponent field is n + 1023 (the SIMD kernels build them so)", () => {
  // Every n = k >> 6 of an exponent inside (−700, 700): |k| < 700·64/ln 2 < 64 700.
  const bits = new BigUint64Array(1), asFloat = new Float64Array(bits.buffer);
  for (let n = -1011; n <= 1011; n++) {
    bits[0] = BigInt(n + 1023) << 52n;
    assert.equal(P2[n + 1050], asFloat[0], `2^${n}`);
  }
});
