import assert from "node:assert/strict";
import { jsBackend as b } from "./js_backend.ts";
import { createBlasBackend } from "./blas_backend.ts";
import { createRng } from "./random.ts";
import type { Backend } from "./tensor.ts";
import { Optimizer, OPTIMIZER_SECTION } from "./optimizer.ts";
import { resolveHyper } from "./hyper.ts";
import { assertClose, withoutRaw } from "./_test_utils.ts";

Deno.test("SGD with momentum follows v ← μv + g, p ← (1 − λ)p − ηv", () => {
  const opt = new Optimizer(b, { name: "sgd", lr: 0.1, momentum: 0.9, weight_decay: 0.01 });
  let p = b.fromArray([1], 1, 1);
  let pe = 1, v = 0;
  for (const g of [1, -2, 0.5, 3]) {
    p = opt.update("p", p, b.fromArray([g], 1, 1));
    v = 0.9 * v + g;
    pe = 0.99 * pe - 0.1 * v;
  }
  assertClose(b.read(p), [pe], 1e-6);
});

/**
 * Kingma & Ba's Adam (β₁ 0.9, β₂ 0.99, ε 1e-8) from p0 over the gradients `gs`, written out in
 * float64: step t uses the rate `eta(t)` and the gradient g + λ₂·p (PyTorch's coupled decay).
 */
function adamReference(
  p0: number[],
  gs: number[][],
  eta: (t: number) => number,
  l2 = 0,
): number[] {
  const pe = [...p0], m = p0.map(() => 0), v = p0.map(() => 0);
  gs.forEach((g, t) => {
    for (let i = 0; i < pe.length; i++) {
      const gi = g[i]! + l2 * pe[i]!;
      m[i] = 0.9 * m[i]! + 0.1 * gi;
      v[i] = 0.99 * v[i]! + 0.01 * gi ** 2;
      const mh = m[i]! / (1 - 0.9 ** (t + 1)), vh = v[i]! / (1 - 0.99 ** (t + 1));
      pe[i] = pe[i]! - eta(t) * mh / (Math.sqrt(vh) + 1e-8);
    }
  });
  return pe;
}

Deno.test("Adam follows Kingma & Ba with bias correction", () => {
  const opt = new Optimizer(b, { name: "adam", lr: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-8 });
  let p = b.fromArray([0.5, -0.5], 1, 2);
  const gs = [[1, 2], [-1, 0.5], [0.3, -0.2]];
  for (const g of gs) p = opt.update("p", p, b.fromArray(g, 1, 2));
  assertClose(b.read(p), adamReference([0.5, -0.5], gs, () => 0.01), 1e-5);
});

Deno.test("Adam on raw buffers equals the backend-operation path bit for bit (js and blas)", () => {
  const rng = createRng(7);
  const backends: Backend[] = [b];
  try {
    backends.push(createBlasBackend());
  } catch (e) {
    console.error(`optimizer: skipping blas: ${(e as Error).message}`);
  }
  // 3 × 5 takes the loops on blas too; 80 × 70 (past 4096 elements) its saxpy.
  for (const backend of backends) {
    for (const [rows, cols] of [[3, 5], [80, 70]] as const) {
      for (const extra of [{}, { l2: 0.01, weight_decay: 0.001 }]) {
        const spec = { name: "adam", lr: 0.003, beta2: 0.99, ...extra } as const;
        const fused = new Optimizer(backend, spec),
          plain = new Optimizer(withoutRaw(backend), spec);
        const init = Array.from({ length: rows * cols }, () => rng.next() - 0.5);
        let p = backend.fromArray(init, rows, cols), q = backend.fromArray(init, rows, cols);
        for (let t = 0; t < 6; t++) {
          const g = Array.from({ length: rows * cols }, () => (rng.next() - 0.5) * 10 ** (t - 3));
          p = fused.update("w", p, backend.fromArray(g, rows, cols));
          q = plain.update("w", q, backend.fromArray(g, rows, cols));
          if (t === 2) fused.endEpoch(), plain.endEpoch();
        }
        assert.deepEqual(backend.read(p), backend.read(q), `${backend.name} ${rows}×${cols}`);
        assert.notDeepEqual(backend.read(p), new Float32Array(init), "the parameters moved");
      }
    }
  }
});

