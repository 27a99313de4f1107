import assert from "node:assert/strict";
import {
  type Backend,
  createLearner,
  createRng,
  jsBackend as b,
  type MirrorSettings,
  mirrorStep,
  type Tensor,
} from "./mod.ts";
import { deriveSeed } from "@plasticity/core";

const plainStep: MirrorSettings = {
  "mirror_lr": 0.1,
  "mirror_noise": 0.1,
  "mirror_decay": 0,
  "growth_control": false,
  "damping": 0.5,
};

function randn(seed: number, rows: number, cols: number, std = 1): Tensor {
  const rng = createRng(seed);
  return b.fromArray(Array.from({ length: rows * cols }, () => std * rng.normal()), rows, cols);
}

const dot = (a: ArrayLike<number>, c: ArrayLike<number>) => {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]! * c[k]!;
  return s;
};
const norm = (a: ArrayLike<number>) => Math.sqrt(dot(a, a));
const angle = (a: ArrayLike<number>, c: ArrayLike<number>) =>
  (Math.acos(Math.min(1, dot(a, c) / (norm(a) * norm(c)))) * 180) / Math.PI;

Deno.test("mirror step: E[η·xᵀy] = η·m·σ²·W for white noise x (so B moves along W)", () => {
  // Σ_t η xₜᵀxₜ W / (T η m σ²) = Ĉ W with Ĉ the sample covariance / σ², whose entries deviate
  // from I by N(0, 1/(Tm)): the relative Frobenius error is ≈ √((n + 1)/(Tm)).
  const n = 8, T = 200, m = 50, W = randn(1, n, 5), rng = createRng(2);
  let B = b.zeros(n, 5);
  for (let t = 0; t < T; t++) B = mirrorStep(b, B, W, m, plainStep, rng);
  const c = T * plainStep.mirror_lr * m * plainStep.mirror_noise ** 2;
  const got = b.read(B).map((v) => v / c), w = b.read(W);
  const err = norm(got.map((v, k) => v - w[k]!)) / norm(w);
  const expected = Math.sqrt((n + 1) / (T * m));
  assert.ok(err < 3 * expected, `relative error ${err} vs ≈ ${expected}`);
});

Deno.test("mirror step with decay: B settles at (η·m·σ²/λ)·W", () => {
  // B ← (1 − λ)B + η xᵀxW has the fixed point E[B] = (η m σ²/λ) W. Its stationary noise has
  // relative size √(λ(n + 1)/(2m)) per step, correlated over 1/λ steps: averaging 2000 steps
  // leaves ≈ √(λ(n + 1)/(2m)) / √(2000λ).
  const n = 20, m = 32, lambda = 0.05, W = randn(3, n, 6), rng = createRng(4);
  const s = { ...plainStep, "mirror_decay": lambda };
  let B = randn(5, n, 6);
  for (let t = 0; t < 400; t++) B = mirrorStep(b, B, W, m, s, rng); // (0.95)^400 ≈ 1e-9
  const sum = new Float64Array(n * 6);
  for (let t = 0; t < 2000; t++) {
    B = mirrorStep(b, B, W, m, s, rng);
    b.read(B).forEach((v, k) => sum[k]! += v / 2000);
  }
  const scale = (s.mirror_lr * m * s.mirror_noise ** 2) / lambda, w = b.read(W);
  const err = norm(Array.from(sum, (v, k) => v - scale * w[k]!)) / (scale * norm(w));
  const expected = Math.sqrt((lambda * (n + 1)) / (2 * m)) / Math.sqrt(2000 * lambda);
  assert.ok(err < 4 * expected, `relative error ${err} vs ≈ ${expected}`);
});

