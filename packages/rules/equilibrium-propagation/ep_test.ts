import assert from "node:assert/strict";
import {
  createLearner,
  createRng,
  jsBackend as b,
  type Tensor,
  type WeightArray,
} from "@plasticity/core";
import { createEp, energyGradient, epEnergy, type EpHyper } from "./mod.ts";
import { contrastiveDeltas } from "./_energy_net.ts";

const SIZES = [3, 4, 3, 2];

function randomArray(
  rng: ReturnType<typeof createRng>,
  n: number,
  lo: number,
  hi: number,
): number[] {
  return Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
}

/** Small weights and biases 0.5 keep every neuron of the test net inside (0, 1). */
function smallWeights(seed: number): Record<string, WeightArray> {
  const rng = createRng(seed), out: Record<string, WeightArray> = {};
  for (let l = 0; l + 1 < SIZES.length; l++) {
    const r = SIZES[l]!, c = SIZES[l + 1]!;
    out[`W_${l}`] = { rows: r, cols: c, data: randomArray(rng, r * c, -0.2, 0.2) };
    out[`b_${l}`] = { rows: 1, cols: c, data: Array(c).fill(0.5) };
  }
  return out;
}

function params(w: Record<string, WeightArray>) {
  const W: Tensor[] = [], bias: Tensor[] = [];
  for (let l = 0; l + 1 < SIZES.length; l++) {
    W.push(b.fromArray(w[`W_${l}`]!.data, SIZES[l]!, SIZES[l + 1]!));
    bias.push(b.fromArray(w[`b_${l}`]!.data, 1, SIZES[l + 1]!));
  }
  return { W, b: bias };
}

/** The free fixed point by projected gradient descent on Φ, independent of the learner. */
function fixedPoint(w: Record<string, WeightArray>, x: Tensor): Tensor[] {
  const p = params(w);
  let s = SIZES.slice(1).map((n) => b.zeros(x.rows, n));
  for (let t = 0; t < 400; t++) {
    const g = energyGradient(b, p, x, s, 0);
    s = s.map((sl, l) => b.clamp(b.axpy(-0.5, g[l]!, sl), 0, 1));
  }
  return s;
}

/** L(W) = ⟨Σ_c (s*_P − y)²⟩ at the free fixed point (the cost Φ adds with weight β). */
function lossAt(w: Record<string, WeightArray>, x: Tensor, y: Tensor): number {
  const s = fixedPoint(w, x);
  return b.sumSquares(b.sub(s[s.length - 1]!, y)) / x.rows;
}

Deno.test("energyGradient is the derivative of epEnergy (central differences, with lateral M)", () => {
  const rng = createRng(3);
  const w = smallWeights(1);
  const { W, b: bias } = params(w);
  const M = [
    b.fromArray(randomArray(rng, 16, 0, 0.1), 4, 4),
    b.fromArray(randomArray(rng, 9, 0, 0.1), 3, 3),
  ];
  const Msym = M.map((m) => b.scale(b.add(m, b.transpose(m)), 0.5));
  const p = { W, b: bias, M: Msym };
  const x = b.fromArray(randomArray(rng, 6, 0, 1), 2, 3);
  const y = b.fromArray([1, 0, 0, 1], 2, 2);
  const s = SIZES.slice(1).map((n) => b.fromArray(randomArray(rng, 2 * n, 0, 1), 2, n));
  const beta = 0.7;
  const g = energyGradient(b, p, x, s, beta, y);
  const h = 1e-2;
  for (let l = 0; l < s.length; l++) {
    const base = Array.from(b.read(s[l]!));
    const gl = b.read(g[l]!);
    for (let i = 0; i < base.length; i++) {
      const plus = [...base], minus = [...base];
      plus[i]! += h;
      minus[i]! -= h;
      const sp = s.map((t, k) => k === l ? b.fromArray(plus, t.rows, t.cols) : t);
      const sm = s.map((t, k) => k === l ? b.fromArray(minus, t.rows, t.cols) : t);
      // Φ is a batch mean, the gradient is per sample: multiply by the batch size.
      const fd = ((epEnergy(b, p, x, sp, beta, y) - epEnergy(b, p, x, sm, beta, y)) / (2 * h)) *
        x.rows;
      assert.ok(Math.abs(fd - gl[i]!) < 2e-3, `layer ${l} unit ${i}: fd ${fd} vs ${gl[i]}`);
    }
  }
});

