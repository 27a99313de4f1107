import assert from "node:assert/strict";
import { type Backend, createRng, jsBackend, selectBackend } from "@plasticity/core";
import "@plasticity/tfjs";
import { createWebgpuBackend } from "@plasticity/webgpu";
import { PCNetwork } from "./network.ts";
import { DEFAULT_PC_CONFIG, type PCConfig } from "./settings.ts";

// The generic (Backend-interface-only) kernels, exercised on js arithmetic: the js backend's
// methods without its raw-buffer capability (`raw`), so the network cannot take the fused path.
const GENERIC_JS: Backend = (() => {
  const o: Record<string, unknown> = { name: "js" };
  for (const k of Object.getOwnPropertyNames(Object.getPrototypeOf(jsBackend))) {
    const v = (jsBackend as unknown as Record<string, unknown>)[k];
    if (k !== "constructor" && typeof v === "function") o[k] = v.bind(jsBackend);
  }
  return o as unknown as Backend;
})();

/** Three steps of each mode on `backend`, returning every weight. */
function train(backend: Backend, config: Partial<PCConfig>): Float32Array[] {
  const net = new PCNetwork({
    network: { sizes: [5, 8, 7, 3], activation: "tanh", bias: true },
    config: { ...DEFAULT_PC_CONFIG, ...config },
    optimizer: { name: config.mode === "nudge" ? "sgd" : "adam", lr: 0.01 },
    loss: { kind: "mse", half: true, reduction: "mean" },
    backend,
    seed: 5,
  });
  const rng = createRng(6);
  for (let k = 0; k < 3; k++) {
    const x = backend.random(6, 5, () => rng.normal()),
      y = backend.random(6, 3, () => rng.normal());
    net.step(x, y);
    backend.dispose(x, y);
  }
  const w = [1, 2, 3].map((l) => backend.read(net.weight(l)));
  net.dispose();
  return w;
}

const CONFIGS: Partial<PCConfig>[] = [
  { mode: "pc", T: 20, gamma: 0.1, decay: 0.5 },
  { mode: "pc", T: 6, gamma: 0.1, decay: 0.5, "update_p_at": "all" },
  { mode: "bp" },
  { mode: "nudge", T: 10, gamma: 0.1, decay: 1, nudge: 0.1, "random_sign": true },
];

function agree(backend: Backend): void {
  for (const config of CONFIGS) {
    const ref = train(jsBackend, config), got = train(backend, config);
    ref.forEach((w, l) => {
      let err = 0;
      for (let i = 0; i < w.length; i++) err = Math.max(err, Math.abs(w[i]! - got[l]![i]!));
      assert.ok(err < 1e-4, `${backend.name} ${config.mode} W${l + 1}: max difference ${err}`);
    });
  }
}

Deno.test("the generic kernels agree with the fused ones on js arithmetic", () =>
  agree(GENERIC_JS));

const blas = await selectBackend("blas", { log: () => {} });
Deno.test({
  name: "blas agrees with js on a few steps of every mode",
  ignore: blas.name !== "blas",
  fn: () => agree(blas),
});

const tfjs = await selectBackend("tfjs-cpu", { log: () => {} });
Deno.test({
  name: "tfjs-cpu agrees with js on a few steps of every mode",
  ignore: tfjs.name !== "tfjs-cpu",
  fn: () => agree(tfjs),
});

Deno.test({
  name: "no tensor leaks per step on tfjs",
  ignore: tfjs.name !== "tfjs-cpu",
  fn: async () => {
    const tf = await import("@tensorflow/tfjs-core");
    for (const config of CONFIGS) {
      const net = new PCNetwork({
        network: { sizes: [4, 6, 2], activation: "relu", bias: true },
        config: { ...DEFAULT_PC_CONFIG, ...config },
        optimizer: { name: "adam", lr: 0.01 },
        backend: tfjs,
        seed: 1,
      });
      const x = tfjs.fill(3, 4, 0.5), y = tfjs.fill(3, 2, 1);
      net.step(x, y);
      const n = tf.memory().numTensors;
      net.step(x, y);
      net.step(x, y);
      tfjs.dispose(net.predict(x));
      net.probeStep(x, y);
      assert.equal(tf.memory().numTensors, n, `${config.mode}: tensors leaked`);
      net.dispose();
      tfjs.dispose(x, y);
    }
  },
});

Deno.test({
  name: "webgpu agrees with js on a few steps of every mode and leaks no tensors",
  ignore: Deno.env.get("PLASTICITY_SKIP_WEBGPU") === "1",
  fn: async () => {
    const b = await createWebgpuBackend();
    try {
      agree(b);
      const net = new PCNetwork({
        network: { sizes: [4, 6, 2], activation: "relu", bias: true },
        config: { ...DEFAULT_PC_CONFIG, mode: "pc", T: 5 },
        optimizer: { name: "adam", lr: 0.01 },
        backend: b,
        seed: 1,
      });
      const x = b.fill(3, 4, 0.5), y = b.fill(3, 2, 1);
      net.step(x, y);
      const n = b.liveTensors();
      net.step(x, y);
      b.dispose(net.predict(x));
      assert.equal(b.liveTensors(), n, "tensors leaked");
      net.dispose();
      b.dispose(x, y);
    } finally {
      b.close();
    }
  },
});
