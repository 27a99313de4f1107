import assert from "node:assert/strict";
import {
  createRng,
  getLearner,
  jsBackend as b,
  resolveLearnerConfig,
  type Tensor,
  type WeightArray,
} from "@plasticity/core";
import {
  corinfomaxDeltas,
  createCorInfoMax,
  epochLrFactor,
  forwardBackwardAngle,
  gammaOf,
  initLateral,
  lateralUpdate,
  neuralStep,
} from "./mod.ts";
import { CorInfoMax, corinfomaxSettings } from "./_learner.ts";

const HS = { activation: "hardSigmoid" as const, "output_activation": "hardSigmoid" as const };

function uniform(seed: number, n: number, lo = 0, hi = 1): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
}

function oneHot(seed: number, m: number, k: number): Tensor {
  const rng = createRng(seed), out = new Array(m * k).fill(0);
  for (let i = 0; i < m; i++) out[i * k + rng.int(k)] = 1;
  return b.fromArray(out, m, k);
}

function build(sizes: number[], hyper: Record<string, unknown>, seed = 0, fast = true): CorInfoMax {
  const def = getLearner("corinfomax");
  const options = resolveLearnerConfig(def, { network: { sizes, ...HS }, hyper });
  return new CorInfoMax(
    { ...options, backend: b, seed },
    corinfomaxSettings("corinfomax", options.hyper, sizes, false),
    fast,
  );
}

function symmetric(w: WeightArray): boolean {
  for (let i = 0; i < w.rows; i++) {
    for (let j = 0; j < i; j++) if (w.data[i * w.cols + j] !== w.data[j * w.cols + i]) return false;
  }
  return true;
}

Deno.test("B starts as A Aᵀ: symmetric, positive semi-definite, mean diagonal ≈ 1", () => {
  const n = 300, B = initLateral(b, n, createRng(4));
  const w = { rows: n, cols: n, data: Array.from(b.read(B)) };
  assert.ok(symmetric(w));
  let diag = 0;
  for (let i = 0; i < n; i++) diag += w.data[i * n + i]!;
  assert.ok(Math.abs(diag / n - 1) < 0.05, `mean diagonal ${diag / n}`);
  const v = b.fromArray(uniform(1, n, -1, 1), 1, n);
  assert.ok(b.sumAll(b.mul(b.matmul(v, B), v)) >= 0);
});

Deno.test("lateral update is Sherman–Morrison without the denominator: B' = (λR + (1−λ)rrᵀ)⁻¹ + O(γ²)", () => {
  // R = diag(1, 2, 4), B = R⁻¹, one sample r; exact inverse by Sherman–Morrison in float64.
  const lambda = 0.99, gamma = gammaOf(lambda), r = [0.5, -1, 2];
  const Rdiag = [1, 2, 4];
  const B0 = [1, 0, 0, 0, 0.5, 0, 0, 0, 0.25];
  const z = r.map((v, i) => v / Rdiag[i]!);
  const q = r.reduce((s, v, i) => s + v * z[i]!, 0); // rᵀBr
  const Bnew = b.read(lateralUpdate(b, b.fromArray(B0, 3, 3), b.fromArray(r, 1, 3), lambda));
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const exact = (B0[i * 3 + j]! - (gamma * z[i]! * z[j]!) / (1 + gamma * q)) / lambda;
      // The dropped denominator leaves exactly (1/λ)γ²q zzᵀ/(1 + γq).
      const predicted = (gamma * gamma * q * z[i]! * z[j]!) / (1 + gamma * q) / lambda;
      assert.ok(Math.abs(exact - Bnew[i * 3 + j]! - predicted) < 2e-7, `(${i},${j})`);
    }
  }
  // r ≡ 0: B grows by exactly 1/λ.
  const grown = b.read(lateralUpdate(b, b.fromArray(B0, 3, 3), b.zeros(4, 3), 0.5));
  grown.forEach((v, i) => assert.equal(v, Math.fround(B0[i]! * 2)));
});

