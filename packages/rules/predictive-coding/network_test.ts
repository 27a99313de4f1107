import assert from "node:assert/strict";
import {
  type Activation,
  createRng,
  jsBackend as b,
  lossValue,
  type Tensor,
} from "@plasticity/core";
import { PCNetwork } from "./network.ts";
import { DEFAULT_PC_CONFIG, type PCConfig, pcConfig } from "./settings.ts";
import { longestEnergyRise } from "./metrics.ts";

function randomTensor(rows: number, cols: number, seed: number, scale = 1): Tensor {
  const rng = createRng(seed);
  return b.random(rows, cols, () => scale * rng.normal());
}

function makeNet(
  sizes: number[],
  config: Partial<PCConfig>,
  opts: { activation?: Activation; bias?: boolean; lr?: number; seed?: number; half?: boolean } =
    {},
): PCNetwork {
  return new PCNetwork({
    network: { sizes, activation: opts.activation ?? "tanh", bias: opts.bias ?? false },
    config: { ...DEFAULT_PC_CONFIG, ...config },
    optimizer: { name: "sgd", lr: opts.lr ?? 0.05 },
    loss: { kind: "mse", half: opts.half ?? true, reduction: "sum" },
    backend: b,
    seed: opts.seed ?? 1,
  });
}

Deno.test("at t = 0 the PC energy equals the BP loss, so every hidden energy is 0", () => {
  const x = randomTensor(5, 4, 10), y = randomTensor(5, 3, 11);
  const pc = makeNet([4, 6, 5, 3], { mode: "pc", T: 8 }, { bias: true });
  const bp = makeNet([4, 6, 5, 3], { mode: "bp" }, { bias: true });
  // Loss of the feed-forward prediction, computed by core (independent of the inference loop).
  const ff = lossValue(b, { kind: "mse", half: true, reduction: "sum" }, pc.predict(x), y);
  const rPc = pc.step(x, y), rBp = bp.step(x, y);
  // F_0 = ℓ + Σ_l ½‖x_l − μ_l‖² with every term ≥ 0; equality with ℓ means every hidden term is 0.
  assert.equal(rPc.energies[0], rBp.energies[0]);
  assert.ok(Math.abs(rPc.energies[0]! - ff) <= 1e-6 * ff);
  assert.equal(rPc.loss, rBp.loss);
});

/**
 * Backpropagation on summed ½ squared error, written independently with float32 rounding after
 * every elementwise operation and every multiply-add of a product (the js backend's arithmetic).
 */
function referenceBP(
  sizes: number[],
  W: Float32Array[],
  x: Float32Array,
  y: Float32Array,
  rows: number,
  lr: number,
): Float32Array[] {
  const f = Math.fround, L = sizes.length - 1;
  const mm = (a: Float32Array, m: number, k: number, w: Float32Array, n: number) => {
    const c = new Float32Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s = f(s + a[i * k + p]! * w[p * n + j]!);
        c[i * n + j] = s;
      }
    }
    return c;
  };
  const a: Float32Array[] = [x], mu: Float32Array[] = [x];
  for (let l = 1; l <= L; l++) {
    mu[l] = mm(a[l - 1]!, rows, sizes[l - 1]!, W[l - 1]!, sizes[l]!);
    a[l] = mu[l]!.map((v) => f(Math.tanh(v)));
  }
  const delta: Float32Array[] = [];
  delta[L] = mu[L]!.map((v, i) => f(y[i]! - v)); // −∂ℓ/∂μ_L
  for (let l = L - 1; l >= 1; l--) {
    const n = sizes[l]!, m = sizes[l + 1]!, w = W[l]!;
    const d = new Float32Array(rows * n);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < m; j++) s = f(s + delta[l + 1]![r * m + j]! * w[i * m + j]!);
        const t = Math.tanh(mu[l]![r * n + i]!);
        d[r * n + i] = f(s * (1 - t * t));
      }
    }
    delta[l] = d;
  }
  return W.map((w, i) => {
    const l = i + 1, n = sizes[l]!, k = sizes[l - 1]!;
    const out = new Float32Array(w.length);
    for (let p = 0; p < k; p++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s = f(s + a[l - 1]![r * k + p]! * delta[l]![r * n + j]!);
        const g = f(-s); // ∂ℓ/∂W
        out[p * n + j] = f(-lr * g + w[p * n + j]!);
      }
    }
    return out;
  });
}

