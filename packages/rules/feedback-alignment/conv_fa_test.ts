// The feedback-alignment family on conv nets against theory: FA with B = W is backpropagation
// bit for bit, uSF is FA with B = s·sign(W), Kolen–Pollack's W − B decays as (1 − λ)ᵗ, the
// sign-symmetry feedback stays within 90° of W, DFA's signals match their definition written out
// as loops, and every rule lowers the loss.
import { createWebgpuBackend } from "@plasticity/webgpu";
import assert from "node:assert/strict";
import {
  type Backend,
  createBlasBackend,
  createLearner,
  createRng,
  jsBackend as b,
  type Learner,
  lossGrad,
  type Tensor,
  type WeightArray,
} from "@plasticity/core";
import { ConvNetLearner } from "@plasticity/backprop";
import { ConvFeedbackLearner } from "./conv_learner.ts";
import "./mod.ts";

/** conv (padding, stride) → max pool → conv → avg pool → flatten → dense → dense. */
const NET = {
  "input_shape": [2, 9, 9],
  activation: "relu",
  layers: [
    { conv: { out: 3, kernel: 3, padding: 1 } },
    { pool: { kind: "max", size: 2 } },
    { conv: { out: 4, kernel: 2, stride: 1 } },
    { pool: { kind: "avg", size: 3 } },
    "flatten",
    { dense: 5 },
    { dense: 3 },
  ],
};

/** Weight layers of NET: [rows, cols, fanIn, fanOut] of each Wₖ. */
const SHAPES = [[3, 18, 18, 27], [4, 12, 12, 16], [4, 5, 4, 5], [5, 3, 5, 3]];

function batch(n: number, seed: number, bk: Backend = b): [Tensor, Tensor] {
  const rng = createRng(seed), d = 2 * 9 * 9;
  const x = Array.from({ length: n * d }, () => rng.normal());
  const y = new Array(n * 3).fill(0);
  for (let i = 0; i < n; i++) y[i * 3 + (i % 3)] = 1;
  return [bk.fromArray(x, n, d), bk.fromArray(y, n, 3)];
}

function make(
  rule: string,
  optimizer: Record<string, unknown>,
  hyper: Record<string, unknown> = {},
  seed = 0,
): Learner {
  return createLearner(rule, {
    network: NET as never,
    hyper,
    optimizer: optimizer as never,
    loss: "ce",
    backend: b,
    seed,
  } as never);
}

const pick = (w: Record<string, WeightArray>, re: RegExp) =>
  Object.fromEntries(Object.entries(w).filter(([k]) => re.test(k)));

const OPTIMIZERS = [
  { name: "sgd", lr: 0.05, momentum: 0.9, weight_decay: 1e-3 },
  { name: "sgd", lr: 0.05 },
  { name: "adam", lr: 0.01 },
];

for (const opt of OPTIMIZERS) {
  Deno.test(`conv fa with B = W is backprop bit for bit (${JSON.stringify(opt)})`, () => {
    const bp = make("bp", opt), fa = make("fa", opt);
    assert.ok(bp instanceof ConvNetLearner && fa instanceof ConvFeedbackLearner);
    const W = pick(fa.exportWeights(), /^W/);
    assert.deepEqual(W, pick(bp.exportWeights(), /^W/), "same seed, same forward weights");
    // B ← W, then five steps on different batches; B stays fixed, W moves, so only the first
    // step has B = W exactly: compare one step at a time, resetting B to the current W.
    for (let t = 0; t < 5; t++) {
      const cur = pick(fa.exportWeights(), /^W/);
      fa.importWeights(
        Object.fromEntries(Object.entries(cur).map(([k, v]) => [`B${k.slice(1)}`, v])),
      );
      const [x, y] = batch(6, 10 + t);
      assert.equal(fa.trainBatch(x, y).loss, bp.trainBatch(x, y).loss);
      assert.deepEqual(pick(fa.exportWeights(), /^[Wb]/), bp.exportWeights(), `step ${t}`);
    }
  });
}

