// The conv net's backward pass against central finite differences of an independent float64
// forward pass written from the layer definitions, and the learner built from a config.
import { createWebgpuBackend } from "@plasticity/webgpu";
import assert from "node:assert/strict";
import {
  type Backend,
  createBlasBackend,
  createLearner,
  createRng,
  jsBackend as b,
  lossGrad,
  type LossSpec,
  type NetworkSpec,
  resolveNetwork,
  type Tensor,
} from "@plasticity/core";
import { ConvNet } from "./convnet.ts";
import { ConvNetLearner } from "./convnet_learner.ts";
import { Mlp } from "./mlp.ts";
import "./mod.ts";

type Img = { c: number; h: number; w: number };

/** Float64 convolution of N images straight from its definition (zero padding). */
function conv64(
  x: number[],
  N: number,
  s: Img,
  W: number[],
  bias: number[] | undefined,
  o: number,
  k: number,
  stride: number,
  p: number,
): [number[], Img] {
  const oh = Math.floor((s.h + 2 * p - k) / stride) + 1;
  const ow = Math.floor((s.w + 2 * p - k) / stride) + 1;
  const y: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < o; j++) {
      for (let u = 0; u < oh; u++) {
        for (let v = 0; v < ow; v++) {
          let acc = bias ? bias[j]! : 0;
          for (let i = 0; i < s.c; i++) {
            for (let a = 0; a < k; a++) {
              for (let c = 0; c < k; c++) {
                const yy = u * stride - p + a, xx = v * stride - p + c;
                if (yy < 0 || yy >= s.h || xx < 0 || xx >= s.w) continue;
                acc += W[((j * s.c + i) * k + a) * k + c]! *
                  x[((n * s.c + i) * s.h + yy) * s.w + xx]!;
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

/** Float64 max or average pooling. */
function pool64(
  x: number[],
  N: number,
  s: Img,
  size: number,
  stride: number,
  avg: boolean,
): [number[], Img] {
  const oh = Math.floor((s.h - size) / stride) + 1, ow = Math.floor((s.w - size) / stride) + 1;
  const y: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < s.c; i++) {
      for (let u = 0; u < oh; u++) {
        for (let v = 0; v < ow; v++) {
          const vals: number[] = [];
          for (let a = 0; a < size; a++) {
            for (let c = 0; c < size; c++) {
              vals.push(x[((n * s.c + i) * s.h + u * stride + a) * s.w + v * stride + c]!);
            }
          }
          y.push(avg ? vals.reduce((t, q) => t + q, 0) / vals.length : Math.max(...vals));
        }
      }
    }
  }
  return [y, { c: s.c, h: oh, w: ow }];
}

const ACT: Record<string, (v: number) => number> = {
  tanh: Math.tanh,
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  identity: (v) => v,
  leakyRelu: (v) => (v > 0 ? v : 0.01 * v),
  relu: (v) => Math.max(0, v),
};

/** The loss of the network of `spec` with float64 parameters W, bias on (x, t), in float64. */
function loss64(
  spec: NetworkSpec,
  W: number[][],
  bias: (number[] | undefined)[],
  x: number[],
  N: number,
  t: number[],
  loss: LossSpec,
): number {
  let h = x,
    shape: Img | number = {
      c: spec.input_shape![0]!,
      h: spec.input_shape![1]!,
      w: spec.input_shape![2]!,
    };
  let k = 0;
  const K = W.length;
  const act = (j: number) =>
    j === K - 1
      ? (spec.output_activation ?? "identity")
      : typeof spec.activation === "string"
      ? spec.activation
      : spec.activation[j]!;
  for (const l of spec.layers!) {
    if (l.type === "conv") {
      [h, shape] = conv64(h, N, shape as Img, W[k]!, bias[k], l.out, l.kernel, l.stride, l.padding);
      h = h.map(ACT[act(k++)]!);
    } else if (l.type === "pool") {
      [h, shape] = pool64(h, N, shape as Img, l.size, l.stride, l.kind === "avg");
    } else if (l.type === "flatten") {
      const s = shape as Img;
      shape = s.c * s.h * s.w;
    } else {
      const fin = shape as number, y: number[] = [];
      for (let n = 0; n < N; n++) {
        for (let j = 0; j < l.out; j++) {
          let acc = bias[k] ? bias[k]![j]! : 0;
          for (let i = 0; i < fin; i++) acc += h[n * fin + i]! * W[k]![i * l.out + j]!;
          y.push(acc);
        }
      }
      h = y.map(ACT[act(k++)]!);
      shape = l.out;
    }
  }
  const m = shape as number, d = loss.reduction === "mean" ? N : 1;
  let s = 0;
  if (loss.kind === "mse") {
    for (let i = 0; i < h.length; i++) s += (h[i]! - t[i]!) ** 2;
    return (loss.half ? 0.5 : 1) * s / d;
  }
  for (let r = 0; r < N; r++) {
    const row = h.slice(r * m, r * m + m), mx = Math.max(...row);
    const lse = mx + Math.log(row.reduce((acc, v) => acc + Math.exp(v - mx), 0));
    for (let j = 0; j < m; j++) s -= t[r * m + j]! * (row[j]! - lse);
  }
  return s / d;
}

const NETS: [string, unknown, LossSpec][] = [
  [
    "conv → max pool → strided conv → dense → dense, tanh, cross-entropy",
    {
      input_shape: [2, 6, 6],
      activation: "tanh",
      layers: [
        { conv: { out: 3, kernel: 3, padding: 1 } },
        { pool: { kind: "max", size: 2 } },
        { conv: { out: 4, kernel: 3, stride: 2, padding: 1 } },
        "flatten",
        { dense: 5 },
        { dense: 3 },
      ],
      init: { kind: "normal", std: 0.5 },
    },
    { kind: "ce", reduction: "mean" },
  ],
  [
    // The max pools after relu layers take the δ of their relu in the same pass.
    "conv → relu → max pool → conv → relu → max pool → dense (LeNet's pattern), cross-entropy",
    {
      input_shape: [1, 10, 10],
      activation: "relu",
      layers: [
        { conv: { out: 3, kernel: 3, padding: 1 } },
        { pool: { kind: "max", size: 2 } },
        { conv: { out: 4, kernel: 3 } },
        { pool: { kind: "max", size: 3 } },
        "flatten",
        { dense: 3 },
      ],
      init: { kind: "normal", std: 0.5 },
    },
    { kind: "ce", reduction: "mean" },
  ],
  [
    "overlapping avg pool, conv without bias, per-layer activations, sigmoid output, summed MSE",
    {
      input_shape: [1, 7, 6],
      activation: ["leakyRelu", "sigmoid"],
      output_activation: "sigmoid",
      layers: [
        { conv: { out: 2, kernel: 2, bias: false } },
        { pool: { kind: "avg", size: 3, stride: 2 } },
        "flatten",
        { dense: 4 },
        { dense: { out: 2, bias: false } },
      ],
      init: { kind: "normal", std: 0.7 },
    },
    { kind: "mse", half: false, reduction: "sum" },
  ],
];

for (const [name, given, loss] of NETS) {
  Deno.test(`conv net backprop equals finite differences: ${name}`, () => {
    const spec = resolveNetwork(given), rng = createRng(21), N = 3;
    const net = ConvNet.init(b, spec, rng);
    net.b = net.b.map((t) => t && b.random(1, t.cols, () => 0.3 * rng.normal()));
    const nIn = net.inputSize, nOut = net.outputSize;
    const x = Array.from({ length: N * nIn }, () => Math.fround(rng.normal()));
    const t = loss.kind === "ce"
      ? Array.from(
        { length: N * nOut },
        (_, i) => (i % nOut === Math.floor(i / nOut) % nOut ? 1 : 0),
      )
      : Array.from({ length: N * nOut }, () => Math.fround(rng.next()));
    const cache = net.forward(b.fromArray(x, N, nIn));
    const e = lossGrad(b, loss, cache.h[cache.h.length - 1]!, b.fromArray(t, N, nOut));
    const g = net.backward(cache, e);
    const W = net.W.map((w) => Array.from(b.read(w)));
    const bias = net.b.map((v) => (v ? Array.from(b.read(v)) : undefined));
    const f = () => loss64(spec, W, bias, x, N, t, loss);
    const h = 1e-6;
    const check = (p: number[], got: Tensor, what: string) => {
      const fd = p.map((_, i) => {
        const keep = p[i]!;
        p[i] = keep + h;
        const up = f();
        p[i] = keep - h;
        const dn = f();
        p[i] = keep;
        return (up - dn) / (2 * h);
      });
      const gv = b.read(got), scale = Math.max(...fd.map(Math.abs));
      assert.ok(scale > 0, `${what}: zero gradient`);
      fd.forEach((v, i) =>
        assert.ok(
          Math.abs(gv[i]! - v) <= 2e-4 * scale + 1e-9,
          `${what}[${i}]: got ${gv[i]}, finite differences ${v}`,
        )
      );
    };
    W.forEach((w, k) => check(w, g.dW[k]!, `W${k}`));
    bias.forEach((v, k) => {
      if (v) check(v, g.db[k]!, `b${k}`);
      else assert.equal(g.db[k], undefined);
    });
  });
}

const TINY = {
  "input_shape": [1, 6, 6],
  activation: "relu",
  layers: [
    { conv: { out: 4, kernel: 3, padding: 1 } },
    { pool: { kind: "max", size: 2 } },
    "flatten",
    { dense: 8 },
    { dense: 2 },
  ],
};

/** Two classes of 6×6 images: a bright left half or a bright right half, with noise. */
function halves(n: number, seed: number, bk: Backend = b): [Tensor, Tensor] {
  const rng = createRng(seed), x: number[] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const cls = i % 2;
    for (let p = 0; p < 36; p++) x.push(((p % 6 < 3) === (cls === 0) ? 1 : 0) + 0.3 * rng.normal());
    y.push(cls === 0 ? 1 : 0, cls === 1 ? 1 : 0);
  }
  return [bk.fromArray(x, n, 36), bk.fromArray(y, n, 2)];
}

Deno.test("backward of an older forward pass equals backward of a fresh one (kept unfoldings)", () => {
  // The net keeps each conv layer's unfolded input and each max pool's argmaxes from the latest
  // forward pass; a cache from an earlier pass must not use them.
  const net = ConvNet.init(b, resolveNetwork(TINY), createRng(5));
  const [x1, y1] = halves(4, 6), [x2] = halves(4, 7);
  const loss: LossSpec = { kind: "ce" };
  const grads = (cache: ReturnType<ConvNet["forward"]>) => {
    const out = cache.h[cache.h.length - 1]!;
    const g = net.backward(cache, lossGrad(b, loss, out, y1));
    return [...g.dW, ...g.db].map((t) => (t ? Array.from(b.read(t)) : []));
  };
  const old = net.forward(x1);
  net.forward(x2);
  const stale = grads(old), fresh = grads(net.forward(x1));
  assert.deepEqual(stale, fresh);
});

Deno.test("bp on a conv net from a config: learns, is deterministic, round-trips its weights", () => {
  const make = (seed: number, backend: Backend = b) =>
    createLearner("bp", {
      network: TINY as never,
      optimizer: { name: "sgd", lr: 0.1, momentum: 0.9 },
      loss: "ce",
      backend,
      seed,
    });
  const l = make(0);
  assert.ok(l instanceof ConvNetLearner);
  const [x, y] = halves(16, 1);
  const first = l.trainBatch(x, y).loss;
  for (let i = 0; i < 30; i++) l.trainBatch(x, y);
  const last = l.trainBatch(x, y).loss;
  assert.ok(last < 0.2 * first, `loss ${first} → ${last}`);
  // same seed, same weights; another seed, others
  const w = l.exportWeights();
  assert.deepEqual(Object.keys(w), ["W0", "W1", "W2", "b0", "b1", "b2"]);
  assert.deepEqual([w.W0!.rows, w.W0!.cols, w.W1!.rows, w.W1!.cols], [4, 9, 36, 8]);
  assert.notDeepEqual(make(1).exportWeights().W0, make(0).exportWeights().W0);
  assert.deepEqual(make(0).exportWeights(), make(0).exportWeights());
  const c = make(5);
  c.importWeights(w);
  assert.deepEqual(b.read(c.predict(x)), b.read(l.predict(x)));
  assert.throws(
    () => c.importWeights({ W0: { rows: 9, cols: 4, data: new Array(36).fill(0) } }),
    /importWeights: W0 has shape 9×4 with 36 values: expected 4×9/,
  );
  assert.throws(() => c.importWeights({ B0: w.W0! }), /unknown weight "B0": expected one of W0/);
  assert.throws(
    () => l.trainBatch(b.zeros(2, 35), b.zeros(2, 2)),
    /trainBatch: input x has shape 2×35: expected batch×36 \(1×6×6 images\)/,
  );
});

let blas: Backend | undefined;
try {
  blas = createBlasBackend();
} catch (e) {
  console.error(`convnet tests: skipping blas: ${(e as Error).message}`);
}

/** Ten steps of bp on a conv net on `other` follow the js reference within 1e-4. */
function followsJs(other: Backend): void {
  const run = (bk: Backend) => {
    const l = createLearner("bp", {
      network: TINY as never,
      optimizer: { name: "adam", lr: 0.01 },
      loss: "ce",
      backend: bk,
      seed: 3,
    });
    const [x, y] = halves(8, 2, bk);
    const losses = Array.from({ length: 10 }, () => l.trainBatch(x, y).loss);
    return { losses, w: l.exportWeights() };
  };
  const j = run(b), k = run(other);
  j.losses.forEach((v, i) => assert.ok(Math.abs(v - k.losses[i]!) <= 1e-4 * Math.max(1, v)));
  for (const key of Object.keys(j.w)) {
    j.w[key]!.data.forEach((v, i) =>
      assert.ok(Math.abs(v - k.w[key]!.data[i]!) <= 1e-4, `${key}[${i}]`)
    );
  }
}

Deno.test({
  name: "bp on a conv net: blas follows the js reference over ten steps",
  ignore: blas === undefined,
  fn: () => followsJs(blas!),
});

Deno.test({
  name: "bp on a conv net: webgpu (its own image kernels) follows the js reference over ten steps",
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

Deno.test("rules without layers refuse a conv net; Mlp refuses one too", () => {
  assert.throws(
    () => ConvNet.init(b, resolveNetwork({ sizes: [3, 1] }), createRng(0)),
    /^Error: ConvNet: network\.layers is missing/,
  );
  assert.throws(
    () => Mlp.init(b, resolveNetwork(TINY), createRng(0)),
    /^Error: Mlp: network\.layers is set: expected a multilayer perceptron of network\.sizes/,
  );
});

Deno.test("optimizer.l2 adds λ₂·p to every gradient: W and b of conv and dense layers", () => {
  // One step from the same start with and without l2 (momentum 0.9: its first velocity is the
  // penalised gradient itself): the parameters differ by exactly −η·λ₂·p₀.
  const make = (l2?: number) =>
    createLearner("bp", {
      network: TINY as never,
      optimizer: { name: "sgd", lr: 0.1, momentum: 0.9, ...(l2 === undefined ? {} : { l2 }) },
      loss: "ce",
      backend: b,
      seed: 3,
    });
  const plain = make(), pen = make(0.2), start = plain.exportWeights();
  // Non-zero biases, so that their penalty shows.
  const biased = Object.fromEntries(
    Object.entries(start).map((
      [k, v],
    ) => [k, k.startsWith("b") ? { ...v, data: v.data.map((_, i) => 0.1 * (i + 1)) } : v]),
  );
  plain.importWeights(biased);
  pen.importWeights(biased);
  const [x, y] = halves(8, 2);
  plain.trainBatch(x, y);
  pen.trainBatch(x, y);
  const a = plain.exportWeights(), c = pen.exportWeights();
  for (const k of Object.keys(a)) {
    const p0 = biased[k]!.data, want = Array.from(a[k]!.data, (v, i) => v - 0.1 * 0.2 * p0[i]!);
    c[k]!.data.forEach((v, i) => {
      assert.ok(
        Math.abs(v - want[i]!) <= 1e-6 * Math.max(1, Math.abs(want[i]!)),
        `${k}[${i}]: ${v} vs ${want[i]}`,
      );
    });
  }
});
