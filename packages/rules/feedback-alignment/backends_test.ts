// The same few steps of every rule on js, blas and tfjs-wasm agree within 1e-4 (relative to the
// largest weight); TF.js keeps a constant number of live tensors from step to step.
import assert from "node:assert/strict";
import {
  type Backend,
  createBlasBackend,
  createLearner,
  createRng,
  jsBackend,
  type Learner,
  type LearnerOptions,
  loadTfjsBackend,
  type OptimizerSpec,
  type WeightArray,
} from "@plasticity/core";
import "./mod.ts";

const RULES = ["bp", "fa", "dfa", "kp"] as const;
const OPTIMIZERS: OptimizerSpec[] = [
  { name: "sgd", lr: 0.1, momentum: 0.9, weightDecay: 0.01 },
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

function data(n: number, seed: number): { x: number[]; y: number[] } {
  const rng = createRng(seed);
  const x = Array.from({ length: n * 8 }, () => rng.normal());
  const y = Array.from({ length: n }, () => rng.int(4)).flatMap((c) =>
    [0, 1, 2, 3].map((j) => (j === c ? 1 : 0))
  );
  return { x, y };
}

function run(
  rule: string,
  backend: Backend,
  optimizer: OptimizerSpec,
): { l: Learner; diag: Record<string, number> } {
  const options: LearnerOptions = {
    network: { sizes: [8, 16, 12, 4], activation: "tanh" },
    optimizer,
    loss: { kind: "ce" },
    backend,
    seed: 3,
  };
  const l = createLearner(rule, options);
  for (let t = 0; t < 4; t++) {
    const { x, y } = data(16, t);
    l.trainBatch(backend.fromArray(x, 16, 8), backend.fromArray(y, 16, 4));
  }
  const { x, y } = data(32, 99);
  return { l, diag: l.diagnostics(backend.fromArray(x, 32, 8), backend.fromArray(y, 32, 4)) };
}

function assertNear(
  got: Record<string, WeightArray>,
  want: Record<string, WeightArray>,
  what: string,
) {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
  for (const k of Object.keys(want)) {
    const g = got[k]!.data, w = want[k]!.data;
    const scale = Math.max(...w.map(Math.abs));
    const dev = Math.max(...w.map((v, i) => Math.abs(v - g[i]!)));
    assert.ok(dev <= 1e-4 * scale, `${what} ${k}: max deviation ${dev} > 1e-4 × ${scale}`);
  }
}

const backends = await others();

for (const backend of backends) {
  for (const optimizer of OPTIMIZERS) {
    Deno.test(`${backend.name} agrees with js: bp, fa, dfa, kp with ${optimizer.name}`, () => {
      for (const rule of RULES) {
        const ref = run(rule, jsBackend, optimizer), got = run(rule, backend, optimizer);
        assertNear(got.l.exportWeights(), ref.l.exportWeights(), `${rule} on ${backend.name}`);
        for (const [k, v] of Object.entries(ref.diag)) {
          const tol = k.startsWith("angle") ? 1e-2 : 1e-4;
          assert.ok(
            Math.abs(got.diag[k]! - v) <= tol * Math.max(1, Math.abs(v)),
            `${rule} ${k}: ${got.diag[k]} vs ${v}`,
          );
        }
        got.l.dispose();
      }
    });
  }
}

if (backends.some((b) => b.name === "tfjs-wasm")) {
  Deno.test("tfjs-wasm: training steps and diagnostics leak no tensors", async () => {
    const tf = await import("@tensorflow/tfjs-core");
    const backend = backends.find((b) => b.name === "tfjs-wasm")!;
    for (const rule of RULES) {
      for (const optimizer of OPTIMIZERS) {
        const l = createLearner(rule, {
          network: { sizes: [8, 16, 12, 4], activation: "relu" },
          optimizer,
          backend,
          seed: 0,
        });
        const { x, y } = data(16, 0);
        const xt = backend.fromArray(x, 16, 8), yt = backend.fromArray(y, 16, 4);
        l.trainBatch(xt, yt);
        l.diagnostics(xt, yt);
        const live = tf.memory().numTensors;
        for (let t = 0; t < 3; t++) {
          l.trainBatch(xt, yt);
          l.diagnostics(xt, yt);
          backend.dispose(l.predict(xt));
        }
        assert.equal(tf.memory().numTensors, live, `${rule}/${optimizer.name}: live tensors grew`);
        l.dispose();
        backend.dispose(xt, yt);
      }
    }
  });
}
