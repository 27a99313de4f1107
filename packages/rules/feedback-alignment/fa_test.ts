// FA against theory: B = Wᵀ gives BP bit for bit; hand-derived gradients of a two-layer sigmoid
// net (bioflax test_layers); the output layer's update is BP's; alignment emerges with training.
import assert from "node:assert/strict";
import {
  angleDeg,
  cosine,
  createLearner,
  createRng,
  jsBackend as b,
  type LearnerOptions,
  lossGrad,
  type Tensor,
  type WeightArray,
} from "@plasticity/core";
import type { MlpLearner } from "@plasticity/backprop";
import "./mod.ts";

const sig = (v: number) => 1 / (1 + Math.exp(-v));

function opts(seed = 0, extra: Partial<LearnerOptions> = {}): LearnerOptions {
  return {
    network: { sizes: [6, 9, 7, 4], activation: "tanh" },
    optimizer: { name: "sgd", lr: 0.1, momentum: 0.5 },
    loss: { kind: "ce" },
    backend: b,
    seed,
    ...extra,
  };
}

function batch(n: number, seed: number): [Tensor, Tensor] {
  const rng = createRng(seed);
  const labels = Array.from({ length: n }, () => rng.int(4));
  const x = b.random(n, 6, () => rng.normal());
  const y = b.fromArray(labels.flatMap((c) => [0, 1, 2, 3].map((j) => (j === c ? 1 : 0))), n, 4);
  return [x, y];
}

/** Feedback matrices set to the forward weights: B = Wᵀ in column notation. */
function tieB(w: Record<string, WeightArray>): Record<string, WeightArray> {
  const out: Record<string, WeightArray> = {};
  for (const k of Object.keys(w)) if (k.startsWith("W")) out[`B${k.slice(1)}`] = w[k]!;
  return out;
}

Deno.test("fa and bp with the same seed start from the same forward weights", () => {
  const fa = createLearner("fa", opts(3)).exportWeights();
  const bp = createLearner("bp", opts(3)).exportWeights();
  for (const k of Object.keys(bp)) assert.deepEqual(fa[k], bp[k], k);
  assert.notDeepEqual(fa.B1!.data, fa.W1!.data);
});

Deno.test("FA with B = Wᵀ equals BP bit for bit (gradients and the step)", () => {
  const bp = createLearner("bp", opts(1)), fa = createLearner("fa", opts(1));
  fa.importWeights(tieB(fa.exportWeights()));
  const [x, y] = batch(16, 2);
  const d = fa.diagnostics(x, y);
  for (const k of ["angle_grad_0", "angle_grad_1", "angle_grad_2", "angle_grad_all"]) {
    assert.equal(d[k], 0, k);
  }
  for (const k of ["angle_W_BT_0", "angle_W_BT_1", "angle_W_BT_2"]) assert.equal(d[k], 0, k);
  assert.equal(fa.trainBatch(x, y).loss, bp.trainBatch(x, y).loss);
  const wf = fa.exportWeights(), wb = bp.exportWeights();
  for (const k of Object.keys(wb)) assert.deepEqual(wf[k], wb[k], k);
});

Deno.test("two-layer sigmoid net: FA gradients equal the hand-derived formulas", () => {
  // 5 → 15 (sigmoid) → 10, x = ones, ℒ = ½‖y − t‖² (sum). FA (bioflax test_layers):
  // ∂K₂ = h₁ᵀ(y − t), ∂K₁ = xᵀ[σ'(z₁) ⊙ (y − t)B₂ᵀ], ∂b₁ = σ'(z₁) ⊙ (y − t)B₂ᵀ, B₂ in K₂'s shape.
  const l = createLearner("fa", {
    network: { sizes: [5, 15, 10], activation: "sigmoid" },
    loss: { kind: "mse", half: true, reduction: "sum" },
    optimizer: { name: "sgd", lr: 1 },
    backend: b,
    seed: 4,
  }) as MlpLearner;
  const rng = createRng(5);
  const t = Array.from({ length: 10 }, () => rng.normal());
  const w = l.exportWeights();
  const K1 = w.W0!.data, K2 = w.W1!.data, B2 = w.B1!.data;
  const z1 = Array.from({ length: 15 }, (_, j) => {
    let s = 0;
    for (let i = 0; i < 5; i++) s += K1[i * 15 + j]!;
    return s;
  });
  const h1 = z1.map(sig);
  const err = Array.from({ length: 10 }, (_, k) => {
    let s = 0;
    for (let j = 0; j < 15; j++) s += h1[j]! * K2[j * 10 + k]!;
    return s - t[k]!;
  });
  const d1 = z1.map((z, j) => {
    let s = 0;
    for (let k = 0; k < 10; k++) s += B2[j * 10 + k]! * err[k]!;
    return s * sig(z) * (1 - sig(z));
  });
  // One SGD step with lr 1 moves each parameter by minus its FA gradient.
  l.trainBatch(b.fill(1, 5, 1), b.fromArray(t, 1, 10));
  const w2 = l.exportWeights();
  const step = (k: string) => w[k]!.data.map((v, i) => v - w2[k]!.data[i]!);
  const close = (got: number[], want: number[], what: string) =>
    got.forEach((g, i) =>
      assert.ok(Math.abs(g - want[i]!) < 2e-6, `${what}[${i}]: ${g} vs ${want[i]}`)
    );
  close(step("W1"), h1.flatMap((h) => err.map((e) => h * e)), "dK2");
  close(step("b1"), err, "db2");
  close(step("W0"), Array.from({ length: 5 }, () => d1).flat(), "dK1");
  close(step("b0"), d1, "db1");
  assert.deepEqual(w2.B1, w.B1, "B stays fixed");
});

