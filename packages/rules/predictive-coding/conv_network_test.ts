// Predictive coding on a conv net against theory: F and its gradients against an independent
// float64 energy written from the layer definitions (central finite differences); F never rises
// during inference at a small rate; with T = 1 (no inference) the update is BP's at the output and
// zero below; in `bp` mode the gradients are backprop's ConvNet's bit for bit; the error reaches
// layer k after K − 1 − k steps equal to BP's (γ = 1; Song et al. 2020's Z-IL); relaxed to
// equilibrium, ∂F/∂x vanishes; on flatten + dense layers its steps are the MLP PCNetwork's. (The small-nudge limit PC → BP holds for a weakly nudged output
// value node, PC-Nudge, not for this output clamped through the loss: there even a tiny target
// error is shared with the hidden layers, ε_out = (I + W Wᵀ)⁻¹ r for one linear hidden layer.)
import assert from "node:assert/strict";
import {
  type Backend,
  createLearner,
  createRng,
  jsBackend as b,
  lossGrad,
  type NetworkSpec,
  Optimizer,
  resolveNetwork,
  type Tensor,
} from "@plasticity/core";
import { ConvNet } from "@plasticity/backprop";
import { createWebgpuBackend } from "@plasticity/webgpu";
import { ConvPCNetwork } from "./conv_network.ts";
import { PCNetwork } from "./network.ts";
import { pcConfig } from "./settings.ts";
import "./learners.ts";

type Img = { c: number; h: number; w: number };

// 2×6×6 → conv 3×3 (pad 1) → 3×6×6 → max pool 2 → 3×3×3 → conv 2×2 → 4×2×2 → avg pool 2 →
// 4×1×1 → flatten → dense 5 → dense 3: four weight layers, three hidden value nodes.
const RAW = {
  "input_shape": [2, 6, 6],
  activation: "tanh",
  bias: true,
  layers: [
    { conv: { out: 3, kernel: 3, padding: 1 } },
    { pool: { kind: "max", size: 2 } },
    { conv: { out: 4, kernel: 2 } },
    { pool: { kind: "avg", size: 2 } },
    "flatten",
    { dense: 5 },
    { dense: 3 },
  ],
};
const SPEC: NetworkSpec = resolveNetwork(RAW);
const N = 3;
const rng = createRng(11);
const S = Array.from({ length: N * 72 }, () => rng.next());
const Y = Array.from({ length: N * 3 }, () => rng.normal());

function make(mode: "pc" | "bp", hyper: Record<string, unknown> = {}, spec = SPEC) {
  return new ConvPCNetwork({
    network: spec,
    config: pcConfig(mode, hyper),
    optimizer: { name: "sgd", lr: 0.1 },
    backend: b,
    seed: 4,
  });
}

// ---- The float64 energy, from the definitions --------------------------------------------------

function conv64(
  x: number[],
  s: Img,
  W: number[],
  bias: number[] | undefined,
  o: number,
  k: number,
  st: number,
  p: number,
): [number[], Img] {
  const oh = Math.floor((s.h + 2 * p - k) / st) + 1, ow = Math.floor((s.w + 2 * p - k) / st) + 1;
  const y: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < o; j++) {
      for (let u = 0; u < oh; u++) {
        for (let v = 0; v < ow; v++) {
          let acc = bias ? bias[j]! : 0;
          for (let i = 0; i < s.c; i++) {
            for (let a = 0; a < k; a++) {
              for (let c = 0; c < k; c++) {
                const yy = u * st - p + a, xx = v * st - p + c;
                if (yy >= 0 && yy < s.h && xx >= 0 && xx < s.w) {
                  acc += W[((j * s.c + i) * k + a) * k + c]! *
                    x[((n * s.c + i) * s.h + yy) * s.w + xx]!;
                }
              }
            }
          }
          y.push(acc);
        }
      }
    }
  }
  return [y, { c: o, h: oh, w: ow }];
}

