// Conv EP against theory: Φ as the paper writes it (loops over pixels, in float64), the neuron and
// parameter gradients of Φ against central differences of that Φ, and the EP theorem: the
// symmetric estimate tends to the gradient of the loss at the free fixed point (central
// differences of the loss, the free phase re-run after each perturbation) with an O(β²) bias, the
// one-sided one with an O(β) bias. Then blas against js, determinism and the errors.
import assert from "node:assert/strict";
import {
  type Backend,
  createBlasBackend,
  createLearner,
  createRng,
  jsBackend as b,
  type Learner,
  type NetworkSpec,
  resolveNetwork,
  type Rng,
  type Tensor,
  type WeightArray,
} from "@plasticity/core";
import { assertBackendsAgree, assertNoTensorLeaks, type Batch } from "@plasticity/core/testing";
import { createWebgpuBackend } from "@plasticity/webgpu";
import { createConvEp } from "./mod.ts";
import "./mod.ts";
import { phiBlocks, phiParamGrad, phiStateGrad, phiValue } from "./_conv_phi.ts";

// ---------------------------------------------------------------------------------------------
// Φ written out from its definition, in float64.

/** An image batch row: c × h × w values, channel-major. */
interface Img {
  c: number;
  h: number;
  w: number;
  v: number[];
}

/** conv(W, x) + b by its definition: W[o, (ci·k + ky)·k + kx] (PyTorch's weight.view(o, −1)). */
function convLoops(
  x: Img,
  W: WeightArray,
  b: WeightArray | undefined,
  out: number,
  k: number,
  s: number,
  p: number,
): Img {
  const oh = Math.floor((x.h + 2 * p - k) / s) + 1, ow = Math.floor((x.w + 2 * p - k) / s) + 1;
  const v: number[] = [];
  for (let o = 0; o < out; o++) {
    for (let u = 0; u < oh; u++) {
      for (let t = 0; t < ow; t++) {
        let sum = b ? b.data[o]! : 0;
        for (let ci = 0; ci < x.c; ci++) {
          for (let ky = 0; ky < k; ky++) {
            for (let kx = 0; kx < k; kx++) {
              const r = u * s - p + ky, c = t * s - p + kx;
              if (r < 0 || c < 0 || r >= x.h || c >= x.w) continue;
              sum += W.data[o * W.cols + (ci * k + ky) * k + kx]! * x.v[(ci * x.h + r) * x.w + c]!;
            }
          }
        }
        v.push(sum);
      }
    }
  }
  return { c: out, h: oh, w: ow, v };
}

/** Max or mean over each window. */
function poolLoops(x: Img, avg: boolean, size: number, stride: number): Img {
  const oh = Math.floor((x.h - size) / stride) + 1, ow = Math.floor((x.w - size) / stride) + 1;
  const v: number[] = [];
  for (let ci = 0; ci < x.c; ci++) {
    for (let u = 0; u < oh; u++) {
      for (let t = 0; t < ow; t++) {
        let acc = avg ? 0 : -Infinity;
        for (let a = 0; a < size; a++) {
          for (let c = 0; c < size; c++) {
            const val = x.v[(ci * x.h + u * stride + a) * x.w + t * stride + c]!;
            acc = avg ? acc + val / (size * size) : Math.max(acc, val);
          }
        }
        v.push(acc);
      }
    }
  }
  return { c: x.c, h: oh, w: ow, v };
}

/**
 * Φ = Σ_conv ⟨s_{l+1}, P(conv(W_l, s_l) + b_l)⟩ + Σ_dense ⟨s_{l+1}, s_l W_l + b_l⟩ for every row
 * of the batch, summed: `x` the inputs and `s[l][n]` row n of neuron layer l + 1, from the layer
 * list directly.
 */