Deno.test("FA's output-layer update equals BP's; hidden layers differ at random B", () => {
  const fa = createLearner("fa", opts(6));
  const [x, y] = batch(32, 7);
  const d = fa.diagnostics(x, y);
  assert.equal(d.angle_grad_2, 0);
  assert.equal(d.angle_grad_b_2, 0);
  assert.ok(Math.abs(d.norm_ratio_2! - 1) < 1e-12);
  assert.ok(d.angle_grad_1! > 1 && d.angle_grad_0! > 1, JSON.stringify(d));
  // The metrics against core's cosine of the concatenated [∂b; vec ∂W] vectors.
  const l = fa as MlpLearner, c = l.mlp.forward(x);
  const e = lossGrad(b, l.loss, c.h[3]!, y);
  const gBp = l.mlp.backward(c, e, l.mlp.bpSignal), gFa = l.mlp.backward(c, e, l.path.signal);
  const vec = (g: typeof gBp, layers: number[]) =>
    layers.flatMap((i) => [...b.read(g.db[i]!), ...b.read(g.dW[i]!)]);
  for (const [key, layers] of [["0", [0]], ["1", [1]], ["all", [0, 1, 2]]] as const) {
    const u = vec(gBp, [...layers]), v = vec(gFa, [...layers]);
    assert.ok(Math.abs(d[`cos_grad_${key}`]! - cosine(u, v)) < 1e-9, `cos_grad_${key}`);
    assert.ok(Math.abs(d[`angle_grad_${key}`]! - angleDeg(u, v)) < 1e-6, `angle_grad_${key}`);
    const norm = (a: number[]) => Math.sqrt(a.reduce((s, t) => s + t * t, 0));
    assert.ok(Math.abs(d[`norm_ratio_${key}`]! - norm(u) / norm(v)) < 1e-9, `norm_ratio_${key}`);
  }
  const w = fa.exportWeights();
  assert.ok(Math.abs(d.cos_W_BT_1! - cosine(w.W1!.data, w.B1!.data)) < 1e-9);
  // Independent random matrices are nearly orthogonal: |cos| ~ 1/√(fanIn·fanOut).
  for (const i of [0, 1, 2]) assert.ok(Math.abs(d[`cos_W_BT_${i}`]!) < 0.5, `cos_W_BT_${i}`);
});

Deno.test("FA training: W comes to align with Bᵀ, and updates point within 90° of the gradient", () => {
  // Lillicrap et al. (2016): on a linear teacher, W aligns with Bᵀ, so FA's hidden updates come
  // to lie within 90° of the true gradient. Full-batch GD, 100 steps, averaged over 8 seeds.
  const rng = createRng(8), n = 64;
  const T = Array.from({ length: 6 * 4 }, () => rng.normal());
  const xs = Array.from({ length: n * 6 }, () => rng.normal());
  const ys = Array.from({ length: n * 4 }, (_, k) => {
    const r = Math.floor(k / 4), c = k % 4;
    let s = 0;
    for (let i = 0; i < 6; i++) s += xs[r * 6 + i]! * T[i * 4 + c]!;
    return s;
  });
  const x = b.fromArray(xs, n, 6), y = b.fromArray(ys, n, 4);
  let angle = 0;
  for (let seed = 0; seed < 8; seed++) {
    const fa = createLearner("fa", {
      network: { sizes: [6, 20, 4], activation: "relu" },
      optimizer: { name: "sgd", lr: 0.02 },
      backend: b,
      seed,
    });
    const d0 = fa.diagnostics(x, y);
    for (let i = 0; i < 100; i++) fa.trainBatch(x, y);
    const d1 = fa.diagnostics(x, y);
    assert.ok(
      d1.cos_W_BT_1! > d0.cos_W_BT_1! + 0.1,
      `cos_W_BT_1 ${d0.cos_W_BT_1} → ${d1.cos_W_BT_1}`,
    );
    angle += d1.angle_grad_0! / 8;
  }
  assert.ok(angle < 90, `mean angle_grad_0 after training ${angle}`);
});

