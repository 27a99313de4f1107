import assert from "node:assert/strict";
import { base64ToF64, f64ToBase64 } from "./_f64_codec.ts";

Deno.test("f64 codec: every bit survives, −0 and NaN included", () => {
  const a = Float64Array.from([
    0,
    -0,
    1 / 3,
    -1e-310,
    Number.MAX_VALUE,
    NaN,
    -Infinity,
    2 ** -1074,
  ]);
  const text = JSON.parse(JSON.stringify(f64ToBase64(a))) as string;
  const b = new Float64Array(a.length);
  base64ToF64(text, b, "a");
  assert.deepEqual(new Uint8Array(b.buffer), new Uint8Array(a.buffer));
  assert.ok(Object.is(b[1], -0));
  // 3 values = 24 bytes = 32 base64 characters
  assert.equal(f64ToBase64([1, 2, 3]).length, 32);
  assert.throws(
    () => base64ToF64(f64ToBase64([1, 2]), new Float64Array(3), "x"),
    /expected 3 values, got 2/,
  );
});
