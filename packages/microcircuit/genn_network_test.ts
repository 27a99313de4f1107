import assert from "node:assert/strict";
import { FastNumpyStream } from "./_fast_numpy.ts";
import { GennMicrocircuit, type GennMicrocircuitConfig } from "./genn_network.ts";
import { createClassifier, YIN_YANG_PAL } from "./classification.ts";

// ---------------------------------------------------------------------------------------------
// An independent GeNN emulation, written from the model equations: neuron populations hold named
// variables, synapse populations store g and δ pre × post (GeNN's layout) and run their per-synapse
// code into named postsynaptic input channels, which the neuron code then reads. Plain Math.exp.
// ---------------------------------------------------------------------------------------------

type Pop = { n: number; v: Record<string, number[]>; isyn: Record<string, number[]> };
type Syn = {
  pre: Pop;
  post: Pop;
  channel: string;
  g: number[][]; // [pre][post]
  delta: number[][];
  code: (s: Syn, i: number, j: number, learning: boolean) => void;
};

const sig = (x: number) => 1 / (1 + Math.exp(-x));
const zeros = (n: number) => Array.from({ length: n }, () => 0);
const pop = (n: number, vars: string[], channels: string[]): Pop => ({
  n,
  v: Object.fromEntries(vars.map((k) => [k, zeros(n)])),
  isyn: Object.fromEntries(channels.map((k) => [k, zeros(n)])),
});

