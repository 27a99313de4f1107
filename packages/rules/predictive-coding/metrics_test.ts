import assert from "node:assert/strict";
import { createRng, jsBackend as b } from "@plasticity/core";
import { longestEnergyRise, prospectiveIndex, targetAlignment } from "./metrics.ts";
import { PCNetwork } from "./network.ts";
import { DEFAULT_PC_CONFIG } from "./settings.ts";

Deno.test("target alignment is the cosine of the output change with the remaining error", () => {
  // Δ = (−1, 0), error = (−1, −1): cos = 1/√2.
  assert.ok(Math.abs(targetAlignment([1, 1], [0, 1], [0, 0]) - Math.SQRT1_2) < 1e-12);
  assert.equal(targetAlignment([0, 0], [-1, 0], [2, 0]), -1);
  assert.throws(() => targetAlignment([1], [1, 2], [1]), /expected equal lengths/);
});

Deno.test("prospective index compares the learnt change with the inferred one", () => {
  assert.equal(prospectiveIndex([1, 1], [2, 1], [1.5, 1]), 1);
  assert.ok(Math.abs(prospectiveIndex([0, 0], [1, 0], [1, 1]) - Math.SQRT1_2) < 1e-12);
  assert.throws(() => prospectiveIndex([1], [1], [1, 2]), /expected equal lengths/);
});

Deno.test("longest energy rise counts consecutive increases only", () => {
  assert.equal(longestEnergyRise([]), 0);
  assert.equal(longestEnergyRise([1, 2, 3, 2, 3]), 2);
  assert.equal(longestEnergyRise([3, 3, 3]), 0);
});

function sixLayer(width: number, activation: "identity" | "tanh") {
  return new PCNetwork({
    network: { sizes: new Array<number>(7).fill(width), activation, bias: false },
    config: { ...DEFAULT_PC_CONFIG, mode: "pc", T: 101, gamma: 0.1, decay: 0.5 },
    optimizer: { name: "sgd", lr: 0.01 },
    backend: b,
    seed: 3,
  });
}

Deno.test("prospective index of the first hidden layer is exactly 1 for one sample", () => {
  // V⁺ = x₁ − μ₁ = ε₁ and V′ = s ΔW₁ = α s sᵀ ε₁ = α‖s‖² ε₁ (one row), so cos(V′, V⁺) = 1.
  const rng = createRng(2);
  const net = sixLayer(12, "tanh");
  const s = b.random(1, 12, () => rng.normal()), y = b.random(1, 12, () => rng.normal());
  const { prospectiveIndex: pi } = net.probeStep(s, y);
  assert.equal(pi.length, 5);
  assert.ok(pi[0]! > 1 - 1e-6, `PI₁ = ${pi[0]}`);
});

Deno.test("prospective index stays ≥ 0.97 in every layer of a 6-layer linear PCN (paper check)", () => {
  const rng = createRng(1);
  const net = sixLayer(64, "identity");
  const s = b.random(1, 64, () => rng.normal()), y = b.random(1, 64, () => rng.normal());
  const { prospectiveIndex: pi } = net.probeStep(s, y);
  for (const v of pi) assert.ok(v >= 0.97, `PI = ${pi.join(", ")}`);
});

Deno.test("probeStep leaves the network unchanged", () => {
  const net = sixLayer(8, "tanh");
  const before = net.exportWeights();
  net.probeStep(b.fill(2, 8, 0.3), b.fill(2, 8, -0.2));
  assert.deepEqual(net.exportWeights(), before);
});
