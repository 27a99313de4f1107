import assert from "node:assert/strict";
import { createLearner, createRng, jsBackend as b, type Learner } from "./mod.ts";

const network = { sizes: [3, 6, 5, 2], activation: "tanh" as const };
const optimizer = { name: "sgd" as const, lr: 0.1, momentum: 0, "weight_decay": 0 };

function batch(seed: number) {
  const rng = createRng(seed);
  const x = Array.from({ length: 8 * 3 }, () => rng.normal());
  const y = Array.from({ length: 8 * 2 }, () => rng.normal());
  return [b.fromArray(x, 8, 3), b.fromArray(y, 8, 2)] as const;
}

const signs = (a: { data: number[] }) => a.data.map(Math.sign);
const plain = (w: Record<string, { rows: number; cols: number; data: number[] }>) =>
  Object.fromEntries(Object.entries(w).map(([k, v]) => [k, [...v.data]]));

/** FA with its B set to `B` (per layer, stored like W) — an independent path to the same step. */
function faWith(weights: ReturnType<Learner["exportWeights"]>, B: number[][]): Learner {
  const fa = createLearner("fa", { network, optimizer, backend: b, seed: 9 });
  const w = { ...fa.exportWeights() };
  for (const k of Object.keys(weights)) if (/^[Wb]\d+$/.test(k)) w[k] = weights[k]!;
  B.forEach((data, i) => w[`B${i}`] = { ...w[`B${i}`]!, data });
  fa.importWeights(w);
  return fa;
}

Deno.test("usf and frsf take one step exactly as FA with B = M ∘ sign(W) of the current W", () => {
  const [x, y] = batch(1);
  // usf by default as BioTorch: M = √(2/(fanIn + fanOut)) per layer; unscaled: M = 1.
  for (const [rule, scaled] of [["usf", true], ["usf", false], ["frsf", false]] as const) {
    const net = createLearner(rule, {
      network,
      optimizer,
      backend: b,
      seed: 4,
      ...(rule === "usf" && !scaled ? { hyper: { "scale_by_fan": false } } : {}),
    });
    const before = net.exportWeights();
    const B = [0, 1, 2].map((i) => {
      const w = before[`W${i}`]!, s = signs(w);
      if (rule === "usf") {
        const m = scaled ? Math.fround(Math.sqrt(2 / (w.rows + w.cols))) : 1;
        return s.map((v) => v * m);
      }
      return s.map((v, j) => v * before[`M${i}`]!.data[j]!);
    });
    const fa = faWith(before, B);
    net.trainBatch(x, y);
    fa.trainBatch(x, y);
    const a = plain(net.exportWeights()), c = plain(fa.exportWeights());
    for (const k of ["W0", "W1", "W2", "b0", "b1", "b2"]) {
      assert.deepEqual(a[k], c[k], `${rule} ${k}`);
    }
  }
});

Deno.test("sign concordance: B has W's signs, so ∠(W, Bᵀ) < 90° in every layer, at any time", () => {
  const [x, y] = batch(2);
  for (const rule of ["usf", "frsf", "brsf"]) {
    const net = createLearner(rule, { network, optimizer, backend: b, seed: 5 });
    for (let t = 0; t < 5; t++) {
      const d = net.diagnostics();
      for (let i = 0; i < 3; i++) assert.ok(d[`cos_W_BT_${i}`]! > 0, `${rule} layer ${i}`);
      net.trainBatch(x, y);
    }
    // usf: B ∝ sign(W), so cos ∠(W, B) = Σ|w| / (‖w‖ √n) exactly.
    if (rule === "usf") {
      const w = net.exportWeights().W0!.data;
      const l1 = w.reduce((s, v) => s + Math.abs(v), 0);
      const l2 = Math.sqrt(w.reduce((s, v) => s + v * v, 0));
      assert.ok(Math.abs(net.diagnostics().cos_W_BT_0! - l1 / (l2 * Math.sqrt(w.length))) < 1e-6);
    }
  }
});

Deno.test("frsf keeps its magnitudes; brsf draws new ones after every update", () => {
  const [x, y] = batch(3);
  const fr = createLearner("frsf", { network, optimizer, backend: b, seed: 6 });
  const br = createLearner("brsf", { network, optimizer, backend: b, seed: 6 });
  const m0 = fr.exportWeights().M0!.data, n0 = br.exportWeights().M0!.data;
  assert.ok(m0.every((v) => v >= 0) && n0.every((v) => v >= 0), "magnitudes are |R|");
  fr.trainBatch(x, y);
  br.trainBatch(x, y);
  assert.deepEqual(fr.exportWeights().M0!.data, m0);
  assert.notDeepEqual(br.exportWeights().M0!.data, n0);
  // Diagnostics draw nothing: the training trajectory does not depend on them.
  const again = createLearner("brsf", { network, optimizer, backend: b, seed: 6 });
  again.diagnostics(x, y);
  again.trainBatch(x, y);
  assert.deepEqual(plain(again.exportWeights()), plain(br.exportWeights()));
});

