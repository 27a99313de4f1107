import assert from "node:assert/strict";
import { FastNumpyStream } from "./_fast_numpy.ts";
import { SparseInputSynapses } from "./_sparse_input_synapses.ts";
import {
  GENN_STATE_ARRAYS,
  GennMicrocircuit,
  type GennMicrocircuitConfig,
} from "./genn_network.ts";

/** The step-by-step recurrence of one population (every synapse, every step). */
function exactStep(
  g: Float64Array,
  delta: Float64Array,
  out: Float64Array,
  rPre: Float64Array,
  rLastPre: Float64Array,
  err: Float64Array,
  pre: number,
  a: number,
  learning: boolean,
) {
  for (let j = 0; j < out.length; j++) {
    let acc = 0;
    for (let i = 0; i < pre; i++) {
      const q = j * pre + i, dl = delta[q]!, w = learning ? g[q]! + dl : g[q]!;
      if (learning) {
        g[q] = w;
        delta[q] = dl + a * (err[j]! * rLastPre[i]! - dl);
      }
      acc += w * rPre[i]!;
    }
    out[j] = acc;
  }
}

const relClose = (x: ArrayLike<number>, y: ArrayLike<number>, tol: number, what: string) => {
  for (let i = 0; i < x.length; i++) {
    const e = Math.abs(x[i]! - y[i]!);
    assert.ok(e <= tol * (1e-3 + Math.abs(y[i]!)), `${what}[${i}]: ${x[i]} vs ${y[i]}`);
  }
};

Deno.test("skipped inputs caught up in closed form equal the step-by-step recurrence (a = 0, 1e-4, 0.3, 1; learning paused at times)", () => {
  for (const a of [0, 1e-4, 0.3, 1]) {
    const pre = 7, post = 3, rng = new FastNumpyStream(5);
    const gA = Float64Array.from({ length: pre * post }, () => rng.normal() * 0.1);
    const dA = Float64Array.from({ length: pre * post }, () => rng.normal() * 1e-3);
    const gB = gA.slice(), dB = dA.slice();
    const outA = new Float64Array(post), outB = new Float64Array(post);
    const err = new Float64Array(post);
    const sparse = new SparseInputSynapses(pre, post, a);
    const r = new Float64Array(pre), rLast = new Float64Array(pre);
    // 4000 steps: inputs 0 and 3 turn on and off; the others stay off (pure decay) throughout.
    for (let t = 0; t < 4000; t++) {
      rLast.set(r);
      r.fill(0);
      if (t % 500 < 40) r[0] = 0.5;
      if (t % 777 < 13) r[3] = 0.25;
      for (let j = 0; j < post; j++) err[j] = 1e-4 * Math.sin(t * 0.01 + j);
      const learning = t % 1000 < 800;
      exactStep(gA, dA, outA, r, rLast, err, pre, a, learning);
      // the lazy population takes e_j = dtEta (rPost − rRef): use rPost = err, rRef = 0, dtEta 1
      sparse.step(gB, dB, outB, r, rLast, err, new Float64Array(post), 1, learning);
      relClose(outB, outA, 1e-12, `basal sum (a = ${a}, step ${t})`);
    }
    sparse.flush(gB, dB);
    relClose(gB, gA, 1e-12, `g (a = ${a})`); // the recurrence rounds once per step
    relClose(dB, dA, 1e-11, `δ (a = ${a})`);
  }
});

Deno.test("without learning the lazy population only sums: weights unchanged, sums over the inputs that are on bit for bit", () => {
  const pre = 9, post = 4, rng = new FastNumpyStream(11);
  const g = Float64Array.from({ length: pre * post }, () => rng.normal());
  const delta = Float64Array.from({ length: pre * post }, () => rng.normal() * 1e-2);
  const g0 = g.slice(), d0 = delta.slice();
  const sparse = new SparseInputSynapses(pre, post, 0.01);
  const r = Float64Array.from([0, 0.3, 0, 0, 0.9, 0, 0.1, 0, 0]);
  const out = new Float64Array(post), expect = new Float64Array(post);
  sparse.step(g, delta, out, r, r, out, out, 0, false);
  for (let j = 0; j < post; j++) {
    let acc = 0;
    for (let i = 0; i < pre; i++) acc += g0[j * pre + i]! * r[i]!;
    expect[j] = acc;
  }
  assert.deepEqual(out, expect);
  sparse.flush(g, delta);
  assert.deepEqual([g, delta], [g0, d0]);
});