Deno.test("conv fa with interpolate_bp = 1 is backprop bit for bit over several steps", () => {
  const opt = OPTIMIZERS[0]!;
  const bp = make("bp", opt), fa = make("fa", opt, { interpolate_bp: 1 });
  for (let t = 0; t < 4; t++) {
    const [x, y] = batch(5, 20 + t);
    fa.trainBatch(x, y);
    bp.trainBatch(x, y);
  }
  assert.deepEqual(pick(fa.exportWeights(), /^[Wb]/), bp.exportWeights());
});

Deno.test("conv fa: B has each W's shape, is fixed, and differs from W", () => {
  const fa = make("fa", OPTIMIZERS[0]!);
  const w0 = fa.exportWeights();
  SHAPES.forEach(([r, c], k) => {
    assert.equal(w0[`B${k}`]!.rows, r);
    assert.equal(w0[`B${k}`]!.cols, c);
  });
  const [x, y] = batch(6, 1);
  for (let t = 0; t < 3; t++) fa.trainBatch(x, y);
  const w1 = fa.exportWeights();
  for (let k = 0; k < 4; k++) {
    assert.deepEqual(w1[`B${k}`], w0[`B${k}`]);
    assert.notDeepEqual(w1[`W${k}`], w0[`W${k}`]);
  }
});

Deno.test("conv fa: B drawn with the conv kernel's fans (xavier bound √(6/(fan-in + fan-out)))", () => {
  const fa = createLearner("fa", {
    network: { ...NET, init: { kind: "xavierUniform" } } as never,
    hyper: { feedback_init: "xavierUniform", feedback_scale: 1 },
    loss: "ce",
    backend: b,
    seed: 4,
  } as never);
  const w = fa.exportWeights();
  SHAPES.forEach(([_, __, fi, fo], k) => {
    const bound = Math.sqrt(6 / (fi! + fo!));
    const B = w[`B${k}`]!.data, max = Math.max(...B.map(Math.abs));
    assert.ok(max <= bound && max > 0.7 * bound, `B${k}: max |B| ${max}, bound ${bound}`);
  });
});

Deno.test("conv kp: W − B decays as (1 − λ)ᵗ under momentum", () => {
  const lambda = 0.05;
  const kp = make("kp", { name: "sgd", lr: 0.05, momentum: 0.9, weight_decay: lambda });
  const w0 = kp.exportWeights();
  const T = 6;
  for (let t = 0; t < T; t++) kp.trainBatch(...batch(6, 30 + t));
  const w = kp.exportWeights(), f = (1 - lambda) ** T;
  for (let k = 0; k < 4; k++) {
    const W0 = w0[`W${k}`]!.data, B0 = w0[`B${k}`]!.data, Wt = w[`W${k}`]!.data;
    const Bt = w[`B${k}`]!.data;
    assert.notDeepEqual(Wt, W0);
    W0.forEach((_, i) => {
      const want = f * (W0[i]! - B0[i]!), got = Wt[i]! - Bt[i]!;
      assert.ok(
        Math.abs(got - want) <= 1e-5 * (1 + Math.abs(want)),
        `W${k}[${i}] ${got} vs ${want}`,
      );
    });
  }
  // documented decay only on conv nets
  assert.throws(
    () => make("kp", OPTIMIZERS[0]!, { decay: "bioflax-compat" }),
    /rule\.decay: "bioflax-compat" is for the bioflax MLPs: expected "documented" with network\.layers/,
  );
});

Deno.test("conv usf: B = √(2/(fan-in + fan-out))·sign(W), and its step is FA's with that B", () => {
  const opt = OPTIMIZERS[0]!;
  const usf = make("usf", opt, { scale_by_fan: true }) as ConvFeedbackLearner;
  const fa = make("fa", opt);
  for (let t = 0; t < 3; t++) {
    const B: Record<string, WeightArray> = {};
    SHAPES.forEach(([r, c, fi, fo], k) => {
      const W = b.read(usf.net.W[k]!), Bk = b.read(usf.path.standIn!(k)!);
      const s = Math.fround(Math.sqrt(2 / (fi! + fo!)));
      W.forEach((v, i) => assert.equal(Bk[i], Math.sign(v) * s));
      B[`B${k}`] = { rows: r!, cols: c!, data: Array.from(Bk) };
    });
    fa.importWeights(B);
    const [x, y] = batch(6, 40 + t);
    fa.trainBatch(x, y);
    usf.trainBatch(x, y);
    assert.deepEqual(usf.exportWeights(), pick(fa.exportWeights(), /^[Wb]/), `step ${t}`);
  }
});

