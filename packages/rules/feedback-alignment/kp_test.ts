// Kolen–Pollack against theory: B takes W's update, so W − Bᵀ is constant without decay and
// shrinks as (1 − λ)ᵗ with it (grows as (1 + λ)ᵗ in bioflax-compat mode); with B = Wᵀ it is BP.
import assert from "node:assert/strict";
import {
  createLearner,
  createRng,
  jsBackend as b,
  type Learner,
  type LearnerOptions,
  type OptimizerSpec,
  type Tensor,
} from "@plasticity/core";
import "./mod.ts";

const OPTIMIZERS: OptimizerSpec[] = [
  { name: "sgd", lr: 0.1 },
  { name: "sgd", lr: 0.05, momentum: 0.9 },
  { name: "adam", lr: 0.01 },
];

function opts(
  optimizer: OptimizerSpec,
  hyper: Record<string, unknown> = {},
  seed = 0,
): LearnerOptions {
  return {
    network: { sizes: [5, 12, 8, 3], activation: "relu" },
    optimizer,
    hyper,
    loss: { kind: "ce" },
    backend: b,
    seed,
  };
}

function batch(seed: number): [Tensor, Tensor] {
  const rng = createRng(seed);
  const xs = Array.from({ length: 16 * 5 }, () => rng.normal());
  // Label = argmax of the first three inputs, so every layer has something to learn.
  const ys = Array.from({ length: 16 }, (_, r) => {
    const v = xs.slice(r * 5, r * 5 + 3), c = v.indexOf(Math.max(...v));
    return [0, 1, 2].map((j) => (j === c ? 1 : 0));
  }).flat();
  return [b.fromArray(xs, 16, 5), b.fromArray(ys, 16, 3)];
}

/** Wᵢ − Bᵢ per layer (B is stored like W, so this is W − Bᵀ in column notation), in float64. */
function gaps(l: Learner): { d: number[][]; scale: number } {
  const w = l.exportWeights();
  let scale = 0;
  const d = [0, 1, 2].map((i) =>
    w[`W${i}`]!.data.map((v, k) => {
      const u = w[`B${i}`]!.data[k]!;
      scale = Math.max(scale, Math.abs(v), Math.abs(u));
      return v - u;
    })
  );
  return { d, scale };
}

/** Largest |got − factor·want| over all layers. */
function maxDev(got: number[][], want: number[][], factor: number): number {
  let m = 0;
  got.forEach((g, i) =>
    g.forEach((v, k) => (m = Math.max(m, Math.abs(v - factor * want[i]![k]!))))
  );
  return m;
}

for (const opt of OPTIMIZERS) {
  const name = opt.name === "adam" ? "Adam" : opt.momentum ? "SGD+momentum" : "SGD";
  Deno.test(`KP with λ = 0 keeps W − Bᵀ constant under ${name}`, () => {
    const l = createLearner("kp", opts(opt));
    const fa = createLearner("fa", opts(opt));
    const g0 = gaps(l), f0 = gaps(fa);
    const T = 20;
    let scale = 0;
    for (let t = 0; t < T; t++) {
      const [x, y] = batch(t);
      l.trainBatch(x, y);
      fa.trainBatch(x, y);
      scale = Math.max(scale, gaps(l).scale);
    }
    // Identical updates cancel in W − B up to float32 rounding of each p − ηu: ≤ ulp per step.
    const bound = T * 2 ** -23 * scale;
    const dev = maxDev(gaps(l).d, g0.d, 1);
    assert.ok(dev <= bound, `KP deviation ${dev} > rounding bound ${bound}`);
    // FA (B fixed) moves W − B by far more: the check is not vacuous.
    assert.ok(maxDev(gaps(fa).d, f0.d, 1) > 1000 * bound);
  });
}

for (
  const [mode, base] of [["documented", (l: number) => 1 - l], [
    "bioflax-compat",
    (l: number) => 1 + l,
  ]] as const
) {
  for (const opt of OPTIMIZERS) {
    const lambda = 0.02;
    const name = opt.name === "adam" ? "Adam" : opt.momentum ? "SGD+momentum" : "SGD";
    Deno.test(`KP decay ${mode}: W − Bᵀ follows (${mode === "documented" ? "1 − λ" : "1 + λ"})ᵗ under ${name}`, () => {
      const l = createLearner("kp", opts({ ...opt, weight_decay: lambda }, { decay: mode }));
      const g0 = gaps(l);
      const T = 25;
      let scale = g0.scale;
      for (let t = 0; t < T; t++) {
        l.trainBatch(...batch(t));
        scale = Math.max(scale, gaps(l).scale);
      }
      const factor = base(lambda) ** T;
      // Each step rounds c·p and then p − ηu for W and for B: ≤ 4 half-ulps per step.
      const bound = T * 4 * 2 ** -24 * scale * Math.max(1, factor);
      const dev = maxDev(gaps(l).d, g0.d, factor);
      assert.ok(dev <= bound, `deviation ${dev} > ${bound}`);
      // Constant W − B would be far off: the decay is really applied.
      assert.ok(maxDev(gaps(l).d, g0.d, 1) > 100 * bound);
    });
  }
}