Deno.test("bp mode (no value nodes, T = 1) is SGD on summed ½ squared error, bit for bit", () => {
  const sizes = [4, 6, 5, 3], rows = 5, lr = 0.05;
  const net = makeNet(sizes, { mode: "bp" }, { lr });
  let W = sizes.slice(1).map((_, i) => b.read(net.weight(i + 1)));
  for (let k = 0; k < 3; k++) {
    const x = randomTensor(rows, 4, 20 + k), y = randomTensor(rows, 3, 30 + k);
    W = referenceBP(sizes, W, b.read(x), b.read(y), rows, lr);
    net.step(x, y);
    for (let l = 1; l <= 3; l++) {
      assert.deepEqual(b.read(net.weight(l)), W[l - 1], `W${l} after step ${k + 1}`);
    }
  }
});

Deno.test("every loss reduction scales PC's weight step by 1/(its divisor): rows, 1, rows × outputs", () => {
  // With the same value-node dynamics (inference always uses the summed error), the step under a
  // reduction with divisor d equals the summed-loss step with the learning rate divided by d.
  const sizes = [4, 6, 5, 3], rows = 5, lr = 0.05;
  const x = randomTensor(rows, 4, 50), y = randomTensor(rows, 3, 51);
  const run = (reduction: "mean" | "sum" | "meanElements", rate: number) => {
    const net = new PCNetwork({
      network: { sizes, activation: "tanh", bias: false },
      config: { ...DEFAULT_PC_CONFIG, mode: "pc", T: 8, gamma: 0.1, decay: 0.5 },
      optimizer: { name: "sgd", lr: rate },
      loss: { kind: "mse", half: true, reduction },
      backend: b,
      seed: 1,
    });
    net.step(x, y);
    return [1, 2, 3].map((l) => Array.from(b.read(net.weight(l))));
  };
  for (const [reduction, d] of [["mean", rows], ["meanElements", rows * 3]] as const) {
    const got = run(reduction, lr), want = run("sum", lr / d);
    got.forEach((w, l) =>
      w.forEach((v, i) =>
        assert.ok(
          Math.abs(v - want[l]![i]!) < 1e-6,
          `${reduction} W${l + 1}[${i}]: ${v} vs ${want[l]![i]}`,
        )
      )
    );
  }
});

Deno.test("with T = 1, PC's output-layer step equals BP's bit for bit and hidden weights stay put", () => {
  // At t = 0 every hidden error is 0 (feed-forward initialisation), so ∂F/∂W_l = 0 for l < L and
  // the output layer sees the same a_{L−1} and ε_L = y − μ_L as BP.
  const sizes = [4, 6, 5, 3];
  const pc = makeNet(sizes, { mode: "pc", T: 1 }), bp = makeNet(sizes, { mode: "bp" });
  const before = [1, 2].map((l) => b.read(pc.weight(l)));
  const x = randomTensor(5, 4, 40), y = randomTensor(5, 3, 41);
  pc.step(x, y);
  bp.step(x, y);
  assert.deepEqual(b.read(pc.weight(3)), b.read(bp.weight(3)));
  assert.deepEqual(b.read(pc.weight(1)), before[0]);
  assert.deepEqual(b.read(pc.weight(2)), before[1]);
});