// A small MNIST-like network: 64 inputs, ~70 % of them exactly 0 in each pattern.
const cfg: GennMicrocircuitConfig = {
  dims: [64, 12, 4],
  dt: 0.01,
  modelType: "PAL",
  gl: 0.03,
  gb: 0.1,
  ga: 0.06,
  gd: 0.1,
  gsom: 0.06,
  gtar: 0.06,
  etaW: [40, 0.5],
  etaB: [0.5],
  etaIP: [0.02],
  etaPI: [0.02],
  alpha: 1e-6,
  noiseSig: 0.05,
  noiseTau: 0.1,
  tauHP: 0.1,
  tauW: 1,
  tauIP: 0.01,
  tauPI: 0.01,
};

function sparseNet(exactDecay: boolean) {
  const rng = new FastNumpyStream(2024);
  const W = [
    Array.from({ length: 12 * 64 }, () => rng.uniform(-0.3, 0.3)),
    Array.from({ length: 4 * 12 }, () => rng.uniform(-0.3, 0.3)),
  ];
  const B = [Array.from({ length: 12 * 4 }, () => rng.uniform(-1, 1))];
  return new GennMicrocircuit({ ...cfg, exactDecay }, { W, B }, new FastNumpyStream(7));
}

const patterns = Array.from(
  { length: 5 },
  (_, p) =>
    Float64Array.from(
      { length: 64 },
      (_, i) => ((i * 7 + p * 13) % 10 < 3 ? ((i + p) % 5) / 5 + 0.2 : 0),
    ),
);
const targets = Array.from(
  { length: 5 },
  (_, p) => [0, 1, 2, 3].map((j) => (j === p % 4 ? 1 : 0.1)),
);

function drive(net: GennMicrocircuit, from: number, to: number) {
  for (let t = from; t < to; t++) {
    const p = Math.floor(t / 50) % 5;
    const learning = t < 1500 || t >= 2000; // a validation stretch in the middle
    net.step(patterns[p]!, t % 400 < 300 ? targets[p]! : null, learning);
  }
}

Deno.test("GennMicrocircuit: skipping blank inputs gives the exact-decay run's state up to rounding (PAL, noise, teaching and learning switched)", () => {
  const lazy = sparseNet(false), exact = sparseNet(true);
  lazy.resetInput(patterns[0]!, targets[0]!);
  exact.resetInput(patterns[0]!, targets[0]!);
  const zeroFraction = patterns[0]!.filter((x) => x === 0).length / 64;
  assert.ok(zeroFraction > 0.6, `the inputs are sparse (${zeroFraction})`);
  drive(lazy, 0, 3000);
  drive(exact, 0, 3000);
  const W0 = exact.W[0]!.slice();
  let moved = 0;
  for (let q = 0; q < W0.length; q++) moved = Math.max(moved, Math.abs(exact.deltaW[0]![q]!));
  assert.ok(moved > 1e-6, `δ of the input synapses is alive (${moved})`);
  for (const name of GENN_STATE_ARRAYS) {
    const a = lazy[name] as Float64Array | Float64Array[], b = exact[name] as typeof a;
    const la = Array.isArray(a) ? a : [a], lb = Array.isArray(b) ? b : [b];
    la.forEach((x, k) => relClose(x, lb[k]!, 1e-10, `${name}[${k}]`));
  }
});

Deno.test("GennMicrocircuit: a checkpoint taken while input synapses are pending continues bit for bit", () => {
  const a = sparseNet(false), b = sparseNet(false);
  a.resetInput(patterns[0]!, targets[0]!);
  drive(a, 0, 1234);
  b.loadState(JSON.parse(JSON.stringify(a.saveState())));
  drive(a, 1234, 2600);
  drive(b, 1234, 2600);
  assert.deepEqual(b.saveState(), a.saveState());
});