Deno.test("B stays symmetric and, with λ = 1 (γ = 0), constant while W learns", () => {
  const x = b.fromArray(uniform(1, 5 * 6), 5, 6), y = oneHot(2, 5, 3);
  const net = build([6, 8, 3], { lr_ff: [0.5, 0.5], lr_fb: [0.1] });
  for (let i = 0; i < 4; i++) net.trainBatch(x, y);
  const w = net.exportWeights();
  assert.ok(symmetric(w["B_1"]!) && symmetric(w["B_2"]!));
  const still = build([6, 8, 3], { lambda: 1, lr_ff: [0.5, 0.5], lr_fb: [0.1] });
  const before = still.exportWeights();
  for (let i = 0; i < 3; i++) still.trainBatch(x, y);
  const after = still.exportWeights();
  assert.deepEqual(after["B_1"], before["B_1"]);
  assert.deepEqual(after["B_2"], before["B_2"]);
  assert.notDeepEqual(after["Wff_0"], before["Wff_0"]);
});

Deno.test("at rest (x = 0, y = 0) the W update is exactly 0 and B grows by exactly 1/λ", () => {
  const lambda = 0.9;
  const net = build([4, 5, 3], { lambda, lr_ff: [1, 1], lr_fb: [1] });
  const before = net.exportWeights();
  net.trainBatch(b.zeros(2, 4), b.zeros(2, 3));
  const after = net.exportWeights();
  for (const k of ["Wff_0", "Wff_1", "Wfb_1"]) assert.deepEqual(after[k], before[k]);
  for (const k of ["B_1", "B_2"]) {
    after[k]!.data.forEach((v, i) => assert.equal(v, Math.fround(before[k]!.data[i]! / lambda)));
  }
});

Deno.test("weight_decay: at rest the step is exactly W ← (1 − μ ε) W", () => {
  const net = build([4, 5, 3], { "weight_decay": true, "lr_ff": [0.5, 0.2], "lr_fb": [0.3] });
  const before = net.exportWeights();
  net.trainBatch(b.zeros(2, 4), b.zeros(2, 3));
  const after = net.exportWeights();
  for (const [k, mu] of [["Wff_0", 0.5], ["Wff_1", 0.2], ["Wfb_1", 0.3]] as const) {
    after[k]!.data.forEach((v, i) =>
      assert.equal(v, Math.fround(before[k]!.data[i]! * (1 - mu * 0.15)))
    );
  }
});

Deno.test("with r_nudged = r_free the contrastive update is exactly 0", () => {
  const x = b.fromArray(uniform(3, 12), 3, 4);
  const rs = [
    b.fromArray(uniform(4, 15), 3, 5),
    b.fromArray(uniform(5, 18), 3, 6),
    b.fromArray(uniform(6, 6), 3, 2),
  ];
  const Wff = [
    b.fromArray(uniform(7, 20, -1, 1), 4, 5),
    b.fromArray(uniform(8, 30, -1, 1), 5, 6),
    b.fromArray(uniform(9, 12, -1, 1), 6, 2),
  ];
  const Wfb = [
    b.fromArray(uniform(10, 30, -1, 1), 6, 5),
    b.fromArray(uniform(11, 12, -1, 1), 2, 6),
  ];
  const copy = rs.map((t) => b.fromArray(b.read(t), t.rows, t.cols));
  const d = corinfomaxDeltas(b, x, Wff, Wfb, rs, copy);
  for (const t of [...d.dWff, ...d.dWfb]) for (const v of b.read(t)) assert.equal(v, 0);
  // And the sums are the hand-derived r_kᵀ e_f differences when the phases differ (layer 1 → 2).
  const d2 = corinfomaxDeltas(b, x, Wff, Wfb, rs, rs.map((t) => b.scale(t, 0.5)));
  const eN = b.sub(rs[1]!, b.matmul(rs[0]!, Wff[1]!));
  const rF0 = b.scale(rs[0]!, 0.5), eF = b.sub(b.scale(rs[1]!, 0.5), b.matmul(rF0, Wff[1]!));
  const want = b.read(b.sub(b.matmul(b.transpose(rs[0]!), eN), b.matmul(b.transpose(rF0), eF)));
  b.read(d2.dWff[1]!).forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-5));
});