Deno.test("two slots fed equal gradients move by equal amounts", () => {
  for (
    const spec of [{ name: "sgd", lr: 0.1, momentum: 0.9 }, { name: "adam", lr: 0.1 }] as const
  ) {
    const opt = new Optimizer(b, spec);
    let p = b.fromArray([1, 2], 1, 2), q = b.fromArray([3, 5], 1, 2);
    for (const g of [[1, 2], [0.5, -1], [2, 2]]) {
      p = opt.update("p", p, b.fromArray(g, 1, 2));
      q = opt.update("q", q, b.fromArray(g, 1, 2));
    }
    const d = b.read(b.sub(q, p));
    assertClose(d, [2, 3], 1e-6, spec.name);
  }
});

Deno.test("the optimizer section rejects unknown names and bad learning rates, naming the key", () => {
  const check = (optimizer: unknown) =>
    resolveHyper({ optimizer: OPTIMIZER_SECTION }, { optimizer }, "");
  assert.throws(
    () => check({ name: "rmsprop", lr: 1 }),
    /^SchemaError: optimizer\.name: expected one of sgd, adam, got "rmsprop"$/,
  );
  assert.throws(
    () => check({ name: "sgd", lr: NaN }),
    /^SchemaError: optimizer\.lr: expected a number ≥ 0, got \.nan$/,
  );
  assert.throws(
    () => check({ name: "sgd", beta1: 0.9 }),
    /^SchemaError: optimizer\.beta1: unknown key \(value 0\.9\); expected one of name, lr, momentum, weight_decay, l2, schedule$/,
  );
  assert.deepEqual(check(undefined).optimizer, {
    name: "sgd",
    lr: 0.01,
    momentum: 0,
    "weight_decay": 0,
  });
});

Deno.test("SGD steps with the scheduled rate η₀·γ^⌊e / step_size⌋ of the epoch", () => {
  const opt = new Optimizer(b, {
    name: "sgd",
    lr: 0.5,
    schedule: { name: "step", step_size: 2, gamma: 0.5 },
  });
  let p = b.fromArray([0], 1, 1);
  const seen: number[] = [];
  for (let e = 0; e < 5; e++) {
    assert.equal(opt.epochsDone, e);
    p = opt.update("p", p, b.fromArray([1], 1, 1));
    seen.push(b.read(p)[0]!);
    opt.endEpoch();
  }
  // η per epoch: 0.5, 0.5, 0.25, 0.25, 0.125 (cumulative sums of −η, exact in float32).
  assert.deepEqual(seen, [-0.5, -1, -1.25, -1.5, -1.625]);
});

Deno.test("Adam with an exponential schedule: Kingma & Ba's step with η₀·γ^e", () => {
  const opt = new Optimizer(b, {
    name: "adam",
    lr: 0.01,
    beta1: 0.9,
    beta2: 0.99,
    eps: 1e-8,
    schedule: { name: "exponential", gamma: 0.7 },
  });
  let p = b.fromArray([0.5, -0.5], 1, 2);
  const gs = [[1, 2], [-1, 0.5], [0.3, -0.2], [0.1, 1]];
  // Two steps per epoch: epochs 0, 0, 1, 1.
  gs.forEach((g, t) => {
    p = opt.update("p", p, b.fromArray(g, 1, 2));
    if (t % 2 === 1) opt.endEpoch();
  });
  const pe = adamReference([0.5, -0.5], gs, (t) => 0.01 * 0.7 ** Math.floor(t / 2));
  assertClose(b.read(p), pe, 1e-5);
});

Deno.test("weight decay is not scheduled: with the rate at 0, p ← (1 − λ)p", () => {
  // γ = 0 (outside the section's bounds, built directly): η = 0.5 in epoch 0, then 0.
  const opt = new Optimizer(b, {
    name: "sgd",
    lr: 0.5,
    momentum: 0.9,
    weight_decay: 0.1,
    schedule: { name: "exponential", gamma: 0 },
  });
  let p = b.fromArray([1], 1, 1);
  const want = [0.9 * 1 - 0.5 * 1, 0.9 * 0.4, 0.9 * 0.36];
  const got: number[] = [];
  for (let e = 0; e < 3; e++, opt.endEpoch()) {
    p = opt.update("p", p, b.fromArray([1], 1, 1));
    got.push(b.read(p)[0]!);
  }
  assertClose(got, want, 1e-6);
});

