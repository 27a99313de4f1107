import assert from "node:assert/strict";
import { createRng } from "./random.ts";
import { jsBackend as b } from "./js_backend.ts";
import { divergedWhy, signedBeta, stateNorm, stepNorm } from "./relaxation.ts";

Deno.test("signedBeta draws one number per call when the sign is random, none otherwise", () => {
  const rng = createRng(5), twin = createRng(5);
  for (let i = 0; i < 50; i++) {
    const u = twin.next();
    assert.equal(signedBeta(rng, 0.3, true), u < 0.5 ? -0.3 : 0.3);
  }
  // a fixed sign leaves the generator alone
  const before = createRng(9), after = createRng(9);
  for (let i = 0; i < 5; i++) assert.equal(signedBeta(after, 0.3, false), 0.3);
  assert.equal(after.next(), before.next());
});

Deno.test("signedBeta gives both signs about equally often", () => {
  const rng = createRng(1);
  let neg = 0;
  const n = 10_000;
  for (let i = 0; i < n; i++) if (signedBeta(rng, 1, true) < 0) neg++;
  // binomial(10⁴, ½): standard deviation 50
  assert.ok(Math.abs(neg - n / 2) < 250, `${neg} negative of ${n}`);
});

Deno.test("stepNorm and stateNorm are Euclidean norms over all layers", () => {
  const a = [b.fromArray([1, 2], 1, 2), b.fromArray([3, 4, 5, 6], 2, 2)];
  const c = [b.fromArray([0, 0], 1, 2), b.fromArray([3, 4, 5, 4], 2, 2)];
  // ‖a − c‖² = 1 + 4 + 0 + 0 + 0 + 4 = 9
  assert.equal(stepNorm(b, a, c), 3);
  // ‖a‖² = 1 + 4 + 9 + 16 + 25 + 36 = 91
  assert.equal(stateNorm(b, a), Math.sqrt(91));
  assert.equal(stateNorm(b, []), 0);
  assert.throws(() => stepNorm(b, a, [c[0]!]), /states of 2 and 1 layers: expected equal counts/);
});

Deno.test("divergedWhy flags non-finite states and non-contracting iterations only", () => {
  // contracting
  assert.equal(divergedWhy(1, 0.1, 5, 0.5, 10), undefined);
  // not contracting, but too few iterations to tell
  assert.equal(divergedWhy(1, 2, 5, 0.5, 2), undefined);
  // not contracting, but the last step is negligible against the state (≤ 10⁻³ of it)
  assert.equal(divergedWhy(1e-4, 1e-3, 1, 0.5, 10), undefined);
  assert.match(
    divergedWhy(1, 0.5, 5, 0.5, 10)!,
    /^the last step of the free phase \(0\.500\) is 0\.500 times the first \(1\.00\): the iteration does not contract$/,
  );
  assert.equal(divergedWhy(1, Infinity, 5, 0.5, 10), "the neurons became non-finite");
  assert.equal(divergedWhy(1, 0.1, NaN, 0.5, 10), "the neurons became non-finite");
  const words = { state: "voltages", step: "voltage step", hint: "try a smaller step" };
  assert.equal(divergedWhy(1, NaN, 1, 0.5, 10, words), "the voltages became non-finite");
  assert.match(
    divergedWhy(1, 3, 5, 0.5, 10, words)!,
    /^the last voltage step of the free phase \(3\.00\) is 3\.00 times the first \(1\.00\): the iteration does not contract \(try a smaller step\)$/,
  );
});