Deno.test("linear-region fixed point: hidden r = ½(Wff r_prev + Wfb r_next) + εγBr, output r = (Wff r + εγBr)/(1 + ε), independent of g", () => {
  const sizes = [3, 4, 2], eps = 0.15, lambda = 0.9, gamma = gammaOf(lambda);
  const weights: Record<string, WeightArray> = {
    "Wff_0": { rows: 3, cols: 4, data: uniform(21, 12, 0.05, 0.25) },
    "Wff_1": { rows: 4, cols: 2, data: uniform(22, 8, 0.05, 0.25) },
    "Wfb_1": { rows: 2, cols: 4, data: uniform(23, 8, 0.05, 0.25) },
    "B_1": { rows: 4, cols: 4, data: [1, 0.1, 0, 0, 0.1, 1, 0, 0, 0, 0, 1, 0.2, 0, 0, 0.2, 1] },
    "B_2": { rows: 2, cols: 2, data: [1, 0.3, 0.3, 1] },
  };
  const x = b.fromArray(uniform(24, 6), 2, 3);
  const states = [0.5, 0.2].map((g) => {
    const net = build(sizes, { lambda, epsilon: eps, hopfield_g: g, lr_ff: [1, 1], lr_fb: [1] });
    net.importWeights(weights);
    return net.freeState(x, 400);
  });
  const [h, o] = states[0]!;
  for (const v of [...b.read(h!), ...b.read(o!)]) assert.ok(v > 0 && v < 1, `saturated ${v}`);
  const W = (k: string) => b.fromArray(weights[k]!.data, weights[k]!.rows, weights[k]!.cols);
  const hidden = b.axpy(
    eps * gamma,
    b.matmul(h!, W("B_1")),
    b.scale(b.add(b.matmul(x, W("Wff_0")), b.matmul(o!, W("Wfb_1"))), 0.5),
  );
  b.read(hidden).forEach((v, i) => assert.ok(Math.abs(v - b.read(h!)[i]!) < 1e-5, `hidden ${i}`));
  const out = b.scale(
    b.axpy(eps * gamma, b.matmul(o!, W("B_2")), b.matmul(h!, W("Wff_1"))),
    1 / (1 + eps),
  );
  b.read(out).forEach((v, i) => assert.ok(Math.abs(v - b.read(o!)[i]!) < 1e-5, `output ${i}`));
  // g only acts on saturated units: same fixed point for g = 0.5 and 0.2.
  states[0]!.forEach((t, l) => {
    const other = b.read(states[1]![l]!);
    b.read(t).forEach((v, i) => assert.ok(Math.abs(v - other[i]!) < 1e-5));
  });
});

Deno.test("neural step ≥ 0.15 diverges and is reported (NaN loss, no update, or a clear error); 0.05 does not", () => {
  const m = 20, n0 = 196;
  // MNIST-like inputs: a quarter of the pixels on.
  const x = b.fromArray(uniform(31, m * n0).map((v) => (v < 0.25 ? 1 : 0)), m, n0),
    y = oneHot(32, m, 10);
  const opts = (neuralLr: number, onDivergence = "nan") => ({
    neural_lr: neuralLr,
    on_divergence: onDivergence,
  });
  for (const eta of [0.15, 0.3]) {
    const bad = build([n0, 60, 10], opts(eta));
    const before = bad.exportWeights();
    const s = bad.trainBatch(x, y);
    assert.ok(Number.isNaN(s.loss), `η ${eta}: loss ${s.loss}`);
    assert.equal(s["diverged"], 1);
    assert.deepEqual(bad.exportWeights(), before);
    assert.throws(
      () => build([n0, 60, 10], opts(eta, "throw")).trainBatch(x, y),
      /Neural dynamics diverged/,
    );
  }
  const good = build([n0, 60, 10], opts(0.05));
  for (let i = 0; i < 5; i++) assert.ok(Number.isFinite(good.trainBatch(x, y).loss));
});