function phiLoops(
  network: NetworkSpec,
  w: Record<string, WeightArray>,
  x: number[][],
  s: number[][][],
): number {
  const layers = network.layers!, [c0, h0, w0] = network.input_shape!;
  let phi = 0;
  x.forEach((xn, n) => {
    let input: Img = { c: c0!, h: h0!, w: w0!, v: xn }, k = 0;
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i]!;
      if (l.type !== "conv" && l.type !== "dense") continue;
      let drive: number[];
      if (l.type === "conv") {
        let a = convLoops(input, w[`W${k}`]!, w[`b${k}`], l.out, l.kernel, l.stride, l.padding);
        const next = layers[i + 1];
        if (next?.type === "pool") a = poolLoops(a, next.kind === "avg", next.size, next.stride);
        drive = a.v;
        input = { ...a, v: s[k]![n]! };
      } else {
        const W = w[`W${k}`]!, bias = w[`b${k}`];
        drive = Array.from({ length: l.out }, (_, j) => {
          let z = bias ? bias.data[j]! : 0;
          input.v.forEach((v, r) => (z += v * W.data[r * W.cols + j]!));
          return z;
        });
        input = { c: l.out, h: 1, w: 1, v: s[k]![n]! };
      }
      drive.forEach((d, j) => (phi += d * s[k]![n]![j]!));
      k++;
    }
  });
  return phi;
}

// ---------------------------------------------------------------------------------------------
// Helpers.

const uniform = (rng: Rng, n: number, lo: number, hi: number) =>
  Array.from({ length: n }, () => lo + (hi - lo) * rng.next());

const rowsOf = (data: ArrayLike<number>, rows: number): number[][] => {
  const cols = data.length / rows;
  return Array.from({ length: rows }, (_, n) => Array.from(data).slice(n * cols, (n + 1) * cols));
};

/** Weights W_k ~ U(±scale), biases U(lo, hi), with the learner's shapes. */
function weightsLike(
  shapes: Record<string, WeightArray>,
  rng: Rng,
  scale: number,
  [lo, hi]: [number, number],
): Record<string, WeightArray> {
  const out: Record<string, WeightArray> = {};
  for (const k of Object.keys(shapes).sort()) {
    const { rows, cols } = shapes[k]!;
    const data = k.startsWith("W")
      ? uniform(rng, rows * cols, -scale, scale)
      : uniform(rng, rows * cols, lo, hi);
    out[k] = { rows, cols, data };
  }
  return out;
}

/** 2×7×7 → conv 3×3 pad 1 → overlapping max pool 3/2 → conv 2×2 → conv 1×1 → mean pool → 5 → 3. */
const MIXED = resolveNetwork({
  "input_shape": [2, 7, 7],
  activation: "hardSigmoid",
  layers: [
    { conv: { out: 3, kernel: 3, padding: 1 } },
    { pool: { kind: "max", size: 3, stride: 2 } },
    { conv: { out: 2, kernel: 2 } },
    { conv: { out: 4, kernel: 1 } },
    { pool: { kind: "avg", size: 2 } },
    "flatten",
    { dense: 5 },
    { dense: { out: 3, bias: false } },
  ],
});

function learner(
  network: NetworkSpec,
  hyper: Record<string, unknown>,
  seed = 0,
  backend: Backend = b,
): Learner {
  return createLearner("conv-ep", {
    network,
    hyper,
    optimizer: { name: "sgd", lr: 1 },
    backend,
    seed,
  });
}

/** Tensors of the learner's parameters, for the Φ functions. */
function phiNet(network: NetworkSpec, w: Record<string, WeightArray>) {
  const blocks = phiBlocks(network, "conv-ep");
  const W = blocks.map((_, k) => b.fromArray(w[`W${k}`]!.data, w[`W${k}`]!.rows, w[`W${k}`]!.cols));
  const bias = blocks.map((_, k) => {
    const t = w[`b${k}`];
    return t ? b.fromArray(t.data, t.rows, t.cols) : undefined;
  });
  return { blocks, W, b: bias };
}

// ---------------------------------------------------------------------------------------------
// Φ and its gradients.