function pool64(x: number[], s: Img, k: number, avg: boolean): [number[], Img] {
  const oh = Math.floor((s.h - k) / k) + 1, ow = Math.floor((s.w - k) / k) + 1, y: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < s.c; i++) {
      for (let u = 0; u < oh; u++) {
        for (let v = 0; v < ow; v++) {
          const win: number[] = [];
          for (let a = 0; a < k; a++) {
            for (let c = 0; c < k; c++) {
              win.push(x[((n * s.c + i) * s.h + u * k + a) * s.w + v * k + c]!);
            }
          }
          y.push(avg ? win.reduce((t, q) => t + q, 0) / win.length : Math.max(...win));
        }
      }
    }
  }
  return [y, { c: s.c, h: oh, w: ow }];
}

function dense64(
  x: number[],
  nin: number,
  W: number[],
  bias: number[] | undefined,
  nout: number,
): number[] {
  const y: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < nout; j++) {
      let acc = bias ? bias[j]! : 0;
      for (let i = 0; i < nin; i++) acc += x[n * nin + i]! * W[i * nout + j]!;
      y.push(acc);
    }
  }
  return y;
}

/** F = ½‖y − μ₃‖² + Σ_k ½‖x_k − μ_k‖² of the network RAW, in float64. */
function energy64(W: number[][], bias: number[][], xs: number[][]): number {
  const sq = (a: number[], c: number[]) => a.reduce((t, v, i) => t + 0.5 * (v - c[i]!) ** 2, 0);
  let [mu, s] = conv64(S, { c: 2, h: 6, w: 6 }, W[0]!, bias[0], 3, 3, 1, 1);
  let F = sq(xs[0]!, mu);
  [mu, s] = pool64(xs[0]!.map(Math.tanh), s, 2, false);
  [mu, s] = conv64(mu, s, W[1]!, bias[1], 4, 2, 1, 0);
  F += sq(xs[1]!, mu);
  [mu, s] = pool64(xs[1]!.map(Math.tanh), s, 2, true);
  mu = dense64(mu, 4, W[2]!, bias[2], 5);
  F += sq(xs[2]!, mu);
  mu = dense64(xs[2]!.map(Math.tanh), 5, W[3]!, bias[3], 3);
  return F + sq(Y, mu);
}

const arr = (t: Tensor) => Array.from(b.read(t));

Deno.test("F and its gradients in x, W and b match an independent float64 energy and its finite differences", () => {
  const net = make("pc");
  const s = b.fromArray(S, N, 72), y = b.fromArray(Y, N, 3);
  const W = net.W.map(arr), bias = net.b.map((t) => arr(t!));
  // Value nodes away from the feed-forward state, so every error is non-zero.
  const xs = net.feedForward(s).slice(0, 3).map((m) => arr(m).map((v) => v + 0.3 * rng.normal()));
  const e = net.energy(s, y, xs.map((v) => b.fromArray(v, N, v.length / N)));
  const F64 = energy64(W, bias, xs);
  assert.ok(Math.abs(e.F - F64) <= 1e-5 * Math.abs(F64), `F ${e.F} vs ${F64}`);
  const h = 1e-5;
  const fd = (bump: (d: number) => void): number => {
    bump(h);
    const up = energy64(W, bias, xs);
    bump(-2 * h);
    const down = energy64(W, bias, xs);
    bump(h);
    return (up - down) / (2 * h);
  };
  const check = (what: string, code: Float32Array, target: number[]) => {
    for (let q = 0; q < 8; q++) {
      const i = rng.int(target.length);
      const want = fd((d) => (target[i]! += d));
      assert.ok(
        Math.abs(code[i]! - want) <= 1e-4 + 1e-3 * Math.abs(want),
        `${what}[${i}]: ${code[i]} vs ${want}`,
      );
    }
  };
  e.dx.forEach((g, k) => check(`dF/dx${k}`, b.read(g), xs[k]!));
  e.dW.forEach((g, k) => check(`dF/dW${k}`, b.read(g), W[k]!));
  e.db.forEach((g, k) => check(`dF/db${k}`, b.read(g!), bias[k]!));
});