Deno.test("sign symmetry learns: the loss on a batch falls, and scale_by_fan scales B", () => {
  const [x, y] = batch(4);
  for (const rule of ["usf", "frsf", "brsf"]) {
    const net = createLearner(rule, { network, optimizer, backend: b, seed: 7 });
    const first = net.trainBatch(x, y).loss;
    let last = first;
    for (let i = 0; i < 200; i++) last = net.trainBatch(x, y).loss;
    assert.ok(last < 0.5 * first, `${rule}: ${first} → ${last}`);
  }
  const u = createLearner("usf", { network, optimizer, backend: b, seed: 8 });
  const v = createLearner("usf", {
    network,
    optimizer,
    backend: b,
    seed: 8,
    hyper: { "scale_by_fan": false },
  });
  // Scaling B scales the signals below the output layer, not their directions.
  assert.ok(Math.abs(u.diagnostics(x, y).cos_grad_0! - v.diagnostics(x, y).cos_grad_0!) < 1e-6);
  assert.notEqual(u.diagnostics(x, y).norm_ratio_0, v.diagnostics(x, y).norm_ratio_0);
});

Deno.test("brsf takes each step as FA with B = M ∘ sign(W), M the magnitudes it exports then", () => {
  const [x, y] = batch(5);
  const net = createLearner("brsf", { network, optimizer, backend: b, seed: 10 });
  for (let t = 0; t < 3; t++) {
    const before = net.exportWeights();
    const B = [0, 1, 2].map((i) =>
      signs(before[`W${i}`]!).map((s, j) => s * before[`M${i}`]!.data[j]!)
    );
    const fa = faWith(before, B);
    net.trainBatch(x, y);
    fa.trainBatch(x, y);
    const a = plain(net.exportWeights()), c = plain(fa.exportWeights());
    for (const k of ["W0", "W1", "W2", "b0", "b1", "b2"]) {
      assert.deepEqual(a[k], c[k], `step ${t} ${k}`);
    }
  }
});

Deno.test("brsf is seed-deterministic, and observing its magnitudes does not change training", () => {
  const [x, y] = batch(6);
  const watched = createLearner("brsf", { network, optimizer, backend: b, seed: 11 });
  const unwatched = createLearner("brsf", { network, optimizer, backend: b, seed: 11 });
  const other = createLearner("brsf", { network, optimizer, backend: b, seed: 12 });
  for (let t = 0; t < 5; t++) {
    watched.exportWeights();
    watched.diagnostics(x, y);
    watched.trainBatch(x, y);
    unwatched.trainBatch(x, y);
    other.trainBatch(x, y);
  }
  // Every matrix, M0 (never needed by the backward pass, drawn here on export) included.
  assert.deepEqual(plain(watched.exportWeights()), plain(unwatched.exportWeights()));
  assert.notDeepEqual(plain(other.exportWeights()).M1, plain(unwatched.exportWeights()).M1);
});

Deno.test("brsf's magnitudes are |R| for R from feedback_init, independent from draw to draw", () => {
  // 400 × 300 magnitudes per draw. lecunNormal (`same`): |z|·σ with z truncated at ±2, σ =
  // √(1/400)/0.8796, so E M = 0.72279σ, max ≤ 2σ; xavierUniform: U[0, a), a = √(6/700), E M = a/2.
  const wide = { sizes: [400, 300, 2], activation: "tanh" as const };
  const rng = createRng(7);
  const xs = b.fromArray(Array.from({ length: 8 * 400 }, () => rng.normal()), 8, 400);
  const ys = b.zeros(8, 2);
  for (
    const [init, mean, max] of [
      [
        "same",
        0.72279 * Math.sqrt(1 / 400) / 0.87962566103423978,
        2 * Math.sqrt(1 / 400) / 0.87962566103423978,
      ],
      ["xavierUniform", Math.sqrt(6 / 700) / 2, Math.sqrt(6 / 700)],
    ] as const
  ) {
    const net = createLearner("brsf", {
      network: wide,
      optimizer,
      backend: b,
      seed: 13,
      hyper: { "feedback_init": init },
    });
    const m0 = net.exportWeights().M0!.data;
    net.trainBatch(xs, ys);
    const m1 = net.exportWeights().M0!.data, n = m0.length;
    for (const m of [m0, m1]) {
      const mu = m.reduce((s, v) => s + v, 0) / n;
      // Standard error of the mean ≈ 0.6·mean/√n ≈ 0.002·mean.
      assert.ok(Math.abs(mu - mean) < 0.01 * mean, `${init}: mean ${mu} vs ${mean}`);
      assert.ok(m.every((v) => v >= 0 && v <= max * (1 + 1e-6)), `${init}: range`);
    }
    // Successive draws are independent: their correlation is O(1/√n) ≈ 0.003.
    const mu0 = m0.reduce((s, v) => s + v, 0) / n, mu1 = m1.reduce((s, v) => s + v, 0) / n;
    let c = 0, v0 = 0, v1 = 0;
    for (let k = 0; k < n; k++) {
      c += (m0[k]! - mu0) * (m1[k]! - mu1);
      v0 += (m0[k]! - mu0) ** 2;
      v1 += (m1[k]! - mu1) ** 2;
    }
    assert.ok(
      Math.abs(c / Math.sqrt(v0 * v1)) < 0.015,
      `${init}: correlation ${c / Math.sqrt(v0 * v1)}`,
    );
  }
});