function reference(
  c: GennMicrocircuitConfig,
  Wpp: number[][],
  Bpp: number[][],
  noise: FastNumpyStream | null,
) {
  const d = c.dims;
  // only one hidden layer here: input -> hidden (pyramids + interneurons) -> output
  const input = pop(d[0]!, ["rate", "rate_last"], []);
  const sup = pop(d[2]!, ["rate"], []);
  const hid = pop(d[1]!, [
    "V",
    "v_basal",
    "v_apical",
    "noise",
    "v_brev",
    "rate",
    "rate_last",
    "rate_basal",
    "rate_hp",
  ], ["up", "down", "inter"]);
  const inter = pop(d[2]!, [
    "V",
    "v_dendrite",
    "v_down",
    "v_brev",
    "rate",
    "rate_last",
    "rate_dendrite",
  ], ["pyr", "down"]);
  const out = pop(d[2]!, [
    "V",
    "v_basal",
    "v_target",
    "v_brev",
    "rate",
    "rate_last",
    "rate_basal",
    "rate_hp",
  ], ["up", "target"]);
  // GeNN stores W pre × post; the kernel's init is post × pre
  const preXpost = (w: number[], pre: number, post: number) =>
    Array.from({ length: pre }, (_, i) => Array.from({ length: post }, (_, j) => w[j * pre + i]!));
  const z = (pre: number, post: number) => Array.from({ length: pre }, () => zeros(post));
  const learnB = c.modelType === "PAL";
  const learnPI = learnB && c.etaB[0]! > 0;
  const up = (eta: number, tau: number, rateRef: string): Syn["code"] => (s, i, j, learning) => {
    if (learning) {
      const dd = (c.dt / tau) *
        (-s.delta[i]![j]! +
          c.dt * eta * (s.post.v.rate![j]! - s.post.v[rateRef]![j]!) * s.pre.v.rate_last![i]!);
      s.g[i]![j]! += s.delta[i]![j]!;
      s.delta[i]![j]! += dd;
    }
    s.post.isyn[s.channel]![j]! += s.g[i]![j]! * s.pre.v.rate![i]!;
  };
  const syns: Syn[] = [
    {
      pre: input,
      post: hid,
      channel: "up",
      g: preXpost(Wpp[0]!, d[0]!, d[1]!),
      delta: z(d[0]!, d[1]!),
      code: up(c.etaW[0]!, c.tauW, "rate_basal"),
    },
    {
      pre: hid,
      post: out,
      channel: "up",
      g: preXpost(Wpp[1]!, d[1]!, d[2]!),
      delta: z(d[1]!, d[2]!),
      code: up(c.etaW[1]!, c.tauW, "rate_basal"),
    },
    {
      pre: out,
      post: hid,
      channel: "down",
      g: preXpost(Bpp[0]!, d[2]!, d[1]!),
      delta: z(d[2]!, d[1]!),
      code: (s, i, j, learning) => {
        if (learning && learnB) {
          s.g[i]![j]! += c.dt * c.etaB[0]! *
            (s.post.v.noise![j]! * s.pre.v.rate_hp![i]! - c.alpha * s.g[i]![j]!);
        }
        s.post.isyn.down![j]! += s.g[i]![j]! * s.pre.v.rate![i]!;
      },
    },
    // p2i starts as a copy of hidden -> output, i2p as -B
    {
      pre: hid,
      post: inter,
      channel: "pyr",
      g: preXpost(Wpp[1]!, d[1]!, d[2]!),
      delta: z(d[1]!, d[2]!),
      code: up(c.etaIP[0]!, c.tauIP, "rate_dendrite"),
    },
    {
      pre: inter,
      post: hid,
      channel: "inter",
      g: preXpost(Bpp[0]!.map((x) => -x), d[2]!, d[1]!),
      delta: z(d[2]!, d[1]!),
      code: (s, i, j, learning) => {
        if (learning && learnPI) {
          const dd = (c.dt / c.tauPI) *
            (-s.delta[i]![j]! +
              c.dt * c.etaPI[0]! * (-s.post.v.v_apical![j]!) * s.pre.v.rate_last![i]!);
          s.g[i]![j]! += s.delta[i]![j]!;
          s.delta[i]![j]! += dd;
        }
        s.post.isyn.inter![j]! += s.g[i]![j]! * s.pre.v.rate![i]!;
      },
    },
  ];
  const { gl, gb, ga, gd, gsom, gtar, dt } = c;
  const gauss = new Float64Array(d[1]!);
  return {
    hid,
    inter,
    out,
    syns,
    reset(x: number[], t: number[]) {
      input.v.rate = [...x];
      input.v.rate_last = [...x];
      sup.v.rate = [...t];
    },
    step(x: number[], t: number[] | null, learning: boolean) {
      for (const s of syns) {
        for (let i = 0; i < s.pre.n; i++) {
          for (let j = 0; j < s.post.n; j++) s.code(s, i, j, learning);
        }
      }
      for (let j = 0; j < inter.n; j++) inter.isyn.down![j] = out.v.v_brev![j]!; // one-to-one, g = 1
      for (let j = 0; j < out.n; j++) out.isyn.target![j] = t !== null ? sup.v.rate![j]! : 0;
      // neurons
      input.v.rate_last = [...input.v.rate!];
      input.v.rate = [...x];
      if (t !== null) sup.v.rate = [...t];
      if (noise) noise.fillNormal(gauss, hid.n);
      for (let j = 0; j < hid.n; j++) {
        const v = hid.v;
        v.v_basal![j] = hid.isyn.up![j]!;
        v.v_apical![j] = hid.isyn.down![j]! + hid.isyn.inter![j]!;
        if (noise) {
          v.noise![j]! += (1 / c.noiseTau) *
            (c.noiseSig * Math.sqrt(dt * c.noiseTau) * gauss[j]! - dt * v.noise![j]!);
        }
        v.rate_hp![j]! += v.rate![j]! - v.rate_last![j]! - (dt / c.tauHP) * v.rate_hp![j]!;
        v.rate_last![j] = v.rate![j]!;
        const steady = (gb * v.v_basal![j]! + ga * (v.v_apical![j]! + v.noise![j]!)) /
          (gl + gb + ga);
        const vdot = (gl + gb + ga) * (steady - v.V![j]!);
        v.v_brev![j] = v.V![j]! + vdot / (gl + gb + ga);
        v.V![j]! += dt * vdot;
        v.rate![j] = sig(v.v_brev![j]!);
        v.rate_basal![j] = sig(gb / (gl + gb + ga) * v.v_basal![j]!);
      }
      for (let j = 0; j < inter.n; j++) {
        const v = inter.v;
        v.rate_last![j] = v.rate![j]!;
        v.v_dendrite![j] = inter.isyn.pyr![j]!;
        v.v_down![j] = inter.isyn.down![j]!;
        const steady = (gd * v.v_dendrite![j]! + gsom * v.v_down![j]!) / (gl + gd + gsom);
        const vdot = (gl + gd + gsom) * (steady - v.V![j]!);
        v.v_brev![j] = v.V![j]! + vdot / (gl + gd + gsom);
        v.V![j]! += dt * vdot;
        v.rate![j] = sig(v.v_brev![j]!);
        v.rate_dendrite![j] = sig(gd / (gl + gd) * v.v_dendrite![j]!);
      }
      for (let j = 0; j < out.n; j++) {
        const v = out.v;
        v.v_basal![j] = out.isyn.up![j]!;
        v.v_target![j] = out.isyn.target![j]!;
        v.rate_hp![j]! += v.rate![j]! - v.rate_last![j]! - (dt / c.tauHP) * v.rate_hp![j]!;
        v.rate_last![j] = v.rate![j]!;
        const steady = t !== null
          ? (gb * v.v_basal![j]! + gtar * v.v_target![j]!) / (gl + gb + gtar)
          : gb * v.v_basal![j]! / (gl + gb);
        const vdot = (gl + gb + gtar) * (steady - v.V![j]!);
        v.v_brev![j] = v.V![j]! + vdot / (gl + gb + gtar);
        v.V![j]! += dt * vdot;
        v.rate![j] = sig(v.v_brev![j]!);
        v.rate_basal![j] = sig(gb / (gl + gb) * v.v_basal![j]!);
      }
      for (const p of [hid, inter, out]) for (const k in p.isyn) p.isyn[k]!.fill(0);
    },
  };
}

