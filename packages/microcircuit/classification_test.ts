import assert from "node:assert/strict";
import { NumpyRandomState } from "@plasticity/core";
import { generateYinYang } from "@plasticity/datasets/yin-yang";
import { FastNumpyStream } from "./_fast_numpy.ts";
import { createClassifier, YIN_YANG_FA, YIN_YANG_PAL } from "./classification.ts";
import { GennMicrocircuit } from "./genn_network.ts";

const split = (n: number, seed: number) => {
  const s = generateYinYang(n, new NumpyRandomState(seed));
  return { x: s.x, labels: s.labels, n };
};

Deno.test("numpy order: validation passes neither learn nor teach; the lateral weights start self-predicting", () => {
  const c = createClassifier({ ...YIN_YANG_PAL, n_epochs: 1, step_order: "numpy" }, 123456);
  assert.equal(c.net, null);
  const mc = c.mc!;
  // SPS with g_d = g_b: WIP = W (factor 1), BPI = −B
  assert.deepEqual([...mc.WIP[0]!], [...mc.WPP[1]!]);
  assert.deepEqual([...mc.BPI[0]!], [...mc.BPP[0]!].map((x) => -x));
  const before = [mc.WPP[0]!, mc.WPP[1]!, mc.BPP[0]!, mc.BPI[0]!, mc.WIP[0]!].map((w) => w.slice());
  c.pass(split(30, 1), false);
  const after = [mc.WPP[0]!, mc.WPP[1]!, mc.BPP[0]!, mc.BPI[0]!, mc.WIP[0]!];
  for (let i = 0; i < before.length; i++) assert.deepEqual(after[i], before[i]);
  c.pass(split(30, 2), true);
  assert.notDeepEqual([...mc.WPP[0]!], [...before[0]!]);
});

for (const order of ["genn", "numpy"] as const) {
  Deno.test(`${order} order, PAL on a yin-yang subset: validation accuracy rises well above chance and B aligns with W transposed`, () => {
    const c = createClassifier({ ...YIN_YANG_PAL, n_epochs: 3, step_order: order }, 123456);
    const recs: Record<string, number>[] = [];
    const start = c.pass(split(300, 9876544), false).accuracy;
    c.run(
      { train: split(600, 9876543), validation: split(300, 9876544), test: split(300, 9876545) },
      (r) => recs.push(r),
    );
    assert.equal(recs.length, 4);
    const last = recs[3]!;
    assert.ok(start < 0.45, `untrained accuracy ${start}`);
    assert.ok(last.val_accuracy! > 0.5, `validation accuracy ${last.val_accuracy}`);
    assert.ok(last.test_accuracy! > 0.45, `test accuracy ${last.test_accuracy}`);
    assert.ok(recs[2]!.angle_B_WT_0! < recs[0]!.angle_B_WT_0! - 5);
  });
}

Deno.test("GeNN order: initial weights are numpy_seed's first uniform draws, pre × post, forward layers then B", () => {
  const c = createClassifier(YIN_YANG_PAL, 123456);
  assert.equal(c.stepOrder, "genn");
  assert.equal(c.mc, null);
  const net = c.net!;
  // np.random.seed(123456); uniform(-.1, .1, (4, 30)); uniform(-.1, .1, (30, 3)); uniform(-1, 1, (3, 30))
  const np = new NumpyRandomState(123456);
  const draw = (pre: number, post: number, lim: number) =>
    Array.from({ length: pre }, () => Array.from({ length: post }, () => np.uniform(-lim, lim)));
  const w0 = draw(4, 30, 0.1), w1 = draw(30, 3, 0.1), b = draw(3, 30, 1);
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 30; j++) assert.equal(net.W[0]![j * 4 + i], w0[i]![j]);
  }
  for (let i = 0; i < 30; i++) {
    for (let j = 0; j < 3; j++) assert.equal(net.W[1]![j * 30 + i], w1[i]![j]);
  }
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 30; j++) assert.equal(net.B[0]![j * 3 + i], b[i]![j]);
  }
  // self-predicting start: p2i = W (g_d = g_b), i2p = −B
  assert.deepEqual([...net.WIP[0]!], [...net.W[1]!]);
  assert.deepEqual([...net.BPI[0]!], [...net.B[0]!].map((x) => -x));
});