Deno.test("conv-ep: Φ is Σ s_{l+1}·P(conv(W_l, s_l)) + Σ s_{l+1}ᵀW_l s_l, written out as loops (max, mean and no pooling, padding, stride)", () => {
  const rng = createRng(1), m = 2;
  const shapes = learner(MIXED, {}).exportWeights();
  const w = weightsLike(shapes, rng, 0.5, [-0.3, 0.3]);
  const net = phiNet(MIXED, w);
  assert.deepEqual(net.blocks.map((k) => k.units), [27, 8, 4, 5, 3]);
  const x = uniform(rng, m * 98, 0, 1);
  const s = net.blocks.map((k) => uniform(rng, m * k.units, 0, 1));
  const got = phiValue(
    b,
    net,
    b.fromArray(x, m, 98),
    s.map((v) => b.fromArray(v, m, v.length / m)),
  );
  const want = phiLoops(MIXED, w, rowsOf(x, m), s.map((v) => rowsOf(v, m)));
  assert.ok(Math.abs(got - want) < 1e-5 * Math.abs(want), `Φ ${got} vs loops ${want}`);
});

Deno.test("conv-ep: ∂Φ/∂s and ∂Φ/∂θ match central differences of the loop-written Φ", () => {
  const rng = createRng(2), m = 2;
  const shapes = learner(MIXED, {}).exportWeights();
  const w = weightsLike(shapes, rng, 0.5, [-0.3, 0.3]);
  const net = phiNet(MIXED, w);
  const x = uniform(rng, m * 98, 0, 1), xs = rowsOf(x, m), xt = b.fromArray(x, m, 98);
  const s = net.blocks.map((k) => uniform(rng, m * k.units, 0, 1));
  const st = s.map((v) => b.fromArray(v, m, v.length / m));
  const h = 1e-6;
  // Neurons: every unit of every layer and row.
  const gs = phiStateGrad(b, net, xt, st).map((t) => b.read(t));
  s.forEach((v, l) => {
    v.forEach((_, i) => {
      const at = (d: number) =>
        phiLoops(
          MIXED,
          w,
          xs,
          s.map((u, k) => rowsOf(k === l ? u.map((e, j) => j === i ? e + d : e) : u, m)),
        );
      const fd = (at(h) - at(-h)) / (2 * h);
      assert.ok(Math.abs(fd - gs[l]![i]!) < 1e-4, `∂Φ/∂s_${l + 1}[${i}]: ${gs[l]![i]} vs ${fd}`);
    });
  });
  // Parameters: every weight and bias (the parameter gradient is summed over the batch).
  const gp = phiParamGrad(b, net, xt, st);
  const ss = s.map((v) => rowsOf(v, m));
  let checked = 0;
  for (const key of Object.keys(w)) {
    const k = Number(key.slice(1)), g = b.read(key[0] === "W" ? gp.dW[k]! : gp.db[k]!);
    w[key]!.data.forEach((_, i) => {
      const at = (d: number) => {
        const p = structuredClone(w);
        p[key]!.data[i]! += d;
        return phiLoops(MIXED, p, xs, ss);
      };
      const fd = (at(h) - at(-h)) / (2 * h);
      assert.ok(Math.abs(fd - g[i]!) < 1e-4, `∂Φ/∂${key}[${i}]: ${g[i]} vs ${fd}`);
      checked++;
    });
  }
  assert.equal(checked, 54 + 3 + 24 + 2 + 8 + 4 + 20 + 5 + 15);
  assert.equal(gp.db[4], undefined);
});

// ---------------------------------------------------------------------------------------------
// The EP theorem.

/** 1×6×6 → conv 3×3 pad 1 (2) → pool 2 → conv 2×2 pad 1 (3) → pool 2 → flatten → dense 3. */
function theoremNet(kind: "max" | "avg"): NetworkSpec {
  return resolveNetwork({
    "input_shape": [1, 6, 6],
    activation: "hardSigmoid",
    "output_activation": "hardSigmoid",
    layers: [
      { conv: { out: 2, kernel: 3, padding: 1 } },
      { pool: { kind, size: 2 } },
      { conv: { out: 3, kernel: 2, padding: 1 } },
      { pool: { kind, size: 2 } },
      "flatten",
      { dense: 3 },
    ],
  });
}