Deno.test("under the decay rule the energy never rises for long and ends below where it started", () => {
  for (const gamma of [0.1, 0.6, 1.5]) {
    const net = makeNet([6, 8, 8, 8, 4], { mode: "pc", T: 128, gamma, decay: 0.5 }, {
      bias: true,
      seed: 3,
    });
    const x = randomTensor(8, 6, 50), y = randomTensor(8, 4, 51, 2);
    const r = net.step(x, y);
    const e = r.energies;
    // Each rise halves γ; after k rises γ₀/2^k is below 2/λ_max of the (smooth) energy, and from
    // then on a gradient step cannot raise F. With γ₀ ≤ 1.5 that takes only a few halvings.
    assert.ok(longestEnergyRise(e) <= 4, `γ₀ = ${gamma}: longest rise ${longestEnergyRise(e)}`);
    assert.ok(e[e.length - 1]! < e[0]!, `γ₀ = ${gamma}: F_T ${e[e.length - 1]} ≥ F_0 ${e[0]}`);
    if (gamma === 1.5) assert.ok(r.decays > 0, "a large γ₀ must trigger decays");
  }
});

Deno.test("with a small inference rate the energy falls at every step (descent lemma)", () => {
  const net = makeNet([3, 5, 5, 2], { mode: "pc", T: 64, gamma: 0.05 }, {
    activation: "identity",
    seed: 4,
  });
  const r = net.step(randomTensor(4, 3, 60), randomTensor(4, 2, 61));
  for (let t = 1; t < r.energies.length; t++) {
    assert.ok(r.energies[t]! <= r.energies[t - 1]! * (1 + 1e-6), `F rose at t = ${t}`);
  }
  assert.equal(r.decays, 0);
});

// ---- Equilibrium of a linear network (column convention, float64) ----

type Mat = number[][];
const mat = (rows: number, cols: number, f: (i: number, j: number) => number): Mat =>
  Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => f(i, j)));
const mul = (A: Mat, B: Mat): Mat =>
  mat(A.length, B[0]!.length, (i, j) => A[i]!.reduce((s, v, k) => s + v * B[k]![j]!, 0));