for (const kind of ["usf", "frsf", "brsf"]) {
  Deno.test(`conv ${kind}: ∠(W, B) < 90° in every layer, before and after training`, () => {
    const l = make(kind, OPTIMIZERS[0]!);
    const check = () => {
      const d = l.diagnostics();
      for (let k = 0; k < 4; k++) assert.ok(d[`angle_W_BT_${k}`]! < 90, `${kind} layer ${k}`);
    };
    check();
    for (let t = 0; t < 4; t++) l.trainBatch(...batch(6, 50 + t));
    check();
  });
}

Deno.test("conv brsf is seed-deterministic; watching its magnitudes does not change training", () => {
  const watched = make("brsf", OPTIMIZERS[0]!), unwatched = make("brsf", OPTIMIZERS[0]!);
  for (let t = 0; t < 4; t++) {
    const [x, y] = batch(6, 70 + t);
    watched.exportWeights();
    watched.diagnostics(x, y);
    watched.trainBatch(x, y);
    unwatched.trainBatch(x, y);
  }
  // M0 (the first layer's, never needed by the backward pass) is drawn here on export.
  assert.deepEqual(watched.exportWeights(), unwatched.exportWeights());
  // Each magnitude is |R| for R from feedback_init (lecunNormal: σ/0.8796 · z, |z| ≤ 2).
  const M = pick(unwatched.exportWeights(), /^M/);
  SHAPES.forEach(([, , fanIn], k) => {
    const max = 2 * Math.sqrt(1 / fanIn!) / 0.87962566103423978;
    assert.ok(M[`M${k}`]!.data.every((m) => m >= 0 && m <= max * (1 + 1e-6)), `M${k}`);
  });
});

Deno.test("conv frsf keeps its magnitudes; brsf redraws them after every step; |B| = M", () => {
  const fr = make("frsf", OPTIMIZERS[0]!) as ConvFeedbackLearner;
  const br = make("brsf", OPTIMIZERS[0]!) as ConvFeedbackLearner;
  const M0f = pick(fr.exportWeights(), /^M/), M0b = pick(br.exportWeights(), /^M/);
  assert.deepEqual(Object.keys(M0f), ["M0", "M1", "M2", "M3"]);
  let prev = M0b;
  for (let t = 0; t < 3; t++) {
    const [x, y] = batch(6, 60 + t);
    fr.trainBatch(x, y);
    br.trainBatch(x, y);
    assert.deepEqual(pick(fr.exportWeights(), /^M/), M0f);
    const cur = pick(br.exportWeights(), /^M/);
    for (let k = 0; k < 4; k++) assert.notDeepEqual(cur[`M${k}`], prev[`M${k}`]);
    prev = cur;
  }
  for (const l of [fr, br]) {
    const M = pick(l.exportWeights(), /^M/);
    for (let k = 0; k < 4; k++) {
      const W = b.read(l.net.W[k]!), B = b.read(l.path.standIn!(k)!);
      W.forEach((v, i) => assert.equal(B[i], Math.sign(v) * M[`M${k}`]!.data[i]!));
      assert.ok(M[`M${k}`]!.data.every((m) => m >= 0));
    }
  }
});

/** A net for DFA written out by hand: conv → relu → conv (padding 1) → relu → dense → 3 logits. */
const DFA_NET = {
  "input_shape": [1, 4, 4],
  activation: "relu",
  layers: [
    { conv: { out: 2, kernel: 2 } },
    { conv: { out: 2, kernel: 2, padding: 1 } },
    "flatten",
    { dense: 3 },
  ],
};