Deno.test("the rate, epoch count and a fresh optimiser started mid-schedule", () => {
  const spec = {
    name: "sgd",
    lr: 1,
    schedule: { name: "multistep", milestones: [1, 3], gamma: 0.5 },
  } as const;
  const opt = new Optimizer(b, spec);
  const lrs: number[] = [];
  for (let e = 0; e < 5; e++, opt.endEpoch()) lrs.push(opt.lr);
  assert.deepEqual(lrs, [1, 0.5, 0.5, 0.25, 0.25]);
  opt.reset();
  assert.equal(opt.epochsDone, 5);
  assert.equal(new Optimizer(b, spec, 2).lr, 0.5);
  assert.equal(new Optimizer(b, { name: "sgd", lr: 0.3 }).lr, 0.3);
  assert.throws(
    () => new Optimizer(b, spec, -1),
    /^RangeError: Invalid epoch count -1: expected an integer ≥ 0$/,
  );
});

Deno.test("the optimiser refuses milestones that are not strictly increasing", () => {
  assert.throws(
    () =>
      new Optimizer(b, {
        name: "adam",
        lr: 0.1,
        schedule: { name: "multistep", milestones: [4, 2], gamma: 0.1 },
      }),
    /^SchemaError: optimizer\.schedule\.milestones: expected strictly increasing integers > 0, got \[4,2\]$/,
  );
});

Deno.test("a spec without a schedule is kept without one", () => {
  const opt = new Optimizer(b, { name: "sgd", lr: 0.1, momentum: 0 });
  assert.deepEqual(opt.spec, { name: "sgd", lr: 0.1, momentum: 0 });
  assert.ok(!("schedule" in opt.spec));
});

Deno.test("SGD with l2 is PyTorch's coupled weight_decay: v ← μv + g + λ₂p, p ← p − ηv", () => {
  for (const mu of [0, 0.9]) {
    const opt = new Optimizer(b, { name: "sgd", lr: 0.1, momentum: mu, l2: 0.05 });
    let p = b.fromArray([1, -2], 1, 2);
    const pe = [1, -2], v = [0, 0];
    for (const g of [[1, 0.5], [-2, 1], [0.5, 0], [3, -1]]) {
      p = opt.update("p", p, b.fromArray(g, 1, 2));
      for (let i = 0; i < 2; i++) {
        v[i] = mu * v[i]! + g[i]! + 0.05 * pe[i]!;
        pe[i] = pe[i]! - 0.1 * v[i]!;
      }
    }
    assertClose(b.read(p), pe, 1e-6, `momentum ${mu}`);
  }
});

Deno.test("Adam with l2 feeds g + λ₂p to its moments (torch.optim.Adam's weight_decay)", () => {
  const opt = new Optimizer(b, {
    name: "adam",
    lr: 0.01,
    beta1: 0.9,
    beta2: 0.99,
    eps: 1e-8,
    l2: 0.1,
  });
  let p = b.fromArray([0.5, -0.5], 1, 2);
  const gs = [[1, 2], [-1, 0.5], [0.3, -0.2]];
  for (const g of gs) p = opt.update("p", p, b.fromArray(g, 1, 2));
  assertClose(b.read(p), adamReference([0.5, -0.5], gs, () => 0.01, 0.1), 1e-5);
});

Deno.test("l2 is left out of the resolved section when absent, and needs the parameter", () => {
  const r = (o: unknown) =>
    JSON.stringify(resolveHyper({ optimizer: OPTIMIZER_SECTION }, { optimizer: o }, ""));
  assert.ok(!r({ name: "sgd" }).includes("l2"));
  assert.ok(r({ name: "adam", l2: 0.001 }).includes('"l2":0.001'));
  assert.throws(() => r({ name: "sgd", l2: -1 }), /l2/);
  const opt = new Optimizer(b, { name: "sgd", lr: 0.1, l2: 0.01 });
  assert.throws(
    () => opt.direction("w", b.fill(1, 1, 1)),
    /optimizer\.l2 is 0\.01: expected the parameter/,
  );
});
