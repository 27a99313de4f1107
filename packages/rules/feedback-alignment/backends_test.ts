// The same few steps of every rule on js, blas and tfjs-wasm agree within 1e-4 (relative to the
// largest weight), as do they on webgpu; TF.js and WebGPU keep a constant number of live tensors
// from step to step.
import {
  type Backend,
  createBlasBackend,
  createLearner,
  type OptimizerSpec,
} from "@plasticity/core";
import { loadTfjsBackend } from "@plasticity/tfjs";
import { createWebgpuBackend } from "@plasticity/webgpu";
import { assertBackendsAgree, assertNoTensorLeaks, syntheticBatch } from "@plasticity/core/testing";
import "./mod.ts";

const RULES = ["bp", "fa", "dfa", "kp"] as const;
const OPTIMIZERS: OptimizerSpec[] = [
  { name: "sgd", lr: 0.1, momentum: 0.9, weight_decay: 0.01 },
  { name: "adam", lr: 0.01 },
];

async function others(): Promise<Backend[]> {
  const out: Backend[] = [];
  try {
    out.push(createBlasBackend());
  } catch (e) {
    console.log(`skipping blas: ${e instanceof Error ? e.message : e}`);
  }
  try {
    out.push(await loadTfjsBackend("wasm"));
  } catch (e) {
    console.log(`skipping tfjs-wasm: ${e instanceof Error ? e.message : e}`);
  }
  return out;
}

const data = (rows: number, seed: number) => syntheticBatch({ rows, inputs: 8, classes: 4, seed });
/** Four training batches of 16; diagnostics and predictions on a fifth batch of 32. */
const batches = [0, 1, 2, 3].map((t) => data(16, t)), probe = data(32, 99);

const backends = await others();

for (const backend of backends) {
  for (const optimizer of OPTIMIZERS) {
    Deno.test(`${backend.name} agrees with js: bp, fa, dfa, kp with ${optimizer.name}`, () => {
      for (const rule of RULES) {
        const setup = {
          network: { sizes: [8, 16, 12, 4], activation: "tanh" },
          optimizer,
          loss: { kind: "ce" },
          seed: 3,
        } as const;
        const opts = { batches, probe, tol: 1e-4, angleTol: 1e-2, label: optimizer.name };
        assertBackendsAgree(rule, setup, backend, opts).learner.dispose();
      }
    });
  }
}

if (backends.some((b) => b.name === "tfjs-wasm")) {
  Deno.test("tfjs-wasm: training steps and diagnostics leak no tensors", async () => {
    const backend = backends.find((b) => b.name === "tfjs-wasm")!;
    for (const rule of RULES) {
      for (const optimizer of OPTIMIZERS) {
        const l = createLearner(rule, {
          network: { sizes: [8, 16, 12, 4], activation: "relu" },
          optimizer,
          backend,
          seed: 0,
        });
        await assertNoTensorLeaks(l, data(16, 0), { warmup: 1, steps: 3, label: optimizer.name });
        l.dispose();
      }
    }
  });
}

Deno.test({
  name: "webgpu agrees with js and leaks no tensors: bp, fa, dfa, kp with adam",
  ignore: Deno.env.get("PLASTICITY_SKIP_WEBGPU") === "1",
  fn: async () => {
    const backend = await createWebgpuBackend();
    try {
      for (const rule of RULES) {
        const setup = {
          network: { sizes: [8, 16, 12, 4], activation: "tanh" },
          optimizer: OPTIMIZERS[1]!,
          loss: { kind: "ce" },
          seed: 3,
        } as const;
        const opts = { batches, probe, tol: 1e-4, angleTol: 1e-2, label: "adam" };
        const got = assertBackendsAgree(rule, setup, backend, opts);
        await assertNoTensorLeaks(got.learner, data(16, 0), { warmup: 1, steps: 2 });
        got.learner.dispose();
      }
    } finally {
      backend.close();
    }
  },
});