Deno.test("conv dfa: the signals are e·B spread by each layer's geometry (loops from the definition)", () => {
  const l = createLearner("dfa", {
    network: DFA_NET as never,
    optimizer: { name: "sgd", lr: 0.1 },
    loss: "ce",
    backend: b,
    seed: 2,
  } as never) as ConvFeedbackLearner;
  const w = l.exportWeights();
  // B0: 3 × (2·2·2) kernel for the second conv, B1: 32 × 3 for the dense layer, nothing else.
  assert.deepEqual([w.B0!.rows, w.B0!.cols, w.B1!.rows, w.B1!.cols, "B2" in w], [
    3,
    8,
    32,
    3,
    false,
  ]);
  const rng = createRng(7), N = 2;
  const x = b.fromArray(Array.from({ length: N * 16 }, () => rng.normal()), N, 16);
  const y = b.fromArray([1, 0, 0, 0, 0, 1], N, 3);
  const cache = l.net.forward(x);
  const out = cache.h[cache.h.length - 1]!;
  const e = b.read(lossGrad(b, l.loss, out, y));
  const g = l.path.grads(cache, lossGrad(b, l.loss, out, y));
  const bp = l.net.backward(cache, lossGrad(b, l.loss, out, y));
  const a0 = b.read(cache.a[0]!), a1 = b.read(cache.a[1]!);
  const B0 = w.B0!.data, B1 = w.B1!.data;
  const d0 = b.read(g.delta[0]!), d1 = b.read(g.delta[1]!), d2 = b.read(g.delta[2]!);
  const close = (u: number, v: number, what: string) =>
    assert.ok(Math.abs(u - v) <= 1e-5 * (1 + Math.abs(v)), `${what}: ${u} vs ${v}`);
  for (let n = 0; n < N; n++) {
    // output layer: δ₂ = e, its update is backprop's
    for (let o = 0; o < 3; o++) close(d2[n * 3 + o]!, e[n * 3 + o]!, "δ2");
    // dense layer's input (the second conv's 2×4×4 output): g = e B1ᵀ, δ₁ = relu'(a₁) ⊙ g
    for (let i = 0; i < 32; i++) {
      let s = 0;
      for (let o = 0; o < 3; o++) s += e[n * 3 + o]! * B1[i * 3 + o]!;
      close(d1[n * 32 + i]!, a1[n * 32 + i]! > 0 ? s : 0, `δ1[${n},${i}]`);
    }
    // second conv's input (2×3×3): every output position (4×4, padding 1) adds e[o]·B0[o, c, ky, kx]
    // to the input pixel under kernel tap (ky, kx).
    const gIn = new Array(18).fill(0);
    for (let o = 0; o < 3; o++) {
      for (let oy = 0; oy < 4; oy++) {
        for (let ox = 0; ox < 4; ox++) {
          for (let c = 0; c < 2; c++) {
            for (let ky = 0; ky < 2; ky++) {
              for (let kx = 0; kx < 2; kx++) {
                const yy = oy - 1 + ky, xx = ox - 1 + kx;
                if (yy < 0 || yy >= 3 || xx < 0 || xx >= 3) continue;
                gIn[(c * 3 + yy) * 3 + xx] += e[n * 3 + o]! * B0[((o * 2 + c) * 2 + ky) * 2 + kx]!;
              }
            }
          }
        }
      }
    }
    for (let i = 0; i < 18; i++) {
      close(d0[n * 18 + i]!, a0[n * 18 + i]! > 0 ? gIn[i]! : 0, `δ0[${n},${i}]`);
    }
  }
  assert.deepEqual(b.read(g.dW[2]!), b.read(bp.dW[2]!));
  assert.deepEqual(b.read(g.db[2]!), b.read(bp.db[2]!));
});

/** A tiny conv net and three classes of 6×6 images: a class template plus noise. */
const TINY = {
  "input_shape": [1, 6, 6],
  activation: "relu",
  layers: [
    { conv: { out: 4, kernel: 3 } },
    { pool: { kind: "max", size: 2 } },
    { conv: { out: 4, kernel: 2 } },
    "flatten",
    { dense: 8 },
    { dense: 3 },
  ],
};