const tr = (A: Mat): Mat => mat(A[0]!.length, A.length, (i, j) => A[j]![i]!);
const add = (A: Mat, B: Mat): Mat => A.map((r, i) => r.map((v, j) => v + B[i]![j]!));
const eye = (n: number): Mat => mat(n, n, (i, j) => (i === j ? 1 : 0));
function solve(A: Mat, B: Mat): Mat {
  // Gauss–Jordan with partial pivoting.
  const n = A.length, M = A.map((r, i) => [...r, ...B[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const k = M[r]![c]! / M[c]![c]!;
      for (let j = c; j < M[r]!.length; j++) M[r]![j]! -= k * M[c]![j]!;
    }
  }
  return M.map((r, i) => r.slice(n).map((v) => v / M[i]![i]!));
}

/**
 * The relation of the converged PC update to the BP gradient in a linear network (derivation).
 *
 * Column convention: μ_l = A_l x_{l−1} with A_l = W_lᵀ, ε_l = x_l − A_l x_{l−1}, ε_L = y − A_L x_{L−1}.
 * Write P_{j←k} = A_j ⋯ A_{k+1} (identity for j = k) and e = y − ŷ for the feed-forward error.
 * Stationarity ∂F/∂x_l = ε_l − A_{l+1}ᵀ ε_{l+1} = 0 gives ε_l = P_{L←l}ᵀ ε_L. Unrolling
 * x_l = A_l x_{l−1} + ε_l from x₀ = s gives A_L x_{L−1} = ŷ + Σ_{k<L} P_{L←k} ε_k, so
 *
 *   ε_L* = M⁻¹ e,   M = I + Σ_{k=1}^{L−1} P_{L←k} P_{L←k}ᵀ,   ε_l* = P_{L←l}ᵀ M⁻¹ e,
 *   x_l* = x_l^ff + Σ_{k≤l} P_{l←k} ε_k*,
 *
 * and the PC update (one step at the relaxed state) is ΔA_l = α ε_l* x_{l−1}*ᵀ, whereas BP's is
 * ΔA_l = α δ_l x_{l−1}^ffᵀ with δ_l = P_{L←l}ᵀ e. To first order in e, PC is BP with the output
 * error e replaced by M⁻¹e (the error shrunk by the hidden layers' share of the correction), and
 * the presynaptic activity moved to its relaxed value adds a term of order ‖e‖².
 */
function pcEquilibriumUpdate(A: Mat[], s: number[], y: number[]): Mat[] {
  const L = A.length;
  const P = (j: number, k: number): Mat => {
    let m = eye(A[j - 1]!.length);
    for (let i = j; i > k; i--) m = mul(m, A[i - 1]!);
    return m;
  };
  const ff: Mat[] = [s.map((v) => [v])];
  for (let l = 1; l <= L; l++) ff.push(mul(A[l - 1]!, ff[l - 1]!));
  const e = add(y.map((v) => [v]), ff[L]!.map((r) => [-r[0]!]));
  let M = eye(y.length);
  for (let k = 1; k < L; k++) M = add(M, mul(P(L, k), tr(P(L, k))));
  const epsL = solve(M, e);
  const eps: Mat[] = [];
  for (let l = 1; l <= L; l++) eps[l] = mul(tr(P(L, l)), epsL);
  const x: Mat[] = [ff[0]!];
  for (let l = 1; l < L; l++) {
    let v = ff[l]!;
    for (let k = 1; k <= l; k++) v = add(v, mul(P(l, k), eps[k]!));
    x[l] = v;
  }
  return A.map((_, i) => mul(eps[i + 1]!, tr(x[i]!)));
}

Deno.test("converged PC in a linear net takes the derived equilibrium step (BP with e → M⁻¹e, relaxed inputs)", () => {
  const sizes = [3, 4, 4, 2], lr = 0.01;
  const net = makeNet(sizes, { mode: "pc", T: 3000, gamma: 0.2, decay: 1 }, {
    activation: "identity",
    lr,
    seed: 7,
  });
  const s = [0.5, -1, 0.8], y = [1.5, -0.7];
  const W0 = [1, 2, 3].map((l) => b.read(net.weight(l)));
  const A = W0.map((w, i) => mat(sizes[i + 1]!, sizes[i]!, (r, c) => w[c * sizes[i + 1]! + r]!));
  const expected = pcEquilibriumUpdate(A, s, y);
  net.step(b.fromArray(s, 1, 3), b.fromArray(y, 1, 2));
  for (let l = 1; l <= 3; l++) {
    const w1 = b.read(net.weight(l)), n = sizes[l]!;
    let err = 0, norm = 0;
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < sizes[l - 1]!; c++) {
        const got = (w1[c * n + r]! - W0[l - 1]![c * n + r]!) / lr;
        err = Math.max(err, Math.abs(got - expected[l - 1]![r]![c]!));
        norm = Math.max(norm, Math.abs(expected[l - 1]![r]![c]!));
      }
    }
    assert.ok(err <= 1e-4 * norm, `layer ${l}: max error ${err} vs scale ${norm}`);
  }
});

Deno.test("PC-Nudge's weight step tends to BP's on ‖y − ŷ‖² as the nudge λ → 0", () => {
  // Output node: ε_L + λ(x_L − y) = 0 gives ε_L = λ(y − x_L) → λe; hidden stationarity gives
  // ε_l = φ′ ⊙ W_{l+1}ᵀ ε_{l+1} → λδ_l. The step (1/λ)·2 a ε matches BP on ‖y − ŷ‖² (no ½).
  const sizes = [4, 6, 3], lr = 0.01;
  const x = randomTensor(3, 4, 70), y = randomTensor(3, 3, 71);
  const nudge = makeNet(sizes, { mode: "nudge", T: 400, gamma: 0.1, decay: 1, nudge: 1e-3 }, {
    lr,
    bias: true,
  });
  const bp = makeNet(sizes, { mode: "bp" }, { lr, bias: true, half: false });
  const W0 = [1, 2].map((l) => b.read(nudge.weight(l)));
  nudge.step(x, y);
  bp.step(x, y);
  for (let l = 1; l <= 2; l++) {
    const dn = b.read(nudge.weight(l)).map((v, i) => v - W0[l - 1]![i]!);
    const db = b.read(bp.weight(l)).map((v, i) => v - W0[l - 1]![i]!);
    let dot = 0, nn = 0, bb = 0;
    for (let i = 0; i < dn.length; i++) {
      dot += dn[i]! * db[i]!;
      nn += dn[i]! * dn[i]!;
      bb += db[i]! * db[i]!;
    }
    assert.ok(dot / Math.sqrt(nn * bb) > 0.999, `layer ${l}: cosine ${dot / Math.sqrt(nn * bb)}`);
    assert.ok(
      Math.abs(Math.sqrt(nn / bb) - 1) < 0.02,
      `layer ${l}: norm ratio ${Math.sqrt(nn / bb)}`,
    );
  }
});

