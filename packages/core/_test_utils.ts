// Test helpers shared by core's tests.
import assert from "node:assert/strict";
import type { Backend } from "./tensor.ts";

/** Asserts |a − b| ≤ tol · max(1, |b|) elementwise. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol = 1e-5,
  msg = "",
): void {
  assert.equal(actual.length, expected.length, `${msg} length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    const ok = Math.abs(a - e) <= tol * Math.max(1, Math.abs(e));
    if (!ok) assert.fail(`${msg} element ${i}: got ${a}, expected ${e} (tol ${tol})`);
  }
}

/** `backend` without its raw buffers, so callers that test for them take the path of backends like TF.js. */
export function withoutRaw(backend: Backend): Backend {
  return new Proxy(backend, {
    get(target, key) {
      if (key === "raw") return undefined;
      const v = Reflect.get(target, key, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}