const base: GennMicrocircuitConfig = {
  dims: [2, 2, 2],
  dt: 0.01,
  modelType: "PAL",
  gl: 0.03,
  gb: 0.1,
  ga: 0.06,
  gd: 0.1,
  gsom: 0.06,
  gtar: 0.06,
  etaW: [40, 30],
  etaB: [20],
  etaIP: [30],
  etaPI: [30],
  alpha: 0.05,
  noiseSig: 0,
  noiseTau: 0.1,
  tauHP: 0.1,
  tauW: 0.3,
  tauIP: 0.01,
  tauPI: 0.05,
};
const W0 = [[0.7, -0.4, 0.3, 0.9], [0.5, -0.8, 0.2, 0.6]];
const B0 = [[0.9, -0.3, 0.4, 0.8]];
const inputs = [[0.2, 0.9], [0.8, 0.1], [0.5, 0.5], [0.95, 0.3]];
const targets = [[1, 0.1], [0.1, 1], [1, 0.1], [0.1, 1]];

function compareWithReference(
  config: GennMicrocircuitConfig,
  teachUntil: number,
  learning: (t: number) => boolean,
) {
  const net = new GennMicrocircuit(
    config,
    { W: W0, B: B0 },
    config.noiseSig > 0 ? new FastNumpyStream(7) : null,
  );
  const ref = reference(config, W0, B0, config.noiseSig > 0 ? new FastNumpyStream(7) : null);
  net.resetInput(inputs[0]!, targets[0]!);
  ref.reset(inputs[0]!, targets[0]!);
  let worst = 0;
  const close = (a: ArrayLike<number>, b: number[], what: string, t: number) => {
    for (let j = 0; j < b.length; j++) {
      const err = Math.abs(a[j]! - b[j]!);
      worst = Math.max(worst, err);
      assert.ok(
        err <= 1e-12 * (1 + Math.abs(b[j]!)),
        `${what}[${j}] at step ${t}: ${a[j]} vs ${b[j]}`,
      );
    }
  };
  let moved = 0;
  for (let t = 0; t < 400; t++) {
    const s = Math.floor(t / 37) % inputs.length;
    const teach = t < teachUntil;
    net.step(inputs[s]!, teach ? targets[s]! : null, learning(t));
    ref.step(inputs[s]!, teach ? targets[s]! : null, learning(t));
    const { hid, inter, out } = ref;
    close(net.u[0]!, hid.v.V!, "u hidden", t);
    close(net.vBas[0]!, hid.v.v_basal!, "vBas hidden", t);
    close(net.vApi[0]!, hid.v.v_apical!, "vApi", t);
    close(net.xi[0]!, hid.v.noise!, "xi", t);
    close(net.uBreve[0]!, hid.v.v_brev!, "uBreve hidden", t);
    close(net.r[0]!, hid.v.rate!, "r hidden", t);
    close(net.rBas[0]!, hid.v.rate_basal!, "rBas hidden", t);
    close(net.rHP[0]!, hid.v.rate_hp!, "rHP hidden", t);
    close(net.uI[0]!, inter.v.V!, "uI", t);
    close(net.vDen[0]!, inter.v.v_dendrite!, "vDen", t);
    close(net.vDown[0]!, inter.v.v_down!, "vDown", t);
    close(net.uIBreve[0]!, inter.v.v_brev!, "uIBreve", t);
    close(net.rI[0]!, inter.v.rate!, "rI", t);
    close(net.rIDen[0]!, inter.v.rate_dendrite!, "rIDen", t);
    close(net.u[1]!, out.v.V!, "u out", t);
    close(net.vBas[1]!, out.v.v_basal!, "vBas out", t);
    close(net.vTgt, out.v.v_target!, "vTgt", t);
    close(net.uBreve[1]!, out.v.v_brev!, "uBreve out", t);
    close(net.r[1]!, out.v.rate!, "r out", t);
    close(net.rHP[1]!, out.v.rate_hp!, "rHP out", t);
    // weights and δs, the reference's pre × post against the kernel's post × pre
    const kernel = [
      [net.W[0]!, net.deltaW[0]!],
      [net.W[1]!, net.deltaW[1]!],
      [net.B[0]!, null],
      [net.WIP[0]!, net.deltaWIP[0]!],
      [net.BPI[0]!, net.deltaBPI[0]!],
    ] as const;
    for (let q = 0; q < ref.syns.length; q++) {
      const s = ref.syns[q]!, [g, dl] = kernel[q]!;
      const gT: number[] = [], dT: number[] = [];
      for (let j = 0; j < s.post.n; j++) {
        for (let i = 0; i < s.pre.n; i++) (gT.push(s.g[i]![j]!), dT.push(s.delta[i]![j]!));
      }
      close(g, gT, `g of synapse ${q}`, t);
      if (dl) close(dl, dT, `delta of synapse ${q}`, t);
    }
    moved = Math.max(
      moved,
      Math.abs(net.W[0]![0]! - W0[0]![0]!),
      Math.abs(net.BPI[0]![0]! + B0[0]![0]!),
    );
  }
  assert.ok(moved > 1e-4, `the weights hardly moved (${moved}): the comparison would be weak`);
  return worst;
}