Deno.test("update_p_at all takes a weight step at every iteration", () => {
  // With T = 2 and γ = 0 the value nodes never move, hidden errors stay 0 until the weights change,
  // so `all` is two BP-output-layer steps and `last` one.
  const sizes = [3, 4, 2];
  const x = randomTensor(2, 3, 80), y = randomTensor(2, 2, 81);
  const all = makeNet(sizes, { mode: "pc", T: 2, gamma: 0, "update_p_at": "all" }, {
    activation: "identity",
  });
  const last = makeNet(sizes, { mode: "pc", T: 2, gamma: 0 }, { activation: "identity" });
  const w0 = b.read(all.weight(2));
  all.step(x, y);
  last.step(x, y);
  const d1 = b.read(last.weight(2)).map((v, i) => v - w0[i]!);
  const d2 = b.read(all.weight(2)).map((v, i) => v - w0[i]!);
  // Second step of `all` is smaller than the first but in the same direction (gradient descent).
  let dot = 0, n1 = 0, n2 = 0;
  for (let i = 0; i < d1.length; i++) {
    dot += d1[i]! * d2[i]!;
    n1 += d1[i]! * d1[i]!;
    n2 += d2[i]! * d2[i]!;
  }
  assert.ok(n2 > n1 * 1.2 && dot > 0, `all: ${Math.sqrt(n2)}, last: ${Math.sqrt(n1)}`);
  // Hidden layer W1: with γ = 0, its error becomes non-zero only after W1 or W2 changes; W2 changed
  // at t = 0, so under `all` μ_2 moves, but ε_1 = x_1 − μ_1 stays 0 while W1 is fixed.
  assert.deepEqual(b.read(all.weight(1)), b.read(last.weight(1)));
});

Deno.test("plain SGD steps W in place; momentum, weight decay and Adam replace it; exports stay snapshots", () => {
  const sizes = [3, 4, 2];
  const x = randomTensor(2, 3, 90), y = randomTensor(2, 2, 91);
  const make = (optimizer: Record<string, unknown>) =>
    new PCNetwork({
      network: { sizes, activation: "tanh", bias: false },
      config: { ...DEFAULT_PC_CONFIG, mode: "pc", T: 4 },
      optimizer: { name: "sgd", lr: 0.05, ...optimizer },
      loss: { kind: "mse", half: true, reduction: "sum" },
      backend: b,
      seed: 3,
    });
  const plain = make({});
  const w = plain.weight(1), before = plain.exportWeights(), start = b.read(w);
  plain.step(x, y);
  assert.equal(plain.weight(1), w, "the same matrix, stepped in place");
  assert.notDeepEqual(b.read(w), start);
  assert.deepEqual(before["W1"]!.data, Array.from(start), "an earlier export is not changed");
  // SGD with momentum starts from v = g, so its first step is plain SGD's, into a new matrix.
  for (const spec of [{ momentum: 0.9 }, { weight_decay: 0.1 }, { name: "adam" }]) {
    const net = make(spec), old = net.weight(1), keep = b.read(old);
    net.step(x, y);
    assert.notEqual(net.weight(1), old, JSON.stringify(spec));
    if ("momentum" in spec) {
      for (const l of [1, 2]) assert.deepEqual(b.read(net.weight(l)), b.read(plain.weight(l)));
    } else assert.notDeepEqual(b.read(net.weight(1)), keep);
  }
});

