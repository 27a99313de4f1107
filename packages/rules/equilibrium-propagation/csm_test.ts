import assert from "node:assert/strict";
import { createRng, jsBackend as b, type WeightArray } from "@plasticity/core";
import { createCsm } from "./mod.ts";

const NET = {
  sizes: [4, 6, 5, 2],
  activation: "hardSigmoid" as const,
  "output_activation": "hardSigmoid" as const,
};

function isSymmetric(w: WeightArray): boolean {
  for (let i = 0; i < w.rows; i++) {
    for (let j = 0; j < w.cols; j++) {
      if (w.data[i * w.cols + j] !== w.data[j * w.cols + i]) return false;
    }
  }
  return true;
}

Deno.test("CSM: M starts as A Aᵀ (symmetric PSD) and stays exactly symmetric while learning", () => {
  const csm = createCsm({
    network: NET,
    hyper: { lr: [0.2, 0.2, 0.1], lr_m: [-0.01, -0.01] },
    backend: b,
    seed: 2,
  });
  const w0 = csm.exportWeights();
  for (const k of ["M_1", "M_2"]) {
    const M = w0[k]!;
    assert.ok(isSymmetric(M));
    // PSD: vᵀ M v ≥ 0 for random v.
    const rng = createRng(1);
    for (let t = 0; t < 10; t++) {
      const v = Array.from({ length: M.rows }, () => rng.normal());
      let q = 0;
      for (let i = 0; i < M.rows; i++) {
        for (let j = 0; j < M.cols; j++) q += v[i]! * M.data[i * M.cols + j]! * v[j]!;
      }
      assert.ok(q >= -1e-6, `vᵀMv = ${q}`);
    }
  }
  const rng = createRng(5);
  const x = b.fromArray(Array.from({ length: 32 }, () => rng.next()), 8, 4);
  const y = b.fromArray(Array.from({ length: 16 }, (_, i) => (i % 3 === 0 ? 1 : 0)), 8, 2);
  for (let i = 0; i < 5; i++) assert.ok(Number.isFinite(csm.trainBatch(x, y).loss));
  const w1 = csm.exportWeights();
  assert.ok(isSymmetric(w1["M_1"]!) && isSymmetric(w1["M_2"]!));
  assert.notDeepEqual(w1["M_1"]!.data, w0["M_1"]!.data);
});

Deno.test("CSM: with all neurons at rest (x = 0, y = 0, zero biases) only the shrink M ← M(1 + α_M/(2|β|)) acts", () => {
  const alpha = -0.01, beta = 0.5;
  const csm = createCsm({
    network: NET,
    hyper: { lr_m: [alpha, alpha], lr: [0.1, 0.1, 0.1], beta },
    backend: b,
    seed: 7,
  });
  const w0 = csm.exportWeights();
  // σ(0) = 0 and every drive is 0, so s¹ = s² = 0: W, b unchanged, ⟨s²s²ᵀ⟩ = 0.
  csm.trainBatch(b.zeros(3, 4), b.zeros(3, 2));
  const w1 = csm.exportWeights();
  for (const k of ["W_0", "W_1", "W_2", "b_0", "b_1", "b_2"]) assert.deepEqual(w1[k], w0[k]);
  const f = 1 + alpha / (2 * beta);
  for (const k of ["M_1", "M_2"]) {
    w1[k]!.data.forEach((v, i) => {
      const want = w0[k]!.data[i]! * f;
      assert.ok(
        Math.abs(v - want) <= 1e-6 * Math.abs(want) + 1e-12,
        `${k}[${i}] = ${v}, expected ${want}`,
      );
    });
  }
});

Deno.test("CSM: the lateral term inhibits: larger M lowers the free-phase activity", () => {
  const csm = createCsm({
    network: { sizes: [3, 4, 2], activation: "hardSigmoid" },
    hyper: { t_free: 100 },
    backend: b,
    seed: 0,
  });
  const w = csm.exportWeights();
  w["W_0"] = { rows: 3, cols: 4, data: Array(12).fill(0.2) };
  w["b_0"] = { rows: 1, cols: 4, data: Array(4).fill(0.2) };
  w["W_1"] = { rows: 4, cols: 2, data: Array(8).fill(0.3) };
  const eye = (s: number) => ({
    rows: 4,
    cols: 4,
    data: Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? s : 0)),
  });
  const x = b.fromArray([1, 1, 1], 1, 3);
  // Linear region: hidden fixed point (1 + m) h = 0.8 + 0.3·Σo, output o = 4·0.3·h … with M = mI.
  const out = (m: number) => {
    csm.importWeights({ ...w, M_1: eye(m) });
    return b.read(csm.predict(x))[0]!;
  };
  const o0 = out(0), o1 = out(1);
  assert.ok(o1 < o0, `output with M = I (${o1}) should be below M = 0 (${o0})`);
  // Closed form of the coupled linear fixed point: h = (0.8 + 0.6·o)/(1 + m), o = 1.2·h (both in (0, 1)).
  for (const [m, o] of [[0, o0], [1, o1]] as const) {
    const h = 0.8 / (1 + m - 0.72);
    const want = Math.min(1, 1.2 * h);
    if (want < 1) assert.ok(Math.abs(o - want) < 1e-4, `m ${m}: ${o} vs ${want}`);
  }
});
