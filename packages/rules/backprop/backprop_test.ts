// The learner's update rule against closed forms, determinism, registry, export/import, errors.
import assert from "node:assert/strict";
import {
  createLearner,
  createRng,
  getLearner,
  jsBackend as b,
  lossGrad,
  lossValue,
  type OptimizerSpec,
  type ResolvedLearnerOptions,
  resolveLearnerConfig,
  type Tensor,
} from "@plasticity/core";
import { bpRule } from "./mod.ts";
import { MlpLearner } from "./mlp_learner.ts";

function data(n: number, din: number, dout: number, seed: number): [Tensor, Tensor] {
  const rng = createRng(seed);
  return [b.random(n, din, () => rng.normal()), b.random(n, dout, () => rng.normal())];
}

function opts(optimizer: Partial<OptimizerSpec>, seed = 0): ResolvedLearnerOptions {
  const sections = resolveLearnerConfig(bpRule, {
    network: { sizes: [4, 6, 3], activation: "tanh" },
    optimizer,
  });
  return { ...sections, backend: b, seed };
}

/** The exact BP gradient of the learner's current weights on (x, y), in float64 arrays. */
function grads(l: MlpLearner, x: Tensor, y: Tensor): Float32Array[] {
  const c = l.mlp.forward(x);
  const g = l.mlp.backward(c, lossGrad(b, l.loss, c.h[2]!, y), l.mlp.bpSignal);
  return [b.read(g.dW[0]!), b.read(g.db[0]!), b.read(g.dW[1]!), b.read(g.db[1]!)];
}

