// Gradients of the explicit backward pass against hand-derived formulas and float64 finite
// differences of an independent float64 forward pass.
import assert from "node:assert/strict";
import {
  createRng,
  jsBackend as b,
  lossGrad,
  type LossSpec,
  type NetworkSpec,
} from "@plasticity/core";
import { Mlp } from "./mlp.ts";

const sig = (v: number) => 1 / (1 + Math.exp(-v));

/** Row-major float64 matrix product (n×k)(k×m). */
function mm(
  a: ArrayLike<number>,
  bm: ArrayLike<number>,
  n: number,
  k: number,
  m: number,
): number[] {
  const c = new Array<number>(n * m).fill(0);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < k; p++) {
      const v = a[i * k + p]!;
      for (let j = 0; j < m; j++) c[i * m + j]! += v * bm[p * m + j]!;
    }
  }
  return c;
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, what: string) {
  assert.equal(got.length, want.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    assert.ok(d <= rel * scale + 1e-9, `${what}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}

Deno.test("two-layer sigmoid net: gradients equal the hand-derived formulas (bioflax test_layers)", () => {
  // 5 → 15 (sigmoid) → 10, x = ones, ℒ = ½‖y − t‖² (sum):
  // ∂K₂ = h₁ᵀ(y − t), ∂b₂ = y − t, ∂K₁ = xᵀ[σ'(z₁) ⊙ (y − t)K₂ᵀ], ∂b₁ = σ'(z₁) ⊙ (y − t)K₂ᵀ.
  const rng = createRng(3);
  const net: NetworkSpec = { sizes: [5, 15, 10], activation: "sigmoid" };
  const mlp = Mlp.init(b, net, rng);
  mlp.b[0] = b.random(1, 15, () => rng.normal());
  mlp.b[1] = b.random(1, 10, () => rng.normal());
  const x = b.fill(1, 5, 1), t = b.random(1, 10, () => rng.normal());
  const cache = mlp.forward(x);
  const e = lossGrad(b, { kind: "mse", half: true, reduction: "sum" }, cache.h[2]!, t);
  const g = mlp.backward(cache, e, mlp.bpSignal);

  const K1 = b.read(mlp.W[0]!),
    K2 = b.read(mlp.W[1]!),
    b1 = b.read(mlp.b[0]!),
    b2 = b.read(mlp.b[1]!);
  const td = b.read(t);
  const z1 = mm(new Array(5).fill(1), K1, 1, 5, 15).map((v, j) => v + b1[j]!);
  const h1 = z1.map(sig);
  const y = mm(h1, K2, 1, 15, 10).map((v, j) => v + b2[j]!);
  const err = y.map((v, j) => v - td[j]!);
  const back = new Array<number>(15).fill(0);
  for (let j = 0; j < 15; j++) for (let k = 0; k < 10; k++) back[j]! += K2[j * 10 + k]! * err[k]!;
  const d1 = back.map((v, j) => v * sig(z1[j]!) * (1 - sig(z1[j]!)));
  const dK2: number[] = [], dK1: number[] = [];
  for (let j = 0; j < 15; j++) for (let k = 0; k < 10; k++) dK2.push(h1[j]! * err[k]!);
  for (let i = 0; i < 5; i++) for (let j = 0; j < 15; j++) dK1.push(1 * d1[j]!);

  assertClose(b.read(g.dW[1]!), dK2, 1e-5, "dK2");
  assertClose(b.read(g.db[1]!), err, 1e-5, "db2");
  assertClose(b.read(g.dW[0]!), dK1, 1e-5, "dK1");
  assertClose(b.read(g.db[0]!), d1, 1e-5, "db1");
});

/** Float64 forward pass and loss of a tanh MLP from float32 parameters, for finite differences. */
function loss64(
  W: number[][],
  bias: number[][],
  sizes: number[],
  x: number[],
  t: number[],
  n: number,
  loss: LossSpec,
  outAct: "identity" | "sigmoid",
): number {
  let h = x;
  for (let i = 0; i < W.length; i++) {
    const a = mm(h, W[i]!, n, sizes[i]!, sizes[i + 1]!).map((v, j) =>
      v + bias[i]![j % sizes[i + 1]!]!
    );
    h = i < W.length - 1 ? a.map(Math.tanh) : outAct === "sigmoid" ? a.map(sig) : a;
  }
  const m = sizes[sizes.length - 1]!, d = (loss.reduction ?? "mean") === "mean" ? n : 1;
  let s = 0;
  if (loss.kind === "mse") {
    for (let i = 0; i < h.length; i++) s += (h[i]! - t[i]!) ** 2;
    return ((loss.half ?? true) ? 0.5 : 1) * s / d;
  }
  for (let r = 0; r < n; r++) {
    const row = h.slice(r * m, r * m + m), mx = Math.max(...row);
    const lse = mx + Math.log(row.reduce((acc, v) => acc + Math.exp(v - mx), 0));
    for (let j = 0; j < m; j++) s -= t[r * m + j]! * (row[j]! - lse);
  }
  return s / d;
}

const LOSSES: [LossSpec, "identity" | "sigmoid"][] = [
  [{ kind: "mse", half: true, reduction: "mean" }, "identity"],
  [{ kind: "mse", half: false, reduction: "mean" }, "identity"],
  [{ kind: "mse", half: true, reduction: "sum" }, "identity"],
  [{ kind: "mse", half: false, reduction: "sum" }, "sigmoid"],
  [{ kind: "ce", reduction: "mean" }, "identity"],
  [{ kind: "ce", reduction: "sum" }, "identity"],
];

for (const [loss, outAct] of LOSSES) {
  Deno.test(`finite differences match backprop: ${JSON.stringify(loss)}, output ${outAct}`, () => {
    const sizes = [3, 4, 5, 3], n = 4, rng = createRng(11);
    const mlp = Mlp.init(
      b,
      { sizes, activation: "tanh", output_activation: outAct, init: { kind: "normal", std: 0.8 } },
      rng,
    );
    mlp.b = mlp.b.map((t) => b.random(1, t!.cols, () => 0.3 * rng.normal()));
    const x = Array.from({ length: n * 3 }, () => rng.normal());
    const t = loss.kind === "ce"
      ? Array.from({ length: n * 3 }, (_, i) => (i % 3 === (i / 3 | 0) % 3 ? 1 : 0))
      : Array.from({ length: n * 3 }, () => rng.normal());
    const cache = mlp.forward(b.fromArray(x, n, 3));
    const e = lossGrad(b, loss, cache.h[3]!, b.fromArray(t, n, 3));
    const g = mlp.backward(cache, e, mlp.bpSignal);
    const W = mlp.W.map((w) => Array.from(b.read(w)));
    const bias = mlp.b.map((v) => Array.from(b.read(v!)));
    const f = () => loss64(W, bias, sizes, x, t, n, loss, outAct);
    const h = 1e-6;
    for (const [params, grads, name] of [[W, g.dW, "W"], [bias, g.db, "b"]] as const) {
      params.forEach((p, l) => {
        const fd = p.map((_, k) => {
          const keep = p[k]!;
          p[k] = keep + h;
          const up = f();
          p[k] = keep - h;
          const down = f();
          p[k] = keep;
          return (up - down) / (2 * h);
        });
        assertClose(b.read(grads[l]!), fd, 2e-4, `${name}${l}`);
      });
    }
  });
}

Deno.test("forward pass: biases optional, shapes checked", () => {
  const mlp = Mlp.init(b, { sizes: [2, 3, 1], activation: "relu", bias: false }, createRng(0));
  assert.deepEqual(mlp.b, [undefined, undefined]);
  const g = mlp.backward(mlp.forward(b.fill(2, 2, 1)), b.fill(2, 1, 1), mlp.bpSignal);
  assert.deepEqual(g.db, [undefined, undefined]);
  assert.throws(() => mlp.forward(b.zeros(2, 3)), /Mlp input has shape 2×3: expected batch×2/);
  assert.throws(
    () => new Mlp(b, { sizes: [2, 1], activation: "relu" }, [b.zeros(1, 2)], [undefined]),
    /W0 has shape 1×2: expected 2×1/,
  );
});