function epUpdate(
  estimator: EpHyper["estimator"],
  beta: number,
  x: Tensor,
  y: Tensor,
  w: Record<string, WeightArray>,
) {
  const ep = createEp({
    network: { sizes: SIZES, activation: "hardSigmoid", output_activation: "hardSigmoid" },
    hyper: { lr: [1, 1, 1], t_free: 400, t_nudged: 400, beta, random_sign: false, estimator },
    backend: b,
    seed: 0,
  });
  ep.importWeights(w);
  const stats = ep.trainBatch(x, y);
  assert.ok(Number.isFinite(stats.loss));
  const after = ep.exportWeights();
  const delta: number[] = [];
  for (const k of Object.keys(w).sort()) {
    after[k]!.data.forEach((v, i) => delta.push(v - w[k]!.data[i]!));
  }
  return delta;
}

Deno.test("EP: the symmetric update with small β approaches −∇L at the free fixed point (two hidden layers)", () => {
  const rng = createRng(11);
  const w = smallWeights(5);
  const x = b.fromArray(randomArray(rng, 12, 0, 1), 4, 3);
  const y = b.fromArray([1, 0, 0, 1, 1, 0, 0, 1], 4, 2);
  // Precondition of the smooth theory: every neuron strictly inside the linear part of σ.
  for (const sl of fixedPoint(w, x)) {
    for (const v of b.read(sl)) assert.ok(v > 0.02 && v < 0.98, `saturated: ${v}`);
  }
  // Finite-difference gradient of L with respect to every weight and bias, keys sorted as in epUpdate.
  const grad: number[] = [];
  const h = 1e-2;
  for (const k of Object.keys(w).sort()) {
    w[k]!.data.forEach((_, i) => {
      const plus = structuredClone(w), minus = structuredClone(w);
      plus[k]!.data[i]! += h;
      minus[k]!.data[i]! -= h;
      grad.push((lossAt(plus, x, y) - lossAt(minus, x, y)) / (2 * h));
    });
  }
  const err = (d: number[]) => {
    let num = 0, den = 0;
    d.forEach((v, i) => {
      num += (v + grad[i]!) ** 2;
      den += grad[i]! ** 2;
    });
    return Math.sqrt(num / den);
  };
  const symmetric = err(epUpdate("symmetric", 0.01, x, y, w));
  assert.ok(symmetric < 1e-2, `relative error of the symmetric estimator ${symmetric}`);
  // The one-sided estimator has an O(β) bias, the symmetric one O(β²).
  const twoPhase = err(epUpdate("two-phase", 0.05, x, y, w));
  const symmetric05 = err(epUpdate("symmetric", 0.05, x, y, w));
  assert.ok(symmetric05 < twoPhase, `symmetric ${symmetric05} vs two-phase ${twoPhase}`);
  assert.ok(twoPhase < 0.2, `two-phase relative error ${twoPhase}`);
});

Deno.test("EP: with s_nudged = s_free the weight and bias update is exactly 0", () => {
  const rng = createRng(2);
  const x = b.fromArray(randomArray(rng, 6, 0, 1), 2, 3);
  const s = SIZES.slice(1).map((n) => b.fromArray(randomArray(rng, 2 * n, 0, 1), 2, n));
  const { dW, db } = contrastiveDeltas(
    b,
    x,
    s,
    s.map((t) => b.fromArray(b.read(t), t.rows, t.cols)),
  );
  for (const t of [...dW, ...db]) for (const v of b.read(t)) assert.equal(v, 0);
});