Deno.test("growth control rescales B (direction kept) so its outputs to unit noise have std d", () => {
  const W = randn(6, 10, 4), B0 = randn(7, 10, 4, 3);
  const off = mirrorStep(b, B0, W, 256, plainStep, createRng(8));
  const on = mirrorStep(b, B0, W, 256, { ...plainStep, "growth_control": true }, createRng(8));
  // The same noise draw: on = k·off with k > 0.
  const a = b.read(off), c = b.read(on), k = c[0]! / a[0]!;
  assert.ok(k > 0);
  a.forEach((v, i) => assert.ok(Math.abs(c[i]! - k * v) < 1e-5 * (1 + Math.abs(c[i]!)), `${i}`));
  // Output j of ξ′B has std ‖B₍:,j₎‖ exactly; the step's estimate from 256 samples is within a few
  // per cent (std error of a sample std ≈ 1/√(2m) per unit, averaged over 4 units).
  let mean = 0;
  for (let j = 0; j < 4; j++) {
    let s2 = 0;
    for (let i = 0; i < 10; i++) s2 += c[i * 4 + j]! ** 2;
    mean += Math.sqrt(s2) / 4;
  }
  assert.ok(Math.abs(mean - 0.5) < 0.5 * 3 / Math.sqrt(2 * 256 * 4), `mean output std ${mean}`);
  assert.throws(
    () => mirrorStep(b, B0, W, 1, { ...plainStep, "growth_control": true }, createRng(0)),
    /Invalid mirror batch 1: expected an integer ≥ 2/,
  );
});

Deno.test("wm with W fixed: ∠(W, B) follows the predicted fall towards 0", () => {
  // Optimiser rate 0 keeps W; each training step is followed by one mirror step with m = 32
  // noise samples. Without growth control and decay, after t steps
  //   B_t = B₀ + c_t·W + N_t,  c_t = t·η·m·σ²,  E‖N_t‖² = t·η²·σ⁴·m·(n + 1)·‖W‖²
  // (n = fanIn; Cov(ξᵀξ)_{ab,cd} = m(δ_ac δ_bd + δ_ad δ_bc)), so, N_t being nearly orthogonal,
  //   cos ∠(W, B_t) ≈ ⟨B₀ + c_t W, W⟩ / (‖W‖·√(‖B₀ + c_t W‖² + E‖N_t‖²)).
  const sizes = [20, 10, 5], m = 32;
  const net = createLearner("wm", {
    network: { sizes, activation: "tanh" },
    optimizer: { name: "sgd", lr: 0 },
    hyper: { ...plainStep },
    backend: b,
    seed: 3,
  });
  const w0 = net.exportWeights();
  const x = randn(11, m, 20), y = randn(12, m, 5);
  const last = [90, 90];
  let t = 0;
  for (const stop of [30, 100, 300, 1000]) {
    for (; t < stop; t++) net.trainBatch(x, y);
    const w = net.exportWeights();
    for (let i = 0; i < 2; i++) {
      const W = w0[`W${i}`]!.data, B0 = w0[`B${i}`]!.data, n = sizes[i]!;
      assert.deepEqual(w[`W${i}`]!.data, W, "W stays fixed");
      const c = t * plainStep.mirror_lr * m * plainStep.mirror_noise ** 2;
      const mean = B0.map((v, k) => v + c * W[k]!);
      const noise2 = t * plainStep.mirror_lr ** 2 * plainStep.mirror_noise ** 4 * m * (n + 1) *
        dot(W, W);
      const cos = dot(mean, W) / (norm(W) * Math.sqrt(dot(mean, mean) + noise2));
      const predicted = (Math.acos(cos) * 180) / Math.PI;
      const got = angle(w[`B${i}`]!.data, W);
      assert.ok(
        Math.abs(got - predicted) < 1 + 0.15 * predicted,
        `layer ${i}, t ${t}: ${got}° vs predicted ${predicted}°`,
      );
      assert.ok(got < last[i]!, `layer ${i}: the angle falls`);
      last[i] = got;
    }
  }
  // After 1000 mirror steps both layers are within a few degrees of W.
  assert.ok(last.every((a) => a < 5), `final angles ${last}`);
});