/**
 * The relative error ‖Δθ + ∇L‖ / ‖∇L‖ of the EP step (SGD with rate 1, so Δθ = −ĝ) on a few
 * parameters of every tensor, for each estimator and β, with ∇L by central differences (ε 1e-3)
 * of L(θ) = ½⟨‖s*_L(θ) − y‖²⟩ at the free fixed point, the free phase re-run to convergence from
 * zero after each perturbation.
 */
function theoremErrors(
  network: NetworkSpec,
  betas: readonly number[],
): { symmetric: number[]; oneSided: number[] } {
  const rng = createRng(1), m = 4;
  const x = b.fromArray(uniform(rng, m * 36, 0, 1), m, 36);
  const yv = uniform(rng, m * 3, 0.2, 0.8), y = b.fromArray(yv, m, 3);
  const oracle = learner(network, { t_free: 400 });
  const w = weightsLike(oracle.exportWeights(), createRng(7), 0.3, [0.2, 0.4]);
  const loss = (ws: Record<string, WeightArray>) => {
    oracle.importWeights(ws);
    const out = b.read(oracle.predict(x));
    let sum = 0;
    out.forEach((v, i) => (sum += (v - yv[i]!) ** 2));
    return 0.5 * sum / m;
  };
  // Precondition: the free phase has converged.
  oracle.importWeights(w);
  oracle.trainBatch(x, y);
  assert.ok(oracle.diagnostics().free_last_step! < 1e-6, "free phase not converged");
  const picks: [string, number][] = [];
  const pr = createRng(3);
  for (const k of Object.keys(w).sort()) {
    const n = w[k]!.data.length;
    for (let j = 0; j < Math.min(6, n); j++) picks.push([k, pr.int(n)]);
  }
  const eps = 1e-3;
  const grad = picks.map(([k, i]) => {
    const p = structuredClone(w), q = structuredClone(w);
    p[k]!.data[i]! += eps;
    q[k]!.data[i]! -= eps;
    return (loss(p) - loss(q)) / (2 * eps);
  });
  const relErr = (estimator: string, beta: number) => {
    const l = learner(network, { beta, t_free: 400, t_nudged: 400, estimator });
    l.importWeights(w);
    l.trainBatch(x, y);
    const after = l.exportWeights();
    let num = 0, den = 0;
    picks.forEach(([k, i], j) => {
      num += (after[k]!.data[i]! - w[k]!.data[i]! + grad[j]!) ** 2;
      den += grad[j]! ** 2;
    });
    return Math.sqrt(num / den);
  };
  return {
    symmetric: betas.map((beta) => relErr("symmetric", beta)),
    oneSided: betas.map((beta) => relErr("two-phase", beta)),
  };
}

for (const kind of ["max", "avg"] as const) {
  Deno.test(`conv-ep (${kind} pooling): the EP step tends to −∇L at the free fixed point as β → 0, symmetric O(β²), one-sided O(β)`, () => {
    const betas = [0.04, 0.02, 0.01];
    const { symmetric: sym, oneSided: one } = theoremErrors(theoremNet(kind), betas);
    const msg = `symmetric ${sym.map((e) => e.toExponential(2))}, one-sided ${
      one.map((e) => e.toExponential(2))
    } at β = ${betas}`;
    // (a) small and shrinking.
    assert.ok(sym[2]! < 2e-3, msg);
    assert.ok(sym[0]! > sym[1]! && sym[1]! > sym[2]!, msg);
    // (b) halving β divides the symmetric bias by about 4 and the one-sided one by about 2; the
    // symmetric estimate is the closer one at every β.
    for (let i = 0; i < 2; i++) {
      assert.ok(sym[i]! / sym[i + 1]! > 3, msg);
      const r = one[i]! / one[i + 1]!;
      assert.ok(r > 1.6 && r < 2.5, msg);
    }
    betas.forEach((_, i) => assert.ok(one[i]! > 5 * sym[i]!, msg));
  });
}

// ---------------------------------------------------------------------------------------------
// Backends, determinism, errors.