Deno.test("fused and generic dynamics agree", () => {
  const x = b.fromArray(uniform(41, 8 * 10), 8, 10), y = oneHot(42, 8, 4);
  const hyper = { "lr_ff": [0.5, 0.4, 0.3], "lr_fb": [0.1, 0.1], "three_phase": true };
  const fast = build([10, 7, 6, 4], hyper, 3, true), slow = build([10, 7, 6, 4], hyper, 3, false);
  for (let i = 0; i < 3; i++) {
    const a = fast.trainBatch(x, y).loss, c = slow.trainBatch(x, y).loss;
    assert.ok(Math.abs(a - c) < 1e-5 * Math.abs(c) + 1e-7);
  }
  const wa = fast.exportWeights(), wc = slow.exportWeights();
  for (const k of Object.keys(wa)) {
    wa[k]!.data.forEach((v, i) => assert.ok(Math.abs(v - wc[k]!.data[i]!) < 1e-4, k));
  }
});

Deno.test("schedules: neural steps, epoch decay and its effect on the update size", () => {
  assert.equal(neuralStep("constant", 0.05, 7, 0.001, 0.01), 0.05);
  assert.equal(neuralStep("divide_by_loop_index", 0.05, 4, 0.001, 0.01), 0.01);
  assert.equal(neuralStep("divide_by_loop_index", 0.05, 999, 0.001, 0.01), 0.001);
  assert.equal(neuralStep("divide_by_slow_loop_index", 0.05, 50, 0.001, 0.01), 0.05 / 1.5);
  assert.equal(epochLrFactor(3, 0.95, 15, 0.9), 0.95 ** 3);
  assert.equal(epochLrFactor(20, 0.95, 15, 0.9), 0.9 ** 20);
  const x = b.fromArray(uniform(51, 4 * 5), 4, 5), y = oneHot(52, 4, 3);
  const hyper = { "lr_ff": [0.5, 0.5], "lr_fb": [0.2, 0.2] };
  const a = build([5, 6, 3], hyper, 9), c = build([5, 6, 3], hyper, 9);
  c.endEpoch(3);
  const w0 = a.exportWeights();
  const sa = a.trainBatch(x, y), sc = c.trainBatch(x, y);
  assert.equal(sa["beta"], sc["beta"]);
  const wa = a.exportWeights(), wc = c.exportWeights();
  for (const k of ["Wff_0", "Wff_1", "Wfb_1"]) {
    wa[k]!.data.forEach((v, i) => {
      const da = v - w0[k]!.data[i]!, dc = wc[k]!.data[i]! - w0[k]!.data[i]!;
      assert.ok(Math.abs(dc - 0.95 ** 3 * da) < 1e-6 + 1e-3 * Math.abs(da), `${k}[${i}]`);
    });
  }
  assert.equal(c.diagnostics()["lr_factor"], 0.95 ** 3);
});

