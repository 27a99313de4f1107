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

Deno.test("weightSteps k at frozen x: every layer's error shrinks by (1 − α‖a_{l−1}‖²)^k", () => {
  // With the value nodes frozen, F = Σ_l ½‖x_l − a_{l−1}W_l‖² (x_L = y) splits into one least-
  // squares problem per layer; for one sample each SGD step multiplies the layer's residual by
  // 1 − α‖a_{l−1}‖² (linear net, a = x). Checked against that closed form for k = 1 and k = 7.
  const width = 6, lr = 0.01;
  const rng = createRng(5);
  const s = b.random(1, width, () => rng.normal()), y = b.random(1, width, () => rng.normal());
  for (const k of [1, 7]) {
    const net = new PCNetwork({
      network: { sizes: new Array<number>(5).fill(width), activation: "identity", bias: false },
      config: { ...DEFAULT_PC_CONFIG, mode: "pc", T: 40, gamma: 0.1, decay: 0.5 },
      optimizer: { name: "sgd", lr },
      backend: b,
      seed: 9,
    });
    const before = net.exportWeights();
    const r = net.step(s, y, { capture: true, weightSteps: k });
    const after = net.exportWeights();
    const x = [b.read(s), ...r.relaxed!, b.read(y)];
    const residual = (w: { rows: number; cols: number; data: number[] }, l: number) =>
      Array.from({ length: w.cols }, (_, j) => {
        let mu = 0;
        for (let i = 0; i < w.rows; i++) mu += x[l - 1]![i]! * w.data[i * w.cols + j]!;
        return x[l]![j]! - mu;
      });
    for (let l = 1; l <= 4; l++) {
      const r0 = residual(before[`W${l}`]!, l), rk = residual(after[`W${l}`]!, l);
      const norm2 = x[l - 1]!.reduce((acc, v) => acc + v * v, 0);
      const factor = (1 - lr * norm2) ** k;
      for (let j = 0; j < width; j++) {
        assert.ok(
          Math.abs(rk[j]! - factor * r0[j]!) < 1e-4 * (1 + Math.abs(r0[j]!)),
          `k=${k} layer ${l} unit ${j}: ${rk[j]} vs ${factor * r0[j]!}`,
        );
      }
    }
    net.dispose();
  }
});

Deno.test("prospective index of w* (weights trained at the relaxed x) is ≈ 1 in every layer", () => {
  // Spec check: PI ≈ 1.00 for w*, ≥ 0.97 for w′, 6-layer linear width-64 PCN, one sample.
  const rng = createRng(1);
  const net = sixLayer(64, "identity");
  const s = b.random(1, 64, () => rng.normal()), y = b.random(1, 64, () => rng.normal());
  const one = net.probeStep(s, y).prospectiveIndex;
  const many = net.probeStep(s, y, { weightSteps: 100 }).prospectiveIndex;
  assert.equal(many.length, 5);
  for (const v of many) assert.ok(v > 0.99, `PI(w*) = ${many.join(", ")}`);
  assert.ok(Math.min(...many) >= Math.min(...one) - 1e-6, `w* ${many} vs w′ ${one}`);
  assert.throws(() => net.step(s, y, { weightSteps: 0 }), /Invalid weightSteps 0/);
});