Deno.test("KP with B = Wᵀ equals BP bit for bit at every step (momentum)", () => {
  const o = opts({ name: "sgd", lr: 0.05, momentum: 0.9 });
  const kp = createLearner("kp", o), bp = createLearner("bp", o);
  const w = kp.exportWeights();
  kp.importWeights({ B0: w.W0!, B1: w.W1!, B2: w.W2! });
  for (let t = 0; t < 10; t++) {
    const [x, y] = batch(t);
    assert.equal(kp.trainBatch(x, y).loss, bp.trainBatch(x, y).loss, `step ${t}`);
  }
  const wk = kp.exportWeights(), wb = bp.exportWeights();
  for (const k of Object.keys(wb)) assert.deepEqual(wk[k], wb[k], k);
  assert.deepEqual(wk.B1, wk.W1);
});

Deno.test("KP with decay: W aligns with Bᵀ and the updates with the gradient", () => {
  const l = createLearner("kp", {
    ...opts({ name: "sgd", lr: 0.2, weight_decay: 0.02 }),
    network: { sizes: [5, 12, 8, 3], activation: "tanh" },
  });
  const [x, y] = batch(0);
  const d0 = l.diagnostics(x, y);
  for (let t = 0; t < 200; t++) l.trainBatch(...batch(t));
  const d1 = l.diagnostics(x, y);
  for (const i of [0, 1, 2]) {
    const c0 = d0[`cos_W_BT_${i}`]!, c1 = d1[`cos_W_BT_${i}`]!;
    assert.ok(Math.abs(c0) < 0.3 && c1 > 0.95, `cos_W_BT_${i}: ${c0} → ${c1}`);
  }
  assert.ok(
    d0.angle_grad_0! > 45 && d1.angle_grad_0! < 10,
    `angle_grad_0 ${d0.angle_grad_0} → ${d1.angle_grad_0}`,
  );
  assert.equal(d1.angle_grad_2, 0);
  assert.throws(
    () => createLearner("kp", opts({ name: "sgd", lr: 0.1 }, { decay: "optax" })),
    /rule\.decay: expected one of documented, bioflax-compat, got "optax"/,
  );
});

Deno.test("kp diagnostics: dist_W_BT_i = ‖Wᵢ − Bᵢ‖_F decays as (1 − λ)ᵗ", () => {
  const lambda = 0.05;
  const net = createLearner("kp", opts({ name: "sgd", lr: 0.1, weight_decay: lambda }, {}, 3));
  const d0 = net.diagnostics();
  const w = net.exportWeights();
  for (const i of [0, 1, 2]) {
    const W = w[`W${i}`]!.data, B = w[`B${i}`]!.data;
    const want = Math.sqrt(W.reduce((s, v, k) => s + (v - B[k]!) ** 2, 0));
    assert.ok(Math.abs(d0[`dist_W_BT_${i}`]! - want) < 1e-9 * want, `dist_W_BT_${i} at t = 0`);
  }
  for (let t = 1; t <= 20; t++) net.trainBatch(...batch(t));
  const d = net.diagnostics();
  for (const i of [0, 1, 2]) {
    const ratio = d[`dist_W_BT_${i}`]! / d0[`dist_W_BT_${i}`]!;
    assert.ok(Math.abs(ratio - (1 - lambda) ** 20) < 1e-5, `layer ${i}: ratio ${ratio}`);
  }
});

Deno.test("kp refuses optimizer.l2, which its shared update would carry into B (MLP and conv net)", () => {
  for (
    const network of [
      { sizes: [4, 5, 3], activation: "tanh" },
      {
        "input_shape": [1, 4, 4],
        activation: "relu",
        layers: [{ conv: { out: 2, kernel: 3 } }, "flatten", { dense: 3 }],
      },
    ]
  ) {
    assert.throws(
      () =>
        createLearner("kp", {
          network: network as never,
          optimizer: { name: "sgd", lr: 0.1, l2: 0.01 },
          backend: b,
          seed: 0,
        }),
      /^Error: optimizer\.l2: Kolen–Pollack gives B the weights' own update, which would carry λ₂·W into B; got 0\.01, expected 0 \(optimizer\.weight_decay decays both\)$/,
    );
  }
});
