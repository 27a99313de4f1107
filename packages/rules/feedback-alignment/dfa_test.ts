// DFA against theory: hidden errors come straight from the output error through each layer's
// own B; the output-layer update is BP's; with one hidden layer and B = W_outᵀ it is BP.
import assert from "node:assert/strict";
import { createLearner, createRng, jsBackend as b, type LearnerOptions } from "@plasticity/core";
import "./mod.ts";

const sig = (v: number) => 1 / (1 + Math.exp(-v));

function opts(sizes: number[], seed: number, extra: Partial<LearnerOptions> = {}): LearnerOptions {
  return {
    network: { sizes, activation: "sigmoid" },
    optimizer: { name: "sgd", lr: 1 },
    loss: { kind: "mse", half: true, reduction: "sum" },
    backend: b,
    seed,
    ...extra,
  };
}

Deno.test("three-layer sigmoid net: every hidden error is φ'(aₗ) ⊙ e Bₗᵀ (hand-derived)", () => {
  // 4 → 6 → 5 → 3, x = ones, ℒ = ½‖y − t‖²: e = y − t, δₗ = σ'(aₗ) ⊙ (e Bₗᵀ), ∂Wₗ = hₗᵀδₗ.
  const sizes = [4, 6, 5, 3];
  const l = createLearner("dfa", opts(sizes, 2));
  const w = l.exportWeights();
  assert.deepEqual([w.B0!.rows, w.B0!.cols, w.B1!.rows, w.B1!.cols], [6, 3, 5, 3]);
  const rng = createRng(1), t = Array.from({ length: 3 }, () => rng.normal());
  // Independent forward pass (biases start at 0).
  const a: number[][] = [], h: number[][] = [new Array(4).fill(1)];
  for (let i = 0; i < 3; i++) {
    const W = w[`W${i}`]!.data, n = sizes[i]!, m = sizes[i + 1]!;
    const ai = Array.from({ length: m }, (_, j) => {
      let s = 0;
      for (let k = 0; k < n; k++) s += h[i]![k]! * W[k * m + j]!;
      return s;
    });
    a.push(ai);
    h.push(i < 2 ? ai.map(sig) : ai);
  }
  const e = h[3]!.map((v, k) => v - t[k]!);
  const deltas = [0, 1].map((j) => {
    const B = w[`B${j}`]!.data, m = sizes[j + 1]!;
    return Array.from({ length: m }, (_, r) => {
      let s = 0;
      for (let k = 0; k < 3; k++) s += B[r * 3 + k]! * e[k]!;
      return s * sig(a[j]![r]!) * (1 - sig(a[j]![r]!));
    });
  });
  deltas.push(e);
  l.trainBatch(b.fill(1, 4, 1), b.fromArray(t, 1, 3));
  const w2 = l.exportWeights();
  for (let i = 0; i < 3; i++) {
    const dW = w[`W${i}`]!.data.map((v, k) => v - w2[`W${i}`]!.data[k]!);
    const want = h[i]!.flatMap((hv) => deltas[i]!.map((d) => hv * d));
    dW.forEach((g, k) =>
      assert.ok(Math.abs(g - want[k]!) < 2e-6, `dW${i}[${k}]: ${g} vs ${want[k]}`)
    );
    const db = w[`b${i}`]!.data.map((v, k) => v - w2[`b${i}`]!.data[k]!);
    db.forEach((g, k) => assert.ok(Math.abs(g - deltas[i]![k]!) < 2e-6, `db${i}[${k}]`));
  }
  assert.deepEqual(w2.B0, w.B0, "B stays fixed");
});

Deno.test("DFA's output-layer update equals BP's (angle 0, norm ratio 1)", () => {
  const l = createLearner("dfa", opts([5, 8, 7, 4], 3, { loss: { kind: "ce" } }));
  const rng = createRng(4);
  const x = b.random(16, 5, () => rng.normal());
  const y = b.fromArray(
    Array.from({ length: 64 }, (_, k) => (k % 4 === (k >> 2) % 4 ? 1 : 0)),
    16,
    4,
  );
  const d = l.diagnostics(x, y);
  assert.equal(d.angle_grad_2, 0);
  assert.ok(Math.abs(d.norm_ratio_2! - 1) < 1e-12);
  assert.ok(d.angle_grad_0! > 1 && d.angle_grad_1! > 1);
  assert.equal(d.angle_W_BT_0, undefined, "DFA has no per-layer stand-in for W");
});

Deno.test("DFA with one hidden layer and B = W_outᵀ is BP bit for bit", () => {
  const o = opts([5, 8, 3], 5, { optimizer: { name: "adam", lr: 0.01 } });
  const dfa = createLearner("dfa", o), bp = createLearner("bp", o);
  dfa.importWeights({ B0: dfa.exportWeights().W1! });
  const rng = createRng(6);
  const x = b.random(10, 5, () => rng.normal()), y = b.random(10, 3, () => rng.normal());
  assert.equal(dfa.diagnostics(x, y).angle_grad_all, 0);
  assert.equal(dfa.trainBatch(x, y).loss, bp.trainBatch(x, y).loss);
  const wd = dfa.exportWeights(), wb = bp.exportWeights();
  for (const k of Object.keys(wb)) assert.deepEqual(wd[k], wb[k], k);
});