Deno.test("wm without mirror steps is FA step for step", () => {
  const network = { sizes: [3, 6, 5, 2], activation: "tanh" as const };
  const optimizer = { name: "sgd" as const, lr: 0.1 };
  const x = randn(20, 8, 3), y = randn(21, 8, 2);
  const fa = createLearner("fa", { network, optimizer, backend: b, seed: 4 });
  const off = createLearner("wm", {
    network,
    optimizer,
    hyper: { "mirror_steps": 0 },
    backend: b,
    seed: 4,
  });
  const on = createLearner("wm", { network, optimizer, backend: b, seed: 4 });
  for (let t = 0; t < 5; t++) [fa, off, on].forEach((n) => n.trainBatch(x, y));
  const a = fa.exportWeights(), c = off.exportWeights(), d = on.exportWeights();
  assert.deepEqual(Object.keys(c).sort(), Object.keys(a).sort());
  for (const k of Object.keys(a)) assert.deepEqual(c[k]!.data, a[k]!.data, k);
  assert.notDeepEqual(d.B1!.data, a.B1!.data, "with mirror steps B learns");
});

Deno.test("wm learns a small regression and aligns B with W, unlike FA", () => {
  // y = sin(x) on 256 points, as the package example trains FA. With growth control B is an
  // exponential average of the directions η·xᵀxW: its direction error from the noise is a few
  // degrees, so ∠(W, B) ends far below FA's fixed random angle.
  const rng = createRng(0), n = 256;
  const xs = Array.from({ length: n }, () => (2 * rng.next() - 1) * Math.PI);
  const x = b.fromArray(xs, n, 1), y = b.fromArray(xs.map(Math.sin), n, 1);
  const make = (rule: string) =>
    createLearner(rule, {
      network: { sizes: [1, 32, 1], activation: "tanh" },
      optimizer: { name: "adam", lr: 0.01 },
      backend: b,
      seed: 0,
    });
  const wm = make("wm"), fa = make("fa");
  const before = wm.trainBatch(x, y).loss;
  for (let epoch = 0; epoch < 100; epoch++) {
    for (let i = 0; i < n; i += 32) {
      const xb = xs.slice(i, i + 32);
      const [bx, by] = [b.fromArray(xb, 32, 1), b.fromArray(xb.map(Math.sin), 32, 1)];
      wm.trainBatch(bx, by);
      fa.trainBatch(bx, by);
    }
  }
  const after = wm.trainBatch(x, y).loss;
  assert.ok(after < before / 10, `loss ${before} → ${after}`);
  const aw = wm.diagnostics().angle_W_BT_1!, af = fa.diagnostics().angle_W_BT_1!;
  assert.ok(aw < 20, `wm ∠(W₁, B₁) = ${aw}°`);
  assert.ok(aw < af, `wm ${aw}° vs FA ${af}°`);
});

Deno.test("wm warm-up: mirror steps once before the first training step, not after a restore", () => {
  const options = {
    network: { sizes: [4, 6, 2], activation: "tanh" as const },
    optimizer: { name: "sgd" as const, lr: 0 },
    hyper: { "mirror_steps": 0, "mirror_warmup": 100 },
    backend: b,
    seed: 1,
  };
  const x = randn(30, 16, 4), y = randn(31, 16, 2);
  const net = createLearner("wm", options);
  const b0 = net.exportWeights().B1!.data;
  net.trainBatch(x, y);
  const b1 = net.exportWeights().B1!.data;
  assert.notDeepEqual(b1, b0, "the warm-up changed B");
  assert.ok(angle(b1, net.exportWeights().W1!.data) < angle(b0, net.exportWeights().W1!.data));
  net.trainBatch(x, y);
  assert.deepEqual(net.exportWeights().B1!.data, b1, "no mirror steps after the warm-up");
  const restored = createLearner("wm", options);
  restored.importWeights(net.exportWeights());
  restored.trainBatch(x, y);
  assert.deepEqual(restored.exportWeights().B1!.data, b1, "a restored learner skips the warm-up");
});

/** jsBackend without its raw buffers: the generic path of code that tests for `backend.raw`. */
const noRaw: Backend = new Proxy(b, {
  get: (target, key) => {
    if (key === "raw") return undefined;
    const v = Reflect.get(target, key);
    return typeof v === "function" ? v.bind(target) : v;
  },
});