Deno.test("GeNN order: a pass is GeNN's protocol (shuffle from the weight stream, player reset, records 2-5 of 5)", () => {
  const p = { ...YIN_YANG_PAL, dims: [4, 6, 3] };
  const data = split(9, 5);
  const c = createClassifier(p, 42);
  const got = c.pass(data, false);
  // Replay by hand: the same weights from np.random.seed(42), then np.random.shuffle(arange(9))
  const np = new NumpyRandomState(42);
  const draw = (pre: number, post: number, lim: number) => {
    const w = new Float64Array(pre * post);
    for (let i = 0; i < pre; i++) {
      for (let j = 0; j < post; j++) w[j * pre + i] = np.uniform(-lim, lim);
    }
    return w;
  };
  const W = [draw(4, 6, 0.1), draw(6, 3, 0.1)], B = [draw(3, 6, 1)];
  const perm = np.shuffle(Int32Array.from({ length: 9 }, (_, i) => i));
  const net = new GennMicrocircuit(
    {
      dims: p.dims,
      dt: p.dt,
      modelType: "PAL",
      gl: p.gl,
      gb: p.gb,
      ga: p.ga,
      gd: p.gd,
      gsom: p.gsom,
      gtar: p.gtar,
      etaW: p.eta_up,
      etaB: [p.eta_down[1]!],
      etaIP: [p.eta_ip[0]!],
      etaPI: [p.eta_pi[0]!],
      alpha: p.alpha,
      noiseSig: p.noise_sig,
      noiseTau: p.noise_tau,
      tauHP: p.highpass_tau,
      tauW: p.tau_w_ff,
      tauIP: 0.01,
      tauPI: 0.01,
    },
    { W, B },
    new FastNumpyStream(43),
  );
  const x = (s: number) => Array.from(data.x).slice(perm[s]! * 4, perm[s]! * 4 + 4);
  net.resetInput(x(0), null);
  let correct = 0;
  for (let s = 0; s < 9; s++) {
    const m = [0, 0, 0];
    for (let t = 0; t < 100; t++) {
      net.step(x(s), null, false);
      // GeNN records after steps 0, 20, 40, 60, 80 of a sample and averages records 2–5
      if (t % 20 === 0 && t > 0) { for (let j = 0; j < 3; j++) m[j]! += net.uBreve[1]![j]! / 4; }
    }
    if (m.indexOf(Math.max(...m)) === data.labels[perm[s]!]) correct++;
  }
  assert.equal(got.accuracy, correct / 9);
  assert.deepEqual([...c.net!.uBreve[1]!], [...net.uBreve[1]!]);
  assert.deepEqual([...c.net!.xi[0]!], [...net.xi[0]!]);
});

Deno.test("GeNN order: validation and test passes change no weight; training changes them", () => {
  const c = createClassifier({ ...YIN_YANG_PAL, n_epochs: 1 }, 123456);
  const net = c.net!;
  const all = () =>
    [net.W, net.deltaW, net.B, net.WIP, net.deltaWIP, net.BPI, net.deltaBPI].flat().map((
      a,
    ) => [...a]);
  const before = all();
  c.pass(split(30, 1), false);
  assert.deepEqual(all(), before);
  c.pass(split(30, 2), true);
  const after = all();
  for (const q of [0, 2, 4, 6]) assert.notDeepEqual(after[q], before[q]); // W_0, B, WIP, BPI
});

Deno.test("GeNN order, FA configuration: B and the interneuron-to-apical weights stay fixed", () => {
  const c = createClassifier(YIN_YANG_FA, 123456);
  const net = c.net!;
  const B = [...net.B[0]!], P = [...net.BPI[0]!], W = [...net.W[0]!];
  c.pass(split(30, 2), true);
  assert.deepEqual([...net.B[0]!], B);
  assert.deepEqual([...net.BPI[0]!], P);
  assert.notDeepEqual([...net.W[0]!], W);
  assert.ok(net.xi[0]!.every((v) => v === 0));
});

Deno.test("an unknown step_order is refused", () => {
  assert.throws(
    () => createClassifier({ ...YIN_YANG_PAL, step_order: "gpu" as "genn" }, 1),
    /Invalid step_order "gpu": expected "genn" or "numpy"/,
  );
});