Deno.test("fa hyper-parameters: feedback_init and feedback_scale set B; bad values are rejected", () => {
  const l = createLearner("fa", {
    ...opts(0),
    hyper: { feedback_init: "uniform", feedback_scale: 0.01 },
  });
  const B = l.exportWeights().B0!.data;
  assert.ok(B.every((v) => Math.abs(v) <= 0.01) && B.some((v) => Math.abs(v) > 0.005));
  assert.throws(
    () => createLearner("fa", { ...opts(0), hyper: { feedback_init: "ones" } }),
    /rule\.feedback_init: expected one of same, .*got "ones"/,
  );
  assert.throws(
    () => createLearner("fa", { ...opts(0), hyper: { decay: "documented" } }),
    /rule\.decay: unknown key/,
  );
});

Deno.test("export/import of B round-trips", () => {
  const a = createLearner("fa", opts(1)), c = createLearner("fa", opts(2));
  c.importWeights(a.exportWeights());
  assert.deepEqual(c.exportWeights(), a.exportWeights());
  assert.throws(
    () => c.importWeights({ B1: { rows: 7, cols: 9, data: new Array(63).fill(0) } }),
    /B1 has shape 7×9: expected 9×7/,
  );
});

Deno.test("fa, dfa, kp: same seed gives identical weights and feedback; another seed differs", () => {
  for (const rule of ["fa", "dfa", "kp"]) {
    const run = (seed: number) => {
      const l = createLearner(rule, opts(seed, { optimizer: { name: "adam", lr: 0.01 } }));
      for (let t = 0; t < 3; t++) l.trainBatch(...batch(8, t));
      return l.exportWeights();
    };
    assert.deepEqual(run(5), run(5), rule);
    assert.notDeepEqual(run(5).B0, run(6).B0, rule);
  }
});

/** Trains `a` and `c` on the same batches; before each step `c` gets `feedbackOf(c)` as its B. */
function trainSide(
  a: ReturnType<typeof createLearner>,
  c: ReturnType<typeof createLearner>,
  steps: number,
  feedbackOf?: (w: Record<string, WeightArray>) => Record<string, WeightArray>,
): void {
  for (let t = 0; t < steps; t++) {
    if (feedbackOf) c.importWeights(feedbackOf(c.exportWeights()));
    const [x, y] = batch(16, 20 + t);
    assert.equal(a.trainBatch(x, y).loss, c.trainBatch(x, y).loss, `loss at step ${t}`);
  }
}

function forward(w: Record<string, WeightArray>): Record<string, WeightArray> {
  return Object.fromEntries(Object.entries(w).filter(([k]) => /^[Wb]\d+$/.test(k)));
}

Deno.test("interpolate_bp λ = 1 equals BP bit for bit over several momentum steps", () => {
  const mix = createLearner("fa", { ...opts(9), hyper: { interpolate_bp: 1 } });
  const bp = createLearner("bp", opts(9));
  trainSide(mix, bp, 5);
  assert.deepEqual(forward(mix.exportWeights()), bp.exportWeights());
  const d = mix.diagnostics(...batch(16, 40));
  for (const i of [0, 1, 2]) {
    assert.equal(d[`angle_grad_${i}`], 0, `angle_grad_${i}`);
    assert.equal(d[`dist_W_BT_${i}`], 0, `dist_W_BT_${i}`);
  }
});

Deno.test("interpolate_bp λ = 0 equals FA bit for bit (FA's default)", () => {
  const mix = createLearner("fa", { ...opts(9), hyper: { interpolate_bp: 0 } });
  const fa = createLearner("fa", opts(9));
  trainSide(mix, fa, 5);
  assert.deepEqual(mix.exportWeights(), fa.exportWeights());
});