function params(l: MlpLearner): Float32Array[] {
  const w = l.exportWeights();
  return ["W0", "b0", "W1", "b1"].map((k) => Float32Array.from(w[k]!.data));
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) {
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i]! - want[i]!) <= tol, `${what}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}

for (
  const [mode, c] of [["documented", (l: number) => 1 - l], [
    "bioflax-compat",
    (l: number) => 1 + l,
  ]] as const
) {
  Deno.test(`SGD step with weight decay (${mode}): p ← c·p − η g`, () => {
    const lr = 0.1, lambda = 0.05;
    const l = new MlpLearner({
      rule: "bp",
      options: opts({ name: "sgd", lr, weight_decay: lambda }),
      decay: mode,
    });
    const [x, y] = data(5, 4, 3, 1);
    const p0 = params(l), g = grads(l, x, y);
    l.trainBatch(x, y);
    params(l).forEach((p, k) =>
      close(p, p0[k]!.map((v, i) => c(lambda) * v - lr * g[k]![i]!), 1e-6, `param ${k}`)
    );
  });
}

Deno.test("SGD with momentum: v₂ = μ g₁ + g₂, p₂ = p₁ − η v₂", () => {
  const lr = 0.05, mu = 0.9;
  const l = new MlpLearner({ rule: "bp", options: opts({ name: "sgd", lr, momentum: mu }) });
  const [x, y] = data(5, 4, 3, 2);
  const g1 = grads(l, x, y);
  l.trainBatch(x, y);
  const p1 = params(l), g2 = grads(l, x, y);
  l.trainBatch(x, y);
  params(l).forEach((p, k) =>
    close(p, p1[k]!.map((v, i) => v - lr * (mu * g1[k]![i]! + g2[k]![i]!)), 1e-6, `param ${k}`)
  );
});

Deno.test("Adam's first step moves every parameter by η·sign(g)", () => {
  // m̂₁ = g, v̂₁ = g², so u₁ = g / (|g| + ε) = sign(g) up to ε.
  const lr = 1e-3;
  const l = new MlpLearner({ rule: "bp", options: opts({ name: "adam", lr }) });
  const [x, y] = data(5, 4, 3, 3);
  const p0 = params(l), g = grads(l, x, y);
  l.trainBatch(x, y);
  params(l).forEach((p, k) =>
    close(p, p0[k]!.map((v, i) => v - lr * Math.sign(g[k]![i]!)), 1e-6, `param ${k}`)
  );
});

Deno.test("the reported loss is the loss before the update, and training lowers it", () => {
  const l = createLearner("bp", opts({ name: "sgd", lr: 0.1 }));
  const [x, y] = data(8, 4, 3, 4);
  const before = lossValue(b, { kind: "mse", half: true, reduction: "mean" }, l.predict(x), y);
  const first = l.trainBatch(x, y).loss;
  assert.equal(first, before);
  for (let i = 0; i < 100; i++) l.trainBatch(x, y);
  const last = l.trainBatch(x, y).loss;
  assert.ok(last < 0.5 * first, `loss ${first} → ${last}`);
});

Deno.test("same seed gives identical weights; another seed gives others", () => {
  const run = (seed: number) => {
    const l = createLearner("bp", opts({ name: "adam", lr: 0.01 }, seed));
    const [x, y] = data(6, 4, 3, 9);
    for (let i = 0; i < 5; i++) l.trainBatch(x, y);
    return l.exportWeights();
  };
  assert.deepEqual(run(7), run(7));
  assert.notDeepEqual(run(7).W0, run(8).W0);
});

Deno.test("bp diagnostics: its update is the gradient (angle 0, norm ratio 1)", () => {
  const l = createLearner("bp", opts({ name: "sgd", lr: 0.1 }));
  const [x, y] = data(6, 4, 3, 5);
  const d = l.diagnostics(x, y);
  for (const k of ["angle_grad_0", "angle_grad_1", "angle_grad_all"]) assert.equal(d[k], 0, k);
  for (const k of ["norm_ratio_0", "norm_ratio_1", "norm_ratio_all", "cos_grad_all"]) {
    assert.ok(Math.abs(d[k]! - 1) < 1e-12, `${k} = ${d[k]}`);
  }
  assert.equal(d.angle_W_BT_0, undefined);
  assert.deepEqual(l.diagnostics(), {});
});

Deno.test("export/import round-trips the network; biases can be left out", () => {
  const a = createLearner("bp", opts({ name: "sgd", lr: 0.1 }, 1));
  const c = createLearner("bp", opts({ name: "sgd", lr: 0.1 }, 2));
  const [x] = data(3, 4, 3, 6);
  c.importWeights(a.exportWeights());
  assert.deepEqual(b.read(c.predict(x)), b.read(a.predict(x)));
  const nb = createLearner("bp", {
    ...opts({ name: "sgd", lr: 0.1 }),
    network: { sizes: [4, 6, 3], activation: "relu", bias: false },
  });
  assert.deepEqual(Object.keys(nb.exportWeights()).sort(), ["W0", "W1"]);
  assert.throws(
    () => nb.importWeights({ b0: { rows: 1, cols: 6, data: new Array(6).fill(0) } }),
    /unknown weight "b0"/,
  );
  assert.throws(
    () => a.importWeights({ W0: { rows: 3, cols: 6, data: new Array(18).fill(0) } }),
    /W0 has shape 3×6: expected 4×6/,
  );
});

Deno.test("bad inputs give one-line errors", () => {
  const l = createLearner("bp", opts({ name: "sgd", lr: 0.1 }));
  assert.throws(
    () => l.trainBatch(b.zeros(2, 5), b.zeros(2, 3)),
    /input x has shape 2×5: expected batch×4/,
  );
  assert.throws(
    () => l.trainBatch(b.zeros(2, 4), b.zeros(3, 3)),
    /target y has shape 3×3: expected 2×3/,
  );
  assert.throws(() => l.diagnostics(b.zeros(2, 4)), /without targets/);
  assert.throws(
    () => createLearner("bp", { ...opts({ name: "sgd", lr: 0.1 }), hyper: { lr: 1 } }),
    /rule\.lr: unknown key/,
  );
  assert.equal(getLearner("bp").family, "backprop");
});