Deno.test("the Whittington–Bogacz input transform: sigmoid(logit(s)) feeds the pixels themselves", () => {
  const sizes = [4, 5, 3];
  const mk = (config: Partial<PCConfig>) =>
    new PCNetwork({
      network: { sizes, activation: "sigmoid", bias: true, init: { kind: "kaimingUniform" } },
      config: { ...DEFAULT_PC_CONFIG, ...config },
      backend: b,
      seed: 9,
    });
  const wb = mk({
    "input_activation": true,
    "input_transform": "logit",
    "target_range": [0.03, 0.97],
  });
  const plain = mk({});
  const px = b.fromArray([0.1, 0.5, 0.9, 0.25, 0.7, 0.3, 0.6, 0.05], 2, 4);
  const p1 = b.read(wb.predict(px)), p2 = b.read(plain.predict(px));
  p1.forEach((v, i) => assert.ok(Math.abs(v - p2[i]!) < 1e-5));
  // The energy at t = 0 uses the mapped targets 0.03 + 0.94·y.
  const y = b.fromArray([1, 0, 0, 0, 1, 0], 2, 3);
  const mapped = b.fromArray([0.97, 0.03, 0.03, 0.03, 0.97, 0.03], 2, 3);
  const want = lossValue(b, { kind: "mse", half: true, reduction: "sum" }, wb.predict(px), mapped);
  const r = wb.step(px, y);
  assert.ok(Math.abs(r.energies[0]! - want) < 1e-5 * want);
});

Deno.test("bad settings and shapes give one-line errors", () => {
  // Settings are checked once, by pcConfig (the schema of the `pc` rule), with the rule's paths.
  assert.throws(
    () => pcConfig("pc", { T: 0 }),
    /^SchemaError: rule\.T: expected an integer ≥ 1, got 0$/,
  );
  assert.throws(
    () => pcConfig("pc", { decay: 2 }),
    /^SchemaError: rule\.decay: expected a number ≥ 1e-12 ≤ 1, got 2$/,
  );
  assert.throws(
    () => pcConfig("nudge", { nudge: 0 }),
    /^SchemaError: rule\.nudge: expected a non-zero number, got 0$/,
  );
  assert.throws(() => pcConfig("bp", { T: 5 }), /^SchemaError: rule\.T: unknown key/);
  const net = makeNet([2, 3, 2], {});
  assert.throws(
    () => net.step(b.zeros(1, 3), b.zeros(1, 2)),
    /Input of shape 1×3: expected 2 columns/,
  );
  assert.throws(() => net.step(b.zeros(1, 2), b.zeros(2, 2)), /expected 1 rows like the input/);
});

/** Summed loss of a tanh MLP in float64, from exported weights (row-major fanIn × fanOut). */
function lossF64(
  sizes: number[],
  w: Record<string, { data: number[] }>,
  x: Float32Array,
  y: Float32Array,
  rows: number,
  out: "sigmoid-mse" | "ce",
): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let a = Array.from(x.subarray(r * sizes[0]!, (r + 1) * sizes[0]!));
    let mu: number[] = [];
    for (let l = 1; l < sizes.length; l++) {
      const n = sizes[l]!, W = w[`W${l}`]!.data, bias = w[`b${l}`]!.data;
      mu = Array.from(
        { length: n },
        (_, j) => bias[j]! + a.reduce((s, v, i) => s + v * W[i * n + j]!, 0),
      );
      a = mu.map(Math.tanh);
    }
    const t = Array.from(y.subarray(r * mu.length, (r + 1) * mu.length));
    if (out === "sigmoid-mse") {
      total += mu.reduce((s, m, j) => s + 0.5 * (1 / (1 + Math.exp(-m)) - t[j]!) ** 2, 0);
    } else {
      const mx = Math.max(...mu), lse = mx + Math.log(mu.reduce((s, m) => s + Math.exp(m - mx), 0));
      total -= mu.reduce((s, m, j) => s + t[j]! * (m - lse), 0);
    }
  }
  return total;
}