Deno.test("mirror step: the in-place kernel and the tensor operations give the same B", () => {
  const W = randn(40, 30, 7), B0 = randn(41, 30, 7, 0.2);
  for (
    const settings of [plainStep, { ...plainStep, "mirror_decay": 0.1, "growth_control": true }]
  ) {
    const fast = b.read(mirrorStep(b, B0, W, 16, settings, createRng(42)));
    const generic = b.read(mirrorStep(noRaw, B0, W, 16, settings, createRng(42)));
    fast.forEach((v, k) => assert.ok(Math.abs(v - generic[k]!) < 1e-5 * (1 + Math.abs(v)), `${k}`));
  }
  assert.deepEqual(b.read(B0), b.read(randn(41, 30, 7, 0.2)), "mirrorStep leaves B as it was");
});

/** Every matrix of `a` within `tol` of `c`'s, relative to the matrix's largest entry. */
function assertClose(
  a: Record<string, { data: number[] }>,
  c: Record<string, { data: number[] }>,
  tol: number,
  label: string,
) {
  assert.deepEqual(Object.keys(a).sort(), Object.keys(c).sort());
  for (const k of Object.keys(a)) {
    const x = a[k]!.data, y = c[k]!.data, big = Math.max(...y.map(Math.abs));
    x.forEach((v, j) =>
      assert.ok(Math.abs(v - y[j]!) <= tol * big, `${label} ${k}[${j}]: ${v} vs ${y[j]}`)
    );
  }
}

Deno.test("wm's in-place mirror steps are mirrorStep on FA's B with the learner's noise stream", () => {
  // The learner keeps each B with a pending scale (decay and growth control) and rescales the
  // stored matrix only when that scale leaves [1e-6, 1e6]: decay 0.5 crosses it after 20 steps.
  const network = { sizes: [6, 9, 3], activation: "tanh" as const };
  const optimizer = { name: "sgd" as const, lr: 0.1 };
  const x = randn(50, 12, 6), y = randn(51, 12, 3);
  const defaults = { ...plainStep, "mirror_lr": 0.01, "growth_control": true };
  for (
    const [hyper, settings, steps] of [
      [{}, defaults, 5],
      [{ "mirror_decay": 0.5, "growth_control": false }, {
        ...defaults,
        "mirror_decay": 0.5,
        "growth_control": false,
      }, 30],
    ] as const
  ) {
    const wm = createLearner("wm", { network, optimizer, hyper, backend: b, seed: 5 });
    const fa = createLearner("fa", { network, optimizer, backend: b, seed: 5 });
    const rng = createRng(deriveSeed(5, "mirror"));
    for (let t = 0; t < steps; t++) {
      wm.trainBatch(x, y);
      fa.trainBatch(x, y);
      // FA's step with wm's B, then one mirror step per layer, in layer order, same stream.
      const w = fa.exportWeights(), mirrored = { ...w };
      for (let i = 0; i < 2; i++) {
        const [B, W] = [`B${i}`, `W${i}`].map((k) =>
          b.fromArray(w[k]!.data, w[k]!.rows, w[k]!.cols)
        );
        const next = mirrorStep(b, B!, W!, 12, settings, rng);
        mirrored[`B${i}`] = { ...w[`B${i}`]!, data: Array.from(b.read(next)) };
      }
      fa.importWeights(mirrored);
      // Float32 rounding differs (a scale applied before or after the products).
      assertClose(wm.exportWeights(), fa.exportWeights(), 1e-5, `step ${t}`);
    }
  }
});

Deno.test("wm is seed-deterministic, and looking at its weights does not change its trajectory", () => {
  const network = { sizes: [6, 9, 3], activation: "tanh" as const };
  const optimizer = { name: "sgd" as const, lr: 0.1 };
  const x = randn(52, 12, 6), y = randn(53, 12, 3);
  const watched = createLearner("wm", { network, optimizer, backend: b, seed: 6 });
  const unwatched = createLearner("wm", { network, optimizer, backend: b, seed: 6 });
  for (let t = 0; t < 5; t++) {
    watched.exportWeights();
    watched.diagnostics(x, y);
    watched.trainBatch(x, y);
    unwatched.trainBatch(x, y);
  }
  assert.deepEqual(watched.exportWeights(), unwatched.exportWeights());
});
