import assert from "node:assert/strict";
import { Microcircuit, type MicrocircuitConfig } from "./model.ts";
import { buildMicrocircuit, inputSamples } from "./experiment.ts";
import { parseParams } from "./params.ts";

const off = { learnWeights: false, learnLatWeights: false, learnBwWeights: false };

Deno.test("self-predicting state: without a target v_api falls to ~0 a few steps after each input switch", () => {
  const p = parseParams({ model_type: "FA" });
  const { mc } = buildMicrocircuit(p, 123);
  const x = inputSamples(p, 1);
  const n0 = p.layers[0]!;
  const maxApi = () => Math.max(...mc.vApi.flatMap((v) => [...v].map(Math.abs)));
  // Settle (100 ms, input switching every 1 ms), then watch a few more switches.
  for (let i = 0; i < 10000; i++) mc.step(x, null, off, Math.floor(i / 100) * n0);
  for (let s = 0; s < 5; s++) {
    const seen: number[] = [];
    for (let i = 0; i < 100; i++) {
      mc.step(x, null, off, s * n0);
      seen.push(maxApi());
    }
    // The switch reaches layer k after k steps and perturbs v_api (the interneurons lag the
    // output by a step) ...
    assert.ok(Math.max(...seen.slice(0, 5)) > 1e-4);
    // ... and the self-predicting state cancels it again within 0.5 ms.
    assert.ok(Math.max(...seen.slice(50)) < 1e-12, `v_api ${Math.max(...seen.slice(50))}`);
  }
});

Deno.test("lookahead: u_breve equals the steady-state voltage of the previous step", () => {
  // For a hidden neuron the Euler step is u' = u + dt(ueff − u)/τ, so ŭ = u + τ(u' − u)/dt = ueff.
  const p = parseParams({ model_type: "FA" });
  const { mc } = buildMicrocircuit(p, 3);
  const x = inputSamples(p, 2);
  for (let i = 0; i < 50; i++) mc.step(x, null, off, 0);
  const { gl, gbas, gapi } = p;
  const ueff = (gbas * mc.vBas[0]![0]! + gapi * mc.vApi[0]![0]!) / (gl + gbas + gapi);
  mc.step(x, null, off, 0);
  assert.ok(Math.abs(mc.uPBreve[0]![0]! - ueff) < 1e-12);
});