Deno.test("EP: any number of hidden layers learns a toy task (3 hidden layers)", () => {
  const rng = createRng(4);
  const n = 40, xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.next(), c = rng.next();
    xs.push(a, c, 1 - a, 1 - c);
    ys.push(...(a > c ? [1, 0] : [0, 1]));
  }
  const x = b.fromArray(xs, n, 4), y = b.fromArray(ys, n, 2);
  const ep = createLearner("ep", {
    network: {
      sizes: [4, 8, 8, 8, 2],
      activation: "hardSigmoid",
      output_activation: "hardSigmoid",
    },
    hyper: { lr: [0.2, 0.2, 0.2, 0.1] },
    backend: b,
    seed: 3,
  });
  const before = ep.trainBatch(x, y).loss;
  let after = before;
  for (let i = 0; i < 300; i++) after = ep.trainBatch(x, y).loss;
  assert.ok(after < 0.5 * before, `loss ${before} → ${after}`);
  assert.ok("W_3" in ep.exportWeights());
});

Deno.test("EP: diverging neural dynamics give a NaN loss without an update, or a clear error", () => {
  const rng = createRng(8);
  const x = b.fromArray(randomArray(rng, 40, 0, 1), 10, 4),
    y = b.fromArray(Array(20).fill(0.5), 10, 2);
  const make = (neuralLr: number, onDivergence: EpHyper["on_divergence"]) => {
    const ep = createEp({
      network: { sizes: [4, 6, 2], activation: "hardSigmoid", output_activation: "hardSigmoid" },
      hyper: { neural_lr: neuralLr, on_divergence: onDivergence },
      backend: b,
      seed: 1,
    });
    return ep;
  };
  // η = 2.5: the leak multiplier 1 − η = −1.5 makes the iteration expand (oscillate).
  const bad = make(2.5, "nan");
  const w0 = bad.exportWeights();
  const stats = bad.trainBatch(x, y);
  assert.ok(Number.isNaN(stats.loss));
  assert.deepEqual(bad.exportWeights(), w0);
  assert.throws(() => make(2.5, "throw").trainBatch(x, y), /Neural dynamics diverged/);
  assert.ok(Number.isFinite(make(0.5, "nan").trainBatch(x, y).loss));
});

Deno.test("EP: schema errors, optimiser check and weights round trip", () => {
  const net = { sizes: [3, 2, 2], activation: "hardSigmoid" as const };
  assert.throws(
    () => createEp({ network: net, hyper: { lr: [0.1] }, backend: b, seed: 0 }),
    /rule\.lr: expected 2 numbers/,
  );
  assert.throws(
    () => createEp({ network: net, hyper: { beta: 0 }, backend: b, seed: 0 }),
    /rule\.beta/,
  );
  assert.throws(
    () => createEp({ network: net, hyper: { t_free: 0 }, backend: b, seed: 0 }),
    /rule\.t_free/,
  );
  // EP sets its own per-layer rates: any optimizer section, even a plain-SGD rate it would
  // ignore, is refused rather than silently dropped.
  for (
    const optimizer of [{ name: "adam" as const, lr: 1e-3 }, { name: "sgd" as const, lr: 0.5 }]
  ) {
    assert.throws(
      () => createEp({ network: net, optimizer, backend: b, seed: 0 }),
      /^SchemaError: optimizer: not used by rule ep \(value .*\); it sets its own learning rates/,
    );
  }
  const a = createEp({ network: net, backend: b, seed: 0 }),
    c = createEp({ network: net, backend: b, seed: 9 });
  c.importWeights(a.exportWeights());
  const x = b.fromArray([0.1, 0.5, 0.9], 1, 3);
  assert.deepEqual(b.read(c.predict(x)), b.read(a.predict(x)));
  assert.throws(() => c.importWeights({}), /missing matrix "W_0"/);
});

