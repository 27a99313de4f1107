import assert from "node:assert/strict";
import { exportTensor, importTensor } from "./weights.ts";
import { jsBackend as b } from "./js_backend.ts";

Deno.test("exportTensor() and importTensor() round-trip a matrix", () => {
  const t = b.fromArray([1, 2, 3, 4, 5, 6], 2, 3);
  const back = importTensor(b, { W: exportTensor(b, t) }, "W", 2, 3, "test");
  assert.deepEqual(b.read(back), b.read(t));
});

Deno.test("importTensor() names a missing or misshapen matrix", () => {
  assert.throws(
    () => importTensor(b, {}, "W", 2, 3, "ep"),
    /^Error: ep importWeights: missing matrix "W"$/,
  );
  assert.throws(
    () => importTensor(b, { W: { rows: 3, cols: 2, data: [1, 2, 3, 4, 5, 6] } }, "W", 2, 3, "ep"),
    /ep importWeights: matrix "W" is 3×2 with 6 values: expected 2×3/,
  );
});