/** Image batches of the theorem net's shape: inputs in [0, 1], one-hot targets. */
function imageBatch(rows: number, seed: number): Batch {
  const rng = createRng(seed);
  const x = uniform(rng, rows * 36, 0, 1);
  const y = Array.from({ length: rows }, () => rng.int(3)).flatMap((c) =>
    [0, 1, 2].map((j) => j === c ? 1 : 0)
  );
  return { rows, x, y };
}

const AGREE_SETUP = {
  network: { ...theoremNet("max"), sizes: [36, 3] },
  hyper: { beta: 0.3, t_free: 30, t_nudged: 8, random_sign: true, lrs: [0.2, 0.1, 0.05] },
  optimizer: { name: "sgd", lr: 0.1, momentum: 0.9, weight_decay: 1e-3 },
  seed: 4,
} as const;
const AGREE_BATCHES = [0, 1, 2, 3].map((t) => imageBatch(8, t));

let blas: Backend | undefined;
try {
  blas = createBlasBackend();
} catch (e) {
  console.error(`conv-ep tests: skipping blas: ${(e as Error).message}`);
}

Deno.test({
  name:
    "conv-ep: blas gives the js results over four steps (momentum, per-layer rates, random sign)",
  ignore: blas === undefined,
  fn: () =>
    assertBackendsAgree("conv-ep", AGREE_SETUP, blas!, {
      batches: AGREE_BATCHES,
      probe: imageBatch(6, 9),
      tol: 1e-4,
    }).learner.dispose(),
});

Deno.test({
  name:
    "conv-ep: webgpu (its own image kernels) gives the js results over four steps and frees every intermediate",
  ignore: Deno.env.get("PLASTICITY_SKIP_WEBGPU") === "1",
  fn: async () => {
    const gpu = await createWebgpuBackend();
    try {
      const got = assertBackendsAgree("conv-ep", AGREE_SETUP, gpu, {
        batches: AGREE_BATCHES,
        probe: imageBatch(6, 9),
        tol: 1e-4,
      });
      await assertNoTensorLeaks(got.learner, imageBatch(4, 20), { warmup: 1, steps: 2 });
      got.learner.dispose();
    } finally {
      gpu.close();
    }
  },
});

Deno.test("conv-ep: a seed fixes the run (weights and β signs); another seed changes it", () => {
  const run = (seed: number) => {
    const l = createConvEp({ ...AGREE_SETUP, backend: b, seed });
    const betas: number[] = [], losses: number[] = [];
    for (let t = 0; t < 12; t++) {
      const { x, y } = imageBatch(4, t);
      const s = l.trainBatch(b.fromArray(x, 4, 36), b.fromArray(y, 4, 3));
      betas.push(s.beta!);
      losses.push(s.loss);
    }
    return { betas, losses, w: l.exportWeights() };
  };
  const a = run(4), again = run(4), other = run(5);
  assert.deepEqual(again, a);
  assert.ok(a.betas.includes(0.3) && a.betas.includes(-0.3), `signs ${a.betas}`);
  assert.notDeepEqual(other.w, a.w);
  assert.notDeepEqual(other.betas, a.betas);
});