Deno.test("EP and CSM: eval_neural_lr is the step of predict's free phase, training keeps neural_lr", () => {
  const rng = createRng(12);
  const x = b.fromArray(randomArray(rng, 24, 0, 1), 6, 4);
  const y = b.fromArray([1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1], 6, 2);
  for (const rule of ["ep", "csm"]) {
    const make = (hyper: Record<string, number>) =>
      createLearner(rule, {
        network: { sizes: [4, 5, 2], activation: "hardSigmoid", output_activation: "hardSigmoid" },
        // Few free steps, so that the step size shows in the state reached.
        hyper: { t_free: 3, ...hyper },
        backend: b,
        seed: 4,
      });
    // Weights past the start, whose outputs are not all clipped at 0.
    const base = make({ neural_lr: 0.5 });
    for (let i = 0; i < 50; i++) base.trainBatch(x, y);
    const make2 = (hyper: Record<string, number>) => {
      const l = make(hyper);
      l.importWeights(base.exportWeights());
      return l;
    };
    // Evaluation at η = 0.05 predicts what a network relaxing at η = 0.05 predicts.
    const split = make2({ neural_lr: 0.5, eval_neural_lr: 0.05 });
    const slow = make2({ neural_lr: 0.05 });
    assert.deepEqual([...b.read(split.predict(x))], [...b.read(slow.predict(x))], rule);
    assert.notDeepEqual([...b.read(split.predict(x))], [...b.read(make2({}).predict(x))], rule);
    // Training still relaxes at neural_lr: the same step as a network without eval_neural_lr.
    const plain = make2({ neural_lr: 0.5 });
    split.trainBatch(x, y);
    plain.trainBatch(x, y);
    assert.deepEqual(split.exportWeights(), plain.exportWeights(), rule);
  }
});

// The fused relaxation on raw buffers against the definition s ← σ(s − η ∂Φ/∂s) written with
// energyGradient and backend operations, from zero with biases, two hidden layers, CSM's lateral
// term and both fused activations; a weight step first makes the biases non-zero.
for (const rule of ["ep", "csm"] as const) {
  for (const act of ["hardSigmoid", "relu"] as const) {
    Deno.test(`${rule}: the fused ${act} relaxation is s ← σ(s − η ∂Φ/∂s) step by step`, () => {
      const sizes = [5, 7, 6, 3], rng = createRng(4), T = 6, eta = 0.3;
      const net = createLearner(rule, {
        network: { sizes, activation: act, output_activation: act },
        hyper: {
          neural_lr: eta,
          t_free: T,
          t_nudged: 2,
          lr: [0.3, 0.3, 0.3],
          ...(rule === "csm" ? { lr_m: [-0.01, -0.01] } : {}),
        },
        backend: b,
        seed: 2,
      });
      const x = b.fromArray(randomArray(rng, 4 * 5, 0, 1), 4, 5);
      net.trainBatch(x, b.fromArray(randomArray(rng, 4 * 3, 0, 1), 4, 3));
      const w = net.exportWeights!();
      const t = (k: string, r: number, c: number) => b.fromArray(w[k]!.data, r, c);
      const p = {
        W: [0, 1, 2].map((l) => t(`W_${l}`, sizes[l]!, sizes[l + 1]!)),
        b: [0, 1, 2].map((l) => t(`b_${l}`, 1, sizes[l + 1]!)),
        M: rule === "csm" ? [1, 2].map((l) => t(`M_${l}`, sizes[l]!, sizes[l]!)) : undefined,
      };
      assert.ok(p.b.every((bl) => b.sumSquares(bl) > 0));
      let s = sizes.slice(1).map((n) => b.zeros(4, n));
      for (let i = 0; i < T; i++) {
        const g = energyGradient(b, p, x, s, 0);
        s = s.map((sl, l) => b.activate(b.axpy(-eta, g[l]!, sl), act));
      }
      assert.deepEqual(b.read(net.predict(x)), b.read(s[2]!));
    });
  }
}