Deno.test("bp mode's step is −α × the finite-difference gradient (sigmoid output + mse, and ce)", () => {
  const sizes = [3, 5, 4], rows = 4, lr = 1e-3;
  for (const out of ["sigmoid-mse", "ce"] as const) {
    const net = new PCNetwork({
      network: {
        sizes,
        activation: "tanh",
        output_activation: out === "ce" ? "identity" : "sigmoid",
        bias: true,
      },
      config: { ...DEFAULT_PC_CONFIG, mode: "bp" },
      optimizer: { name: "sgd", lr },
      loss: out === "ce"
        ? { kind: "ce", reduction: "sum" }
        : { kind: "mse", half: true, reduction: "sum" },
      backend: b,
      seed: 2,
    });
    // Non-zero biases so their gradients are checked at a generic point.
    const w0 = net.exportWeights();
    for (const k of ["b1", "b2"]) w0[k]!.data = w0[k]!.data.map((_, i) => 0.1 * (i + 1) - 0.2);
    net.importWeights(w0);
    const x = randomTensor(rows, 3, 90);
    const y = out === "ce"
      ? b.fromArray([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], rows, 4)
      : b.fromArray(Array.from({ length: rows * 4 }, (_, i) => (i % 3) / 2), rows, 4);
    const xd = b.read(x), yd = b.read(y);
    net.step(x, y);
    const w1 = net.exportWeights();
    for (const key of Object.keys(w0)) {
      const base = w0[key]!.data;
      base.forEach((v, i) => {
        const h = 1e-4, plus = structuredClone(w0), minus = structuredClone(w0);
        plus[key]!.data[i] = v + h;
        minus[key]!.data[i] = v - h;
        const g =
          (lossF64(sizes, plus, xd, yd, rows, out) - lossF64(sizes, minus, xd, yd, rows, out)) /
          (2 * h);
        const step = (w1[key]!.data[i]! - Math.fround(v)) / -lr;
        assert.ok(
          Math.abs(step - g) < 2e-3 * (1 + Math.abs(g)),
          `${out} ${key}[${i}]: ${step} vs ${g}`,
        );
      });
    }
  }
});

Deno.test("PC-Nudge with the nudge's sign flipped takes the same step to first order (random sign)", () => {
  // λ → −λ flips the equilibrium errors (ε ≈ λδ) and the 1/λ factor flips them back.
  const sizes = [4, 6, 3], lr = 0.01;
  const x = randomTensor(3, 4, 72), y = randomTensor(3, 3, 73);
  const pos = makeNet(sizes, { mode: "nudge", T: 400, gamma: 0.1, decay: 1, nudge: 1e-3 }, { lr });
  const neg = makeNet(sizes, { mode: "nudge", T: 400, gamma: 0.1, decay: 1, nudge: -1e-3 }, { lr });
  const w0 = b.read(pos.weight(1));
  pos.step(x, y);
  neg.step(x, y);
  const dp = b.read(pos.weight(1)).map((v, i) => v - w0[i]!),
    dn = b.read(neg.weight(1)).map((v, i) => v - w0[i]!);
  let dot = 0, pp = 0, nn = 0;
  for (let i = 0; i < dp.length; i++) {
    dot += dp[i]! * dn[i]!;
    pp += dp[i]! * dp[i]!;
    nn += dn[i]! * dn[i]!;
  }
  assert.ok(dot / Math.sqrt(pp * nn) > 0.999 && Math.abs(Math.sqrt(nn / pp) - 1) < 0.02);
});