Deno.test("GeNN order: every state variable matches an independent GeNN emulation (learning and teaching on, noise off)", () => {
  compareWithReference(base, 400, () => true);
});

Deno.test("GeNN order: the same with OU noise from one stream, teaching switched off and learning paused midway", () => {
  compareWithReference({ ...base, noiseSig: 0.3 }, 250, (t) => t < 150 || t >= 200);
});

Deno.test("GeNN order: FA and BP against the emulation (B fixed; B = W transposed)", () => {
  compareWithReference({ ...base, modelType: "FA" }, 400, () => true);
  // BP: the emulation with B frozen at Wᵀ is exact as long as W_1 does not learn
  const bp = { ...base, modelType: "BP" as const, etaW: [40, 0] };
  const net = new GennMicrocircuit(bp, { W: W0, B: [[0, 0, 0, 0]] });
  net.resetInput(inputs[0]!, targets[0]!);
  // W_1 (post × pre) = [[0.5, −0.8], [0.2, 0.6]], so Wᵀ = [[0.5, 0.2], [−0.8, 0.6]]
  const ref = reference({ ...bp, modelType: "FA" }, W0, [[0.5, 0.2, -0.8, 0.6]], null);
  ref.reset(inputs[0]!, targets[0]!);
  for (let t = 0; t < 200; t++) {
    const s = Math.floor(t / 37) % inputs.length;
    net.step(inputs[s]!, targets[s]!, true);
    ref.step(inputs[s]!, targets[s]!, true);
  }
  assert.deepEqual([...net.B[0]!], [0.5, 0.2, -0.8, 0.6]);
  assert.deepEqual([...net.BPI[0]!], [-0.5, -0.2, 0.8, -0.6]);
  for (let j = 0; j < 2; j++) {
    assert.ok(Math.abs(net.uBreve[1]![j]! - ref.out.v.v_brev![j]!) < 1e-12);
  }
});

