import assert from "node:assert/strict";
import { NumpyRandomState } from "./mt19937.ts";
import { assertClose } from "./_test_utils.ts";

// Expected values are what numpy 1.24 prints for the same calls.
Deno.test("NumpyRandomState.rand() matches np.random.seed(0); np.random.rand(3)", () => {
  const np = new NumpyRandomState(0);
  assertClose([np.rand(), np.rand(), np.rand()], [
    0.5488135039273248,
    0.7151893663724195,
    0.6027633760716439,
  ], 1e-15);
});

Deno.test("NumpyRandomState.randn() matches np.random.seed(0); np.random.randn(2)", () => {
  const np = new NumpyRandomState(0);
  assertClose([np.randn(), np.randn()], [1.764052345967664, 0.4001572083672233], 1e-15);
});

Deno.test("NumpyRandomState randint, permutation and uniform match numpy", () => {
  const np = new NumpyRandomState(0);
  assert.deepEqual([np.randint(0, 10), np.randint(0, 10), np.randint(0, 10)], [5, 0, 3]);
  np.seed(0);
  assert.deepEqual(Array.from(np.permutation(10)), [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
  np.seed(123);
  assertClose([np.uniform(-1, 1), np.randn()], [0.3929383711957233, -0.9520972068613222], 1e-15);
});

Deno.test("NumpyRandomState reseeding restarts the stream and clears the cached normal", () => {
  const np = new NumpyRandomState(7);
  np.randn();
  np.seed(0);
  assertClose([np.randn()], [1.764052345967664], 1e-15);
});

Deno.test("NumpyRandomState rejects seeds numpy rejects", () => {
  assert.throws(
    () => new NumpyRandomState(-1),
    /Invalid numpy seed -1: expected an integer in \[0, 2\^32 - 1\]/,
  );
  assert.throws(() => new NumpyRandomState(1.5), /Invalid numpy seed 1.5/);
});