Deno.test("PAL noise: the OU process has stationary std 0.725 sigma and lag-1 autocorrelation 0.9", () => {
  const cfg: MicrocircuitConfig = {
    layers: [1, 1, 1],
    dt: 0.01,
    modelType: "PAL",
    activation: "logistic",
    gl: 0.03,
    gbas: 0.1,
    gapi: 0.06,
    gden: 0.1,
    gnI: 0.06,
    gntgt: 0.06,
    etaFw: [0, 0],
    etaBw: [0],
    etaIP: [0],
    etaPI: [0],
    alpha: [0],
    noiseScale: [1],
    tauxi: 0.1,
    tauHP: 0.1,
    tauLO: 100,
  };
  let s = 12345;
  // Box–Muller over a small LCG: an independent normal source for the test.
  const rng = {
    normal() {
      s = (s * 1103515245 + 12345) % 2147483648;
      const u1 = (s + 1) / 2147483649;
      s = (s * 1103515245 + 12345) % 2147483648;
      const u2 = s / 2147483648;
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
  };
  const mc = new Microcircuit(cfg, {
    uP: [[0], [0]],
    uI: [[0]],
    WPP: [[0.5], [0.5]],
    WIP: [[0.5]],
    BPP: [[0.5]],
    BPI: [[-0.5]],
  }, rng);
  const learnB = { learnWeights: false, learnLatWeights: false, learnBwWeights: true };
  const xs: number[] = [];
  for (let i = 0; i < 200000; i++) {
    mc.step([0.5], null, learnB);
    if (i > 1000) xs.push(mc.noise[0]![0]!);
  }
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  let c = 0;
  for (let i = 1; i < xs.length; i++) c += (xs[i]! - mean) * (xs[i - 1]! - mean);
  c /= (xs.length - 1) * v;
  // Stationary variance of x ← 0.9x + 0.1·√(0.001/0.1)... = σ²(dt/τ)/(1 − 0.81).
  const expected = Math.sqrt(0.1 / (1 - 0.81));
  assert.ok(Math.abs(Math.sqrt(v) / expected - 1) < 0.05, `std ${Math.sqrt(v)} vs ${expected}`);
  assert.ok(Math.abs(c - 0.9) < 0.01, `autocorrelation ${c}`);
});

Deno.test("PAL high-pass: a rate step of height d decays as d·0.9^n", () => {
  // With no noise draws (B not learnt) the high-pass still runs; feed a constant input so the rates
  // are constant, then check that r^HP follows r^HP(n+1) = 0.9 r^HP(n) after the transient.
  const p = parseParams({
    layers: [1, 1, 1],
    eta_fw: [0, 0],
    eta_bw: [0],
    eta_IP: [0],
    eta_PI: [0],
    noise_scale: [0],
    alpha: [0],
  });
  const { mc } = buildMicrocircuit(p, 9);
  for (let i = 0; i < 20000; i++) mc.step([0.3], null, off);
  const hp0 = mc.rPBreveHI[0]![0]!;
  assert.ok(Math.abs(hp0) < 1e-12);
  // A step in the input gives a step in layer-0 rates one step later.
  mc.step([0.9], null, off);
  const r0 = mc.rPBreve[0]![0]!;
  mc.step([0.9], null, off); // rates move now
  const d = mc.rPBreve[0]![0]! - r0;
  const h1 = mc.rPBreveHI[0]![0]!;
  assert.ok(Math.abs(h1 - d) < 1e-12 + Math.abs(d) * 0.2);
  const before = mc.rPBreveHI[0]![0]!;
  for (let i = 0; i < 10000; i++) mc.step([0.9], null, off);
  assert.ok(Math.abs(mc.rPBreveHI[0]![0]!) < 1e-12 * Math.max(1, Math.abs(before)));
});

Deno.test("saveState/loadState: PAL on the 5-20-10-20-5 network continues bit for bit, noise generator included", () => {
  const p = parseParams({ model_type: "PAL", task: "bw_only" });
  const x = inputSamples(p, 1);
  const learn = { learnWeights: true, learnLatWeights: true, learnBwWeights: true };
  const a = buildMicrocircuit(p, 123).mc, b = buildMicrocircuit(p, 456).mc; // b: other start
  for (let i = 0; i < 777; i++) a.step(x, null, learn, (Math.floor(i / 100) % 100) * 5);
  const saved = JSON.parse(JSON.stringify(a.saveState()));
  b.loadState(saved);
  for (let i = 777; i < 1554; i++) {
    a.step(x, null, learn, (Math.floor(i / 100) % 100) * 5);
    b.step(x, null, learn, (Math.floor(i / 100) % 100) * 5);
  }
  assert.deepEqual(b.saveState(), a.saveState());
  assert.equal(b.steps, 1554);
  // Without the generator's state, the noise (hence B) would differ.
  const c = buildMicrocircuit(p, 123).mc;
  c.loadState({ ...saved, rng: null });
  for (let i = 777; i < 1554; i++) c.step(x, null, learn, (Math.floor(i / 100) % 100) * 5);
  assert.notDeepEqual(c.BPP, a.BPP);
  // A state of another network is refused.
  const small = buildMicrocircuit(
    parseParams({
      layers: [1, 1, 1],
      eta_fw: [1, 1],
      eta_bw: [1],
      eta_IP: [0],
      eta_PI: [0],
      noise_scale: [0.1],
      alpha: [0],
    }),
    1,
  ).mc;
  assert.throws(() => small.loadState(saved), /layers \[5,20,10,20,5\], expected \[1,1,1\]/);
});