const frozen: GennMicrocircuitConfig = { ...base, etaW: [0, 0], etaB: [0], etaIP: [0], etaPI: [0] };

Deno.test("one-step transmission delay: the hidden basal dendrite sees a new input one step later, the output one step after that", () => {
  const net = new GennMicrocircuit(frozen, { W: W0, B: B0 });
  const a = inputs[0]!, b = inputs[1]!;
  net.resetInput(a, null);
  for (let t = 0; t < 300; t++) net.step(a, null, false);
  const hidBefore = [...net.vBas[0]!], outBefore = [...net.vBas[1]!];
  const W = W0[0]!; // post × pre, 2 × 2
  const expect = (x: number[]) => [W[0]! * x[0]! + W[1]! * x[1]!, W[2]! * x[0]! + W[3]! * x[1]!];
  assert.deepEqual(hidBefore, expect(a)); // settled on a
  net.step(b, null, false); // b enters the input population
  assert.deepEqual([...net.vBas[0]!], hidBefore);
  assert.deepEqual([...net.vBas[1]!], outBefore);
  net.step(b, null, false); // the input synapses transmit b
  const hid = [...net.vBas[0]!];
  for (let j = 0; j < 2; j++) assert.ok(Math.abs(hid[j]! - expect(b)[j]!) < 1e-15);
  assert.deepEqual([...net.vBas[1]!], outBefore);
  const rHid = [...net.r[0]!];
  net.step(b, null, false); // the hidden rates reach the output
  const V = W0[1]!;
  const out = [V[0]! * rHid[0]! + V[1]! * rHid[1]!, V[2]! * rHid[0]! + V[3]! * rHid[1]!];
  for (let j = 0; j < 2; j++) {
    assert.notEqual(net.vBas[1]![j], outBefore[j]);
    assert.ok(Math.abs(net.vBas[1]![j]! - out[j]!) < 1e-15);
  }
});

Deno.test("self-predicting state: without noise, target or learning, v_api falls to ~0 a few steps after each input switch", () => {
  const net = new GennMicrocircuit({ ...frozen, dims: [3, 5, 4] }, {
    W: [
      Array.from({ length: 15 }, (_, i) => Math.sin(3 * i + 1)),
      Array.from({ length: 20 }, (_, i) => Math.cos(2 * i + 0.5)),
    ],
    B: [Array.from({ length: 20 }, (_, i) => Math.sin(5 * i + 2))],
  });
  const xs = [[0.1, 0.9, 0.4], [0.7, 0.2, 0.6], [0.3, 0.3, 0.95]];
  net.resetInput(xs[0]!, null);
  for (let s = 0; s < 6; s++) {
    const seen: number[] = [];
    for (let t = 0; t < 100; t++) {
      net.step(xs[s % 3]!, null, false);
      seen.push(Math.max(...[...net.vApi[0]!].map(Math.abs)));
    }
    if (s > 0) assert.ok(Math.max(...seen.slice(0, 10)) > 1e-4, "the switch perturbs v_api");
    assert.ok(
      Math.max(...seen.slice(50)) < 1e-13,
      `v_api ${Math.max(...seen.slice(50))} at the end of sample ${s}`,
    );
    // ... because the interneurons then mirror the output: ŭ_I = ŭ_out
    for (let j = 0; j < 4; j++) {
      assert.ok(Math.abs(net.uIBreve[0]![j]! - net.uBreve[1]![j]!) < 1e-13);
    }
  }
});