Deno.test("the energy never rises during inference at a small inference rate (weights fixed)", () => {
  const net = make("pc", { T: 40, gamma: 0.05, decay: 1 });
  const s = b.fromArray(S, N, 72), y = b.fromArray(Y, N, 3);
  const { energies } = net.relaxedGradients(s, y);
  assert.equal(energies.length, 40);
  for (let t = 1; t < energies.length; t++) {
    assert.ok(energies[t]! <= energies[t - 1]! * (1 + 1e-6), `F rose at t = ${t}: ${energies}`);
  }
  assert.ok(energies[39]! < 0.9 * energies[0]!, `${energies[0]} → ${energies[39]}`);
  // At t = 0 every value node sits at its prediction: F₀ is the feed-forward loss.
  const bp = make("bp");
  bp.importWeights(net.exportWeights());
  assert.equal(energies[0], bp.relaxedGradients(s, y).energies[0]);
});

Deno.test("bp mode's gradients equal backprop's ConvNet bit for bit", () => {
  const net = make("bp");
  const s = b.fromArray(S, N, 72), y = b.fromArray(Y, N, 3);
  const ref = new ConvNet(
    b,
    SPEC,
    net.W.map((w) => b.fromArray(b.read(w), w.rows, w.cols)),
    net.b.map((t) => b.fromArray(b.read(t!), 1, t!.cols)),
  );
  const cache = ref.forward(s);
  const g = ref.backward(
    cache,
    lossGrad(b, { kind: "mse", half: true, reduction: "sum" }, cache.h[cache.h.length - 1]!, y),
  );
  const mine = net.relaxedGradients(s, y);
  for (let k = 0; k < 4; k++) {
    assert.deepEqual(b.read(mine.dW[k]!), b.read(g.dW[k]!), `W${k}`);
    assert.deepEqual(b.read(mine.db[k]!), b.read(g.db[k]!), `b${k}`);
  }
});

Deno.test("with T = 1 inference does nothing: the output layer gets BP's update, the hidden layers none", () => {
  const pc = make("pc", { T: 1 }), bp = make("bp");
  bp.importWeights(pc.exportWeights());
  const s = b.fromArray(S, N, 72), y = b.fromArray(Y, N, 3);
  const gp = pc.relaxedGradients(s, y), gb = bp.relaxedGradients(s, y);
  assert.deepEqual(b.read(gp.dW[3]!), b.read(gb.dW[3]!));
  for (let k = 0; k < 3; k++) assert.ok(b.read(gp.dW[k]!).every((v) => v === 0), `W${k}`);
});

Deno.test("the error reaches layer k at t = K − 1 − k equal to γ^(K−1−k) times BP's (Song et al. 2020, Z-IL)", () => {
  // Before the error front arrives, a layer's value node has not moved, so its input hₖ is the
  // feed-forward one; at arrival εₖ = γ φ′(μₖ) ⊙ Pᵀ(Wᵀ εₖ₊₁) with εₖ₊₁ its own arrival value.
  const s = b.fromArray(S, N, 72), y = b.fromArray(Y, N, 3);
  const bp = make("bp");
  const g = bp.relaxedGradients(s, y).dW.map((t) => b.read(t));
  for (const gamma of [1, 0.5]) {
    for (let k = 0; k < 4; k++) {
      const pc = make("pc", { T: 4 - k, gamma, decay: 1 });
      pc.importWeights(bp.exportWeights());
      const got = b.read(pc.relaxedGradients(s, y).dW[k]!), f = gamma ** (3 - k);
      let d = 0, n = 0;
      for (let i = 0; i < got.length; i++) {
        d += (got[i]! - f * g[k]![i]!) ** 2;
        n += (f * g[k]![i]!) ** 2;
      }
      assert.ok(
        n > 0 && Math.sqrt(d / n) < 1e-5,
        `γ = ${gamma}, W${k}: relative error ${Math.sqrt(d / n)}`,
      );
    }
  }
});