Deno.test("schedules: the optional second switch (the FashionMNIST script's 0.95^e, 0.9^e, 0.8^e)", () => {
  const second = { epoch: 25, late: 0.8 };
  assert.equal(epochLrFactor(19, 0.95, 20, 0.9, second), 0.95 ** 19);
  assert.equal(epochLrFactor(24, 0.95, 20, 0.9, second), 0.9 ** 24);
  assert.equal(epochLrFactor(25, 0.95, 20, 0.9, second), 0.8 ** 25);
  const hyper = {
    "lr_decay_switch_epoch": 20,
    "lr_decay_switch2_epoch": 25,
    "lr_decay_late2": 0.8,
  };
  const net = build([5, 6, 3], hyper, 3);
  for (const [epoch, want] of [[19, 0.95 ** 19], [22, 0.9 ** 22], [30, 0.8 ** 30]] as const) {
    net.endEpoch(epoch);
    assert.equal(net.diagnostics()["lr_factor"], want, `epoch ${epoch}`);
  }
  assert.throws(() => build([5, 6, 3], { "lr_decay_late2": 0.8 }), /go together/);
  assert.throws(
    () => build([5, 6, 3], { "lr_decay_switch2_epoch": 10, "lr_decay_late2": 0.8 }),
    /expected an epoch after lr_decay_switch_epoch \(15\)/,
  );
});

Deno.test("β has a random sign per batch and the forward–backward angle is the Frobenius angle of Wff and Wfbᵀ", () => {
  const net = createCorInfoMax({ network: { sizes: [5, 6, 3], ...HS }, backend: b, seed: 1 });
  const x = b.fromArray(uniform(61, 10), 2, 5), y = oneHot(62, 2, 3);
  const signs = new Set<number>();
  for (let i = 0; i < 20; i++) signs.add(Math.sign(net.trainBatch(x, y)["beta"]!));
  assert.deepEqual([...signs].sort(), [-1, 1]);
  const w = net.exportWeights();
  const ff = w["Wff_1"]!, fb = w["Wfb_1"]!;
  let dot = 0, nf = 0, nb = 0;
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 3; j++) {
      const a = ff.data[i * 3 + j]!, c = fb.data[j * 6 + i]!;
      dot += a * c;
      nf += a * a;
      nb += c * c;
    }
  }
  const want = (Math.acos(dot / Math.sqrt(nf * nb)) * 180) / Math.PI;
  assert.ok(Math.abs(net.diagnostics()["angle_ff_fb_2"]! - want) < 1e-6);
  const A = b.fromArray([1, 0, 0, 1], 2, 2), Bm = b.fromArray([0, 1, -1, 0], 2, 2);
  assert.ok(Math.abs(forwardBackwardAngle(b, A, Bm) - 90) < 1e-9);
});

Deno.test("schema and shape errors are one clear line", () => {
  const net = { sizes: [4, 5, 3], ...HS };
  assert.throws(
    () => createCorInfoMax({ network: net, hyper: { lr_ff: [1] }, backend: b, seed: 0 }),
    /rule\.lr_ff: expected 2 numbers/,
  );
  assert.throws(
    () => createCorInfoMax({ network: net, hyper: { lr_fb: [1, 2, 3] }, backend: b, seed: 0 }),
    /rule\.lr_fb/,
  );
  assert.throws(
    () => createCorInfoMax({ network: net, hyper: { lambda: 0 }, backend: b, seed: 0 }),
    /rule\.lambda/,
  );
  assert.throws(
    // @ts-expect-error: the type refuses an unknown schedule too; this checks the run-time check
    () => createCorInfoMax({ network: net, hyper: { neural_lr_rule: "x" }, backend: b, seed: 0 }),
    /rule\.neural_lr_rule/,
  );
  const ok = createCorInfoMax({ network: net, hyper: { lr_fb: [0.2] }, backend: b, seed: 0 });
  assert.throws(() => ok.trainBatch(b.zeros(2, 3), b.zeros(2, 3)), /x has 3 columns: expected 4/);
  assert.throws(() => ok.importWeights({}), /missing matrix "Wff_0"/);
  const other = createCorInfoMax({ network: net, backend: b, seed: 5 });
  other.importWeights(ok.exportWeights());
  const x = b.fromArray(uniform(71, 8), 2, 4);
  assert.deepEqual(b.read(other.predict(x)), b.read(ok.predict(x)));
});