Deno.test("the δ low-pass of forward updates has unit DC gain: ΔW equals the sum of the instantaneous updates", () => {
  // Record c_t = dt η (r_post − r_bas) r_last,pre for W_0 before every step; after the input goes
  // to 0 (so c_t = 0) δ decays and W_0 must have moved by exactly Σ c_t.
  const cfg = { ...base, etaB: [0], etaIP: [0], etaPI: [0], etaW: [40, 0], tauW: 0.5 };
  const net = new GennMicrocircuit(cfg, { W: W0, B: B0 });
  net.resetInput(inputs[0]!, targets[0]!);
  const sum = new Float64Array(4);
  for (let t = 0; t < 3000; t++) {
    const x = t < 300 ? inputs[Math.floor(t / 37) % 4]! : [0, 0];
    for (let j = 0; j < 2; j++) {
      for (let i = 0; i < 2; i++) {
        sum[j * 2 + i]! += cfg.dt * 40 * (net.r[0]![j]! - net.rBas[0]![j]!) * net.rInLast[i]!;
      }
    }
    net.step(x, targets[0]!, true);
  }
  for (let q = 0; q < 4; q++) {
    assert.ok(Math.abs(sum[q]!) > 1e-3, "non-trivial updates");
    assert.ok(Math.abs(net.deltaW[0]![q]!) < 1e-15);
    assert.ok(Math.abs(net.W[0]![q]! - W0[0]![q]! - sum[q]!) < 1e-12 * (1 + Math.abs(sum[q]!)));
  }
});

Deno.test("learning off freezes every weight and δ, even with noise and a target", () => {
  const net = new GennMicrocircuit(
    { ...base, noiseSig: 0.2 },
    { W: W0, B: B0 },
    new FastNumpyStream(3),
  );
  net.resetInput(inputs[0]!, targets[0]!);
  for (let t = 0; t < 100; t++) net.step(inputs[t % 4]!, targets[t % 4]!, true);
  const all = () =>
    [net.W, net.deltaW, net.B, net.WIP, net.deltaWIP, net.BPI, net.deltaBPI].flat().map((
      a,
    ) => [...a]);
  const before = all();
  for (let t = 0; t < 100; t++) net.step(inputs[t % 4]!, t % 2 ? targets[t % 4]! : null, false);
  assert.deepEqual(all(), before);
});

Deno.test("invalid configurations are refused with one-line messages", () => {
  assert.throws(
    () => new GennMicrocircuit({ ...base, dims: [2, 2] }, { W: W0, B: B0 }),
    /Invalid dims \[2,2\]/,
  );
  assert.throws(
    () => new GennMicrocircuit({ ...base, noiseSig: 0.1 }, { W: W0, B: B0 }),
    /Invalid noiseSig 0.1/,
  );
  assert.throws(
    () => new GennMicrocircuit(base, { W: [[1, 2], W0[1]!], B: B0 }),
    /Invalid W\[0\] with 2 values: expected 4/,
  );
});

Deno.test("saveState/loadState: the yin-yang PAL network (4-30-3, OU noise) continues bit for bit", () => {
  const a = createClassifier(YIN_YANG_PAL, 123456).net!;
  const b = createClassifier(YIN_YANG_PAL, 654321).net!; // another start, overwritten by the state
  const x = [0.2, 0.7, 0.8, 0.3], tgt = [1, 0.1, 0.1];
  const k = 333; // not a multiple of a sample's 100 steps
  for (let i = 0; i < k; i++) a.step(x, i % 200 < 100 ? tgt : null, true);
  const saved = JSON.parse(JSON.stringify(a.saveState()));
  b.loadState(saved);
  for (let i = k; i < 2 * k; i++) {
    a.step(x, i % 200 < 100 ? tgt : null, true);
    b.step(x, i % 200 < 100 ? tgt : null, true);
  }
  assert.deepEqual(b.saveState(), a.saveState());
  assert.equal(b.steps, 2 * k);
  assert.notEqual(saved.rng, null, "PAL's noise generator state is part of the state");
  // Without the generator's state the noise, hence B, would differ.
  const c = createClassifier(YIN_YANG_PAL, 123456).net!;
  c.loadState({ ...saved, rng: null });
  for (let i = k; i < 2 * k; i++) c.step(x, i % 200 < 100 ? tgt : null, true);
  assert.notDeepEqual(c.B, a.B);
  const small = createClassifier({ ...YIN_YANG_PAL, dims: [4, 5, 3] }, 1).net!;
  assert.throws(() => small.loadState(saved), /dims \[4,30,3\], expected \[4,5,3\]/);
});