Deno.test("conv-ep: bad settings and shapes are one-line errors naming the key", () => {
  const net = theoremNet("max");
  const cases: [Record<string, unknown>, Record<string, unknown>, RegExp][] = [
    [{}, { beta: 0 }, /^rule\.beta: /],
    [{}, { beta: -0.1 }, /^rule\.beta: /],
    [{}, { t_free: 0 }, /^rule\.t_free: /],
    [{}, { t_nudged: 2.5 }, /^rule\.t_nudged: /],
    [{}, { estimator: "three-phase" }, /^rule\.estimator: /],
    [{}, { random_sign: "yes" }, /^rule\.random_sign: /],
    [
      {},
      { lrs: [0.1, 0.1] },
      /^rule\.lrs: 2 rates \(value \[0\.1,0\.1\]\): expected one per conv or dense layer \(3\)$/,
    ],
    [{}, { lrs: [0.1, -0.1, 0.1] }, /^rule\.lrs/],
    [{}, { T1: 10 }, /T1/],
    [
      { layers: [{ pool: { size: 2 } }, ...net.layers!] },
      {},
      /^network\.layers\[0\]: pool after the input: rule conv-ep pools the output of a conv layer only/,
    ],
    [
      { layers: [net.layers![0], net.layers![1], { pool: { size: 1 } }, ...net.layers!.slice(2)] },
      {},
      /^network\.layers\[2\]: pool after a pool layer: /,
    ],
  ];
  for (const [change, hyper, re] of cases) {
    const network = { ...net, ...change };
    assert.throws(
      () => learner(network as NetworkSpec, hyper),
      (e: Error) => re.test(e.message) && !e.message.includes("\n"),
      `${JSON.stringify(change)} ${JSON.stringify(hyper)}`,
    );
  }
  assert.throws(
    () => createLearner("conv-ep", { network: { sizes: [4, 3, 2] } as never, backend: b, seed: 0 }),
    /^SchemaError: network\.layers: missing: rule conv-ep trains networks given by layers \(conv, pool, flatten, dense\); for a multilayer perceptron of sizes use rule ep$/,
  );
  const l = learner(net, { t_free: 2, t_nudged: 2 });
  assert.throws(
    () => l.trainBatch(b.zeros(2, 35), b.zeros(2, 3)),
    /^Error: conv-ep trainBatch: input x has shape 2×35: expected batch×36 \(1×6×6 images\)$/,
  );
  assert.throws(
    () => l.trainBatch(b.zeros(2, 36), b.zeros(2, 4)),
    /^Error: conv-ep trainBatch: target y has shape 2×4: expected 2×3$/,
  );
  assert.throws(
    () => l.importWeights({ W9: { rows: 1, cols: 1, data: [0] } }),
    /unknown weight "W9"/,
  );
});

/**
 * 8×8 images of three classes, a horizontal bar of 3, a vertical bar of 3 or a 2×2 block at a
 * random place, on noise U(0, 0.2).
 */
function shapes(n: number, seed: number): { x: Tensor; y: Tensor; cls: number[] } {
  const rng = createRng(seed), x: number[] = [], y: number[] = [], cls: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = rng.int(3), img = uniform(rng, 64, 0, 0.2), r = 1 + rng.int(6), q = 1 + rng.int(6);
    const on = c === 0 ? [-1, 0, 1] : c === 1 ? [-8, 0, 8] : [0, 1, 8, 9];
    for (const d of on) img[r * 8 + q + d] = 1;
    x.push(...img);
    y.push(...[0, 1, 2].map((j) => (j === c ? 1 : 0)));
    cls.push(c);
  }
  return { x: b.fromArray(x, n, 64), y: b.fromArray(y, n, 3), cls };
}

Deno.test("conv-ep learns to tell bars from blocks: 300 steps of 16 images, test accuracy ≥ 90 % (chance 33 %)", () => {
  const l = createLearner("conv-ep", {
    network: resolveNetwork({
      "input_shape": [1, 8, 8],
      activation: "hardSigmoid",
      "output_activation": "hardSigmoid",
      layers: [
        { conv: { out: 4, kernel: 3, padding: 1 } },
        { pool: { kind: "max", size: 2 } },
        "flatten",
        { dense: 3 },
      ],
    }),
    hyper: { beta: 0.5, t_free: 15, t_nudged: 5 },
    optimizer: { name: "sgd", lr: 0.05, momentum: 0.9 },
    backend: b,
    seed: 0,
  });
  const test = shapes(300, 999);
  const accuracy = () => {
    const p = b.read(l.predict(test.x));
    return test.cls.filter((c, i) => {
      const row = Array.from(p.subarray(3 * i, 3 * i + 3));
      return row.indexOf(Math.max(...row)) === c;
    }).length / test.cls.length;
  };
  const before = accuracy();
  for (let t = 0; t < 300; t++) {
    const { x, y } = shapes(16, t);
    l.trainBatch(x, y);
  }
  const after = accuracy();
  assert.ok(after >= 0.9, `test accuracy ${before} → ${after}`);
});