function patterns(n: number, seed: number): [Tensor, Tensor] {
  const rng = createRng(seed), x: number[] = [], y = new Array(n * 3).fill(0);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    y[i * 3 + c] = 1;
    for (let p = 0; p < 36; p++) {
      const row = Math.floor(p / 6), col = p % 6;
      const on = c === 0 ? row < 2 : c === 1 ? col < 2 : row === col;
      x.push((on ? 1 : 0) + 0.3 * rng.normal());
    }
  }
  return [b.fromArray(x, n, 36), b.fromArray(y, n, 3)];
}

for (const rule of ["fa", "kp", "dfa", "usf", "frsf", "brsf"]) {
  Deno.test(`conv ${rule} lowers the loss on a tiny conv net`, () => {
    const l = createLearner(rule, {
      network: TINY as never,
      optimizer: { name: "sgd", lr: 0.01, momentum: 0.9 },
      loss: "ce",
      backend: b,
      seed: 1,
    } as never);
    const [x, y] = patterns(12, 3);
    const first = l.trainBatch(x, y).loss;
    for (let t = 0; t < 150; t++) l.trainBatch(x, y);
    const last = l.trainBatch(x, y).loss;
    assert.ok(last < 0.8 * first, `${rule}: loss ${first} → ${last}`);
    // every rule of the family updates the output layer as backprop does
    const d = l.diagnostics(x, y);
    assert.ok(
      d.angle_grad_3! < 1e-3 && Math.abs(d.norm_ratio_3! - 1) < 1e-6,
      `${rule}: ${d.angle_grad_3}`,
    );
  });
}

Deno.test("conv feedback learners round-trip their weights and refuse unknown ones", () => {
  for (const rule of ["fa", "dfa", "frsf"]) {
    const l = make(rule, OPTIMIZERS[0]!, {}, 3);
    l.trainBatch(...batch(4, 70));
    const w = l.exportWeights(), c = make(rule, OPTIMIZERS[0]!, {}, 9);
    c.importWeights(w);
    assert.deepEqual(c.exportWeights(), w);
    const [x] = batch(3, 71);
    assert.deepEqual(b.read(c.predict(x)), b.read(l.predict(x)));
    assert.throws(() => c.importWeights({ Q0: w.W0! }), /unknown weight "Q0": expected one of W0/);
    assert.throws(
      () => c.importWeights({ W0: { rows: 1, cols: 2, data: [0, 0] } }),
      /importWeights: W0 has shape 1×2 with 2 values: expected 3×18/,
    );
  }
});

let blas: Backend | undefined;
try {
  blas = createBlasBackend();
} catch (e) {
  console.error(`conv feedback tests: skipping blas: ${(e as Error).message}`);
}

/** Five steps of conv fa, dfa and brsf on `other` follow the js reference within 1e-4. */
function followsJs(other: Backend): void {
  for (const rule of ["fa", "dfa", "brsf"]) {
    const run = (bk: Backend) => {
      const l = createLearner(rule, {
        network: NET as never,
        optimizer: { name: "sgd", lr: 0.05, momentum: 0.9 },
        loss: "ce",
        backend: bk,
        seed: 5,
      } as never);
      const losses = Array.from(
        { length: 5 },
        (_, t) => l.trainBatch(...batch(6, 80 + t, bk)).loss,
      );
      return { losses, w: l.exportWeights() };
    };
    const j = run(b), k = run(other);
    j.losses.forEach((v, i) => assert.ok(Math.abs(v - k.losses[i]!) <= 1e-4 * Math.max(1, v)));
    for (const key of Object.keys(j.w)) {
      j.w[key]!.data.forEach((v, i) =>
        assert.ok(Math.abs(v - k.w[key]!.data[i]!) <= 1e-4, `${rule} ${key}[${i}]`)
      );
    }
  }
}

Deno.test({
  name: "conv fa, dfa and brsf: blas follows the js reference over five steps",
  ignore: blas === undefined,
  fn: () => followsJs(blas!),
});

Deno.test({
  name:
    "conv fa, dfa and brsf: webgpu (its own image kernels) follows the js reference over five steps",
  ignore: Deno.env.get("PLASTICITY_SKIP_WEBGPU") === "1",
  fn: async () => {
    const gpu = await createWebgpuBackend();
    try {
      followsJs(gpu);
    } finally {
      gpu.close();
    }
  },
});