Deno.test("relaxed to equilibrium, ∂F/∂x vanishes and the errors obey the BP recursion at x", () => {
  // Average pooling only: F is smooth (max pooling has kinks where gradient descent can stall).
  const smooth = resolveNetwork({
    ...RAW,
    layers: RAW.layers.map((l, i) => (i === 1 ? { pool: { kind: "avg", size: 2 } } : l)),
  });
  const pc = make("pc", { T: 600, gamma: 0.2, decay: 1 }, smooth);
  const s = b.fromArray(S, N, 72), y = b.fromArray(Y, N, 3);
  // A weight step of rate 0 leaves the weights as they were; `capture` returns the relaxed x.
  const r = pc.step(s, y, { optimizer: new Optimizer(b, { name: "sgd", lr: 0 }), capture: true });
  const xs = r.relaxed!.map((v) => b.fromArray(v, N, v.length / N));
  const start = pc.energy(s, y), end = pc.energy(s, y, xs);
  const norm = (ts: Tensor[]) => Math.sqrt(ts.reduce((t, g) => t + b.sumSquares(g), 0));
  assert.ok(norm(end.dx) < 1e-3 * norm(start.dx), `|dF/dx| ${norm(start.dx)} → ${norm(end.dx)}`);
  assert.ok(end.F < start.F);
});

Deno.test("on flatten + dense layers it runs the MLP PCNetwork's steps (update_p_at last and all)", () => {
  const layered = resolveNetwork({
    "input_shape": [1, 2, 3],
    activation: "tanh",
    layers: ["flatten", { dense: 5 }, { dense: 4 }, { dense: 3 }],
  });
  const mlp = resolveNetwork({ sizes: [6, 5, 4, 3], activation: "tanh" });
  const s = b.fromArray(S.slice(0, N * 6), N, 6), y = b.fromArray(Y, N, 3);
  for (const update of ["last", "all"]) {
    const config = pcConfig("pc", { T: 8, gamma: 0.3, decay: 0.5, update_p_at: update });
    const conv = new ConvPCNetwork({
      network: layered,
      config,
      optimizer: { name: "sgd", lr: 0.1 },
      backend: b,
      seed: 1,
    });
    const ref = new PCNetwork({
      network: mlp,
      config,
      optimizer: { name: "sgd", lr: 0.1 },
      backend: b,
      seed: 1,
    });
    const w = conv.exportWeights();
    ref.importWeights(Object.fromEntries(
      Object.entries(w).map(([k, v]) => [`${k[0]}${Number(k.slice(1)) + 1}`, v]),
    ));
    for (let i = 0; i < 3; i++) {
      const a = conv.step(s, y), r = ref.step(s, y);
      a.energies.forEach((e, t) =>
        assert.ok(Math.abs(e - r.energies[t]!) <= 1e-5 * r.energies[t]!)
      );
      assert.equal(a.decays, r.decays);
    }
    const after = ref.exportWeights();
    for (const [k, v] of Object.entries(conv.exportWeights())) {
      const want = after[`${k[0]}${Number(k.slice(1)) + 1}`]!.data;
      v.data.forEach((x, i) => assert.ok(Math.abs(x - want[i]!) < 1e-5, `${update} ${k}[${i}]`));
    }
  }
});