Deno.test("interpolate_bp λ = ½ equals FA run with the explicit B = ½Wᵀ + ½B₀ of its current W", () => {
  // B_λ = λWᵀ + (1 − λ)B in column notation, Wᵢ-shaped here: λWᵢ + (1 − λ)Bᵢ. With λ = ½ both
  // products are exact in float32, so the only rounding is that of the sum.
  const lambda = 0.5;
  const mix = createLearner("fa", { ...opts(11), hyper: { interpolate_bp: lambda } });
  const fa = createLearner("fa", opts(11));
  const B0 = fa.exportWeights();
  const explicit = (w: Record<string, WeightArray>) => {
    const out: Record<string, WeightArray> = {};
    for (const i of [0, 1, 2]) {
      const W = w[`W${i}`]!, B = B0[`B${i}`]!;
      out[`B${i}`] = {
        rows: W.rows,
        cols: W.cols,
        data: W.data.map((v, k) => Math.fround(lambda * v + (1 - lambda) * B.data[k]!)),
      };
    }
    return out;
  };
  // The weight alignment of the mixed rule is ∠(W, B_λ) before any step.
  const d = mix.diagnostics();
  const e = explicit(B0);
  for (const i of [0, 1, 2]) {
    const want = cosine(B0[`W${i}`]!.data, e[`B${i}`]!.data);
    assert.ok(Math.abs(d[`cos_W_BT_${i}`]! - want) < 1e-9, `cos_W_BT_${i}`);
  }
  trainSide(mix, fa, 6, explicit);
  const wm = mix.exportWeights(), wf = fa.exportWeights();
  assert.deepEqual(forward(wm), forward(wf));
  // The stored B of the mixed rule stays the fixed random draw.
  for (const i of [0, 1, 2]) assert.deepEqual(wm[`B${i}`], B0[`B${i}`], `B${i}`);
});

Deno.test("interpolate_bp λ = 0.3 tracks FA with the explicit B_λ to float32 rounding", () => {
  const lambda = 0.3;
  const mix = createLearner("fa", { ...opts(12), hyper: { interpolate_bp: lambda } });
  const fa = createLearner("fa", opts(12));
  const B0 = fa.exportWeights();
  for (let t = 0; t < 6; t++) {
    const w = fa.exportWeights(), set: Record<string, WeightArray> = {};
    for (const i of [0, 1, 2]) {
      const W = w[`W${i}`]!, B = B0[`B${i}`]!;
      set[`B${i}`] = { ...W, data: W.data.map((v, k) => lambda * v + (1 - lambda) * B.data[k]!) };
    }
    fa.importWeights(set);
    const [x, y] = batch(16, 60 + t);
    mix.trainBatch(x, y);
    fa.trainBatch(x, y);
  }
  const wm = mix.exportWeights(), wf = fa.exportWeights();
  for (const k of Object.keys(forward(wf))) {
    wm[k]!.data.forEach((v, i) =>
      assert.ok(Math.abs(v - wf[k]!.data[i]!) < 1e-5, `${k}[${i}]: ${v} vs ${wf[k]!.data[i]}`)
    );
  }
  assert.throws(
    () => createLearner("fa", { ...opts(0), hyper: { interpolate_bp: 1.5 } }),
    /rule\.interpolate_bp/,
  );
});

Deno.test("interpolate_bp_layers mixes per layer: BP through the last layer, FA below, bit for bit", () => {
  // λ = (0, 0, 1): the error sent below the last layer goes through W₂ (as BP), the one sent below
  // the middle layer through the fixed random B₁ (as FA). An FA learner whose B₂ is set to its
  // current W₂ before every step is the same computation by another path.
  const mix = createLearner("fa", { ...opts(13), hyper: { "interpolate_bp_layers": [0, 0, 1] } });
  const fa = createLearner("fa", opts(13));
  trainSide(mix, fa, 6, (w) => ({ B2: { ...w.W2!, data: [...w.W2!.data] } }));
  assert.deepEqual(forward(mix.exportWeights()), forward(fa.exportWeights()));
  // All ones is BP, all zeros FA, bit for bit.
  const allBp = createLearner("fa", { ...opts(14), hyper: { "interpolate_bp_layers": [1, 1, 1] } });
  const bp = createLearner("bp", opts(14));
  trainSide(allBp, bp, 4);
  assert.deepEqual(forward(allBp.exportWeights()), bp.exportWeights());
  const allFa = createLearner("fa", { ...opts(15), hyper: { "interpolate_bp_layers": [0, 0, 0] } });
  const plainFa = createLearner("fa", opts(15));
  trainSide(allFa, plainFa, 4);
  assert.deepEqual(allFa.exportWeights(), plainFa.exportWeights());
  assert.throws(
    () => createLearner("fa", { ...opts(0), hyper: { "interpolate_bp_layers": [0, 1] } }),
    /rule\.interpolate_bp_layers: 2 values .*expected one λ per weight layer \(3\)/,
  );
  assert.throws(
    () =>
      createLearner("fa", {
        ...opts(0),
        hyper: { "interpolate_bp": 0.5, "interpolate_bp_layers": [0, 0, 1] },
      }),
    /expected one of them/,
  );
});