Deno.test("every inference step matches an independent float64 implementation of the paper's loop", () => {
  const sizes = [3, 5, 4, 2], rows = 2, T = 12, gamma = 0.8, d = 0.5, lr = 0.1, L = 3;
  const net = makeNet(sizes, { mode: "pc", T, gamma, decay: d }, { bias: true, lr, seed: 12 });
  const w0 = net.exportWeights();
  for (const k of ["b1", "b2", "b3"]) w0[k]!.data = w0[k]!.data.map((_, i) => 0.05 * i - 0.1);
  net.importWeights(w0);
  const x = randomTensor(rows, 3, 100), y = randomTensor(rows, 2, 101, 2);
  const s = Array.from(b.read(x)), yd = Array.from(b.read(y));
  const W = [0, 1, 2, 3].map((l) => (l === 0 ? [] : w0[`W${l}`]!.data));
  const B = [0, 1, 2, 3].map((l) => (l === 0 ? [] : w0[`b${l}`]!.data));
  const at = (v: number[], r: number, n: number) => v.slice(r * n, (r + 1) * n);
  // μ_l for all rows from a_{l−1}.
  const pred = (l: number, aPrev: number[]) => {
    const k = sizes[l - 1]!, n = sizes[l]!, out: number[] = [];
    for (let r = 0; r < rows; r++) {
      const ar = at(aPrev, r, k);
      for (let j = 0; j < n; j++) {
        out.push(B[l]![j]! + ar.reduce((acc, v, i) => acc + v * W[l]![i * n + j]!, 0));
      }
    }
    return out;
  };
  const xs: number[][] = [s];
  for (let l = 1; l < L; l++) xs[l] = pred(l, l === 1 ? s : xs[l - 1]!.map(Math.tanh));
  let g = gamma, prev = NaN;
  const energies: number[] = [];
  let epsAtLast: number[][] = [];
  for (let t = 0; t < T; t++) {
    const a = xs.map((v, l) => (l === 0 ? v : v.map(Math.tanh)));
    const eps: number[][] = [[]];
    let F = 0;
    for (let l = 1; l <= L; l++) {
      const mu = pred(l, a[l - 1]!);
      eps[l] = l < L ? xs[l]!.map((v, i) => v - mu[i]!) : yd.map((v, i) => v - mu[i]!);
      F += 0.5 * eps[l]!.reduce((acc, v) => acc + v * v, 0);
    }
    energies.push(F);
    if (t === T - 1) epsAtLast = eps;
    else {
      for (let l = 1; l < L; l++) {
        const n = sizes[l]!, m = sizes[l + 1]!;
        xs[l] = xs[l]!.map((v, idx) => {
          const r = Math.floor(idx / n), i = idx % n;
          let back = 0;
          for (let j = 0; j < m; j++) back += eps[l + 1]![r * m + j]! * W[l + 1]![i * m + j]!;
          const th = Math.tanh(v);
          return v - g * (eps[l]![idx]! - (1 - th * th) * back);
        });
      }
    }
    if (t >= 1 && !(F < prev)) g *= d;
    prev = F;
  }
  const r = net.step(x, y);
  r.energies.forEach((e, t) =>
    assert.ok(
      Math.abs(e - energies[t]!) < 1e-4 * (1 + energies[t]!),
      `F_${t}: ${e} vs ${energies[t]}`,
    )
  );
  assert.ok(Math.abs(r.gamma - g) < 1e-12, `γ ${r.gamma} vs ${g}`);
  assert.ok(r.decays > 0, "the test should exercise the decay rule");
  // Weights: W_l += α a_{l−1}ᵀ ε_l at the state of the last iteration.
  const w1 = net.exportWeights();
  for (let l = 1; l <= L; l++) {
    const k = sizes[l - 1]!, n = sizes[l]!;
    const aPrev = l === 1 ? s : xs[l - 1]!.map(Math.tanh);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < n; j++) {
        let gsum = 0;
        for (let q = 0; q < rows; q++) gsum += aPrev[q * k + i]! * epsAtLast[l]![q * n + j]!;
        const want = W[l]![i * n + j]! + lr * gsum;
        assert.ok(Math.abs(w1[`W${l}`]!.data[i * n + j]! - want) < 1e-5, `W${l}[${i},${j}]`);
      }
    }
  }
});