Deno.test("pc and pc-bp learners build the conv network from a config; repeat and l2 are exact", () => {
  const options = (rule: string, hyper: Record<string, unknown>) =>
    createLearner(rule, {
      network: SPEC,
      hyper,
      optimizer: { name: "sgd", lr: 0.05 },
      loss: { kind: "mse", half: true, reduction: "sum" },
      backend: b,
      seed: 0,
    });
  const s = b.fromArray(S, N, 72), y = b.fromArray(Y, N, 3);
  const pc = options("pc", { T: 8, diag_rows: 2 });
  const first = pc.trainBatch(s, y).loss;
  let last = first;
  for (let i = 0; i < 40; i++) last = pc.trainBatch(s, y).loss;
  assert.ok(last < 0.5 * first, `${first} → ${last}`);
  const d = pc.diagnostics(s, y);
  assert.ok("energy_t7" in d && Math.abs(d.target_alignment!) <= 1 && "prospective_index_3" in d);
  // repeat: k steps of one learner equal k single steps of another from the same weights.
  const r3 = options("pc-bp", { repeat: 3 }), r1 = options("pc-bp", {});
  r1.importWeights(r3.exportWeights());
  r3.trainBatch(s, y);
  for (let i = 0; i < 3; i++) r1.trainBatch(s, y);
  assert.deepEqual(r3.exportWeights(), r1.exportWeights());
  // l2: W ← W − η(g + λ₂W) with g the loss gradient.
  const l2 = options("pc-bp", { l2: 0.1 }), ref = make("bp");
  ref.importWeights(l2.exportWeights());
  const g = ref.relaxedGradients(s, y).dW[0]!;
  const w0 = ref.W[0]!;
  const want = b.axpy(-0.05, b.axpy(0.1, w0, g), w0);
  l2.trainBatch(s, y);
  assert.deepEqual(l2.exportWeights().W0!.data, Array.from(b.read(want)));
});

Deno.test("conv networks refuse pc-nudge, the whittington-bogacz variant, and MLPs refuse l2 and repeat", () => {
  const base = { optimizer: { name: "sgd" as const, lr: 0.1 }, backend: b, seed: 0 };
  assert.throws(() => createLearner("pc-nudge", { ...base, network: SPEC }), /network\.layers/);
  assert.throws(
    () => createLearner("pc", { ...base, network: SPEC, hyper: { variant: "whittington-bogacz" } }),
    /whittington-bogacz input settings/,
  );
  const mlp = resolveNetwork({ sizes: [4, 3, 2] });
  assert.throws(
    () => createLearner("pc", { ...base, network: mlp, hyper: { l2: 0.1 } }),
    /rule\.l2: got 0\.1/,
  );
  assert.throws(
    () => createLearner("pc-bp", { ...base, network: mlp, hyper: { repeat: 2 } }),
    /rule\.repeat: got 2/,
  );
});

Deno.test({
  name: "pc and pc-bp on a conv net: webgpu (its own image kernels) follows the js reference",
  ignore: Deno.env.get("PLASTICITY_SKIP_WEBGPU") === "1",
  fn: async () => {
    const gpu = await createWebgpuBackend();
    try {
      for (const rule of ["pc", "pc-bp"]) {
        const run = (bk: Backend) => {
          const l = createLearner(rule, {
            network: SPEC,
            hyper: rule === "pc" ? { T: 6 } : {},
            optimizer: { name: "adam", lr: 0.01 },
            loss: { kind: "mse", half: true, reduction: "sum" },
            backend: bk,
            seed: 4,
          });
          const s = bk.fromArray(S, N, 72), y = bk.fromArray(Y, N, 3);
          const losses = Array.from({ length: 4 }, () => l.trainBatch(s, y).loss);
          const out = { losses, w: l.exportWeights() };
          l.dispose();
          return out;
        };
        const j = run(b), k = run(gpu);
        j.losses.forEach((v, i) =>
          assert.ok(Math.abs(v - k.losses[i]!) <= 1e-4 * Math.max(1, v), `${rule} loss ${i}`)
        );
        for (const key of Object.keys(j.w)) {
          j.w[key]!.data.forEach((v, i) =>
            assert.ok(Math.abs(v - k.w[key]!.data[i]!) <= 1e-4, `${rule} ${key}[${i}]`)
          );
        }
      }
    } finally {
      gpu.close();
    }
  },
});
