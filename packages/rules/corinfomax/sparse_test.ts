import assert from "node:assert/strict";
import {
  createRng,
  getLearner,
  jsBackend as b,
  resolveLearnerConfig,
  type Tensor,
} from "@plasticity/core";
import { createCorInfoMaxSparse } from "./mod.ts";
import { CorInfoMax, corinfomaxSettings } from "./_learner.ts";

function uniform(seed: number, n: number, lo = 0, hi = 1): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
}

function build(sizes: number[], hyper: Record<string, unknown>, seed = 0, fast = true): CorInfoMax {
  const def = getLearner("corinfomax-sparse");
  const options = resolveLearnerConfig(def, {
    network: { sizes, activation: "hardSigmoid" },
    hyper,
  });
  return new CorInfoMax(
    { ...options, backend: b, seed },
    corinfomaxSettings("corinfomax-sparse", options.hyper, sizes, true),
    fast,
  );
}

function rowSums(t: Tensor): number[] {
  return Array.from(b.read(b.sum(t, 1)));
}

Deno.test("sparse: the dual variable enforces Σ_i r_i ≤ 1 per sample at the free fixed point (KKT)", () => {
  const sizes = [6, 12, 4];
  // Positive weights and inputs drive every ReLU unit well above the budget.
  const weights = {
    "Wff_0": { rows: 6, cols: 12, data: uniform(1, 72, 0.1, 0.3) },
    "Wff_1": { rows: 12, cols: 4, data: uniform(2, 48, 0.1, 0.3) },
    "Wfb_1": { rows: 4, cols: 12, data: uniform(3, 48, 0, 0.1) },
    "B_1": {
      rows: 12,
      cols: 12,
      data: Array.from({ length: 144 }, (_, i) => (i % 13 === 0 ? 1 : 0)),
    },
    "B_2": { rows: 4, cols: 4, data: Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 1 : 0)) },
  };
  const x = b.fromArray(uniform(4, 18, 0.5, 1), 3, 6);
  const state = (lrDual: number[]) => {
    const net = build(sizes, { "lr_dual": lrDual, "lr_fb": [0.1] });
    net.importWeights(weights);
    return net.freeState(x, 1500);
  };
  const free = state([0, 0]);
  for (const s of [...rowSums(free[0]!), ...rowSums(free[1]!)]) {
    assert.ok(s > 1.2, `unconstrained sum ${s}`);
  }
  const sparse = state([0.05, 0.05]);
  // KKT: Σr ≤ 1 everywhere; the hidden constraint is active (Σr = 1), and with the hidden layer
  // held to the budget the output's drive drops below it, so its ℓ stays 0.
  for (const s of rowSums(sparse[0]!)) assert.ok(Math.abs(s - 1) < 2e-3, `hidden sum ${s}`);
  for (const s of rowSums(sparse[1]!)) assert.ok(s <= 1 + 2e-3, `output sum ${s}`);
  for (const v of b.read(sparse[0]!)) assert.ok(v >= 0);
});

Deno.test("sparse: only the listed layers use ReLU; the others keep the network activation", () => {
  const net = build([5, 8, 3], { "sparse_layers": [2], "lr_fb": [0.1] });
  const w = net.exportWeights();
  w["Wff_0"] = { rows: 5, cols: 8, data: Array(40).fill(1) };
  w["Wff_1"] = { rows: 8, cols: 3, data: Array(24).fill(1) };
  net.importWeights(w);
  const [h, o] = net.freeState(b.fill(2, 5, 1), 200);
  for (const v of b.read(h!)) assert.ok(v <= 1, `hidden (hard sigmoid) ${v}`);
  assert.ok(Math.max(...b.read(o!)) > 1, "the sparse ReLU output is not clamped at 1");
  assert.throws(
    () => build([5, 8, 3], { "sparse_layers": [3], "lr_fb": [0.1] }),
    /rule\.sparse_layers/,
  );
  assert.throws(() => build([5, 8, 3], { "lr_dual": [1], "lr_fb": [0.1] }), /rule\.lr_dual/);
});

Deno.test("sparse: fused and generic dynamics agree, and training runs", () => {
  const x = b.fromArray(uniform(9, 6 * 7), 6, 7);
  const y = b.fromArray(Array.from({ length: 18 }, (_, i) => (i % 4 === 0 ? 1 : 0)), 6, 3);
  const hyper = { "lr_dual": [0.05, 0.05], "lr_fb": [0.1] };
  const fast = build([7, 9, 3], hyper, 2, true), slow = build([7, 9, 3], hyper, 2, false);
  for (let i = 0; i < 3; i++) {
    const a = fast.trainBatch(x, y).loss, c = slow.trainBatch(x, y).loss;
    assert.ok(Number.isFinite(a) && Math.abs(a - c) < 1e-5 * c + 1e-7);
  }
  const wa = fast.exportWeights(), wc = slow.exportWeights();
  for (const k of Object.keys(wa)) {
    wa[k]!.data.forEach((v, i) => assert.ok(Math.abs(v - wc[k]!.data[i]!) < 1e-4, k));
  }
  const viaRegistry = createCorInfoMaxSparse({
    network: { sizes: [7, 9, 3], activation: "hardSigmoid" },
    backend: b,
    seed: 1,
  });
  assert.ok(Number.isFinite(viaRegistry.trainBatch(x, y).loss));
});
