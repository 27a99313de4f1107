// The learners give the js reference's results on the other backends (blas: OpenBLAS products;
// tfjs: TF.js kernels), and leak no TF.js tensors.
import assert from "node:assert/strict";
import {
  type Backend,
  createBlasBackend,
  createLearner,
  createRng,
  jsBackend,
  loadTfjsBackend,
} from "@plasticity/core";
import "./mod.ts";

function run(b: Backend, rule: string) {
  const rng = createRng(3);
  const x = b.fromArray(Array.from({ length: 6 * 12 }, () => rng.next()), 6, 12);
  const y = b.fromArray(Array.from({ length: 6 * 4 }, (_, i) => (i % 5 === 0 ? 1 : 0)), 6, 4);
  const net = createLearner(rule, {
    network: { sizes: [12, 9, 7, 4], activation: "hardSigmoid", outputActivation: "hardSigmoid" },
    hyper: rule === "csm"
      ? { lr: [0.3, 0.2, 0.1], "lr_m": [-0.01, -0.01] }
      : { lr: [0.3, 0.2, 0.1] },
    backend: b,
    seed: 2,
  });
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) losses.push(net.trainBatch(x, y).loss);
  const out = {
    losses,
    weights: net.exportWeights(),
    pred: Array.from(b.read(net.predict(x))),
    net,
    x,
    y,
  };
  return out;
}

function assertSame(a: ReturnType<typeof run>, c: ReturnType<typeof run>, what: string) {
  a.losses.forEach((v, i) =>
    assert.ok(Math.abs(v - c.losses[i]!) < 1e-4 * Math.abs(v) + 1e-6, `${what} loss ${i}`)
  );
  for (const k of Object.keys(a.weights)) {
    a.weights[k]!.data.forEach((v, i) =>
      assert.ok(Math.abs(v - c.weights[k]!.data[i]!) < 1e-4, `${what} ${k}[${i}]`)
    );
  }
  a.pred.forEach((v, i) => assert.ok(Math.abs(v - c.pred[i]!) < 1e-4, `${what} prediction ${i}`));
}

let blas: Backend | undefined;
try {
  blas = createBlasBackend();
} catch (e) {
  console.error(`ep backends test: blas unavailable (${(e as Error).message})`);
}

for (const rule of ["ep", "csm"]) {
  Deno.test({
    name: `${rule}: blas gives the js results`,
    ignore: blas === undefined,
    fn: () => assertSame(run(jsBackend, rule), run(blas!, rule), "blas"),
  });
}

Deno.test("ep and csm: tfjs gives the js results and frees every intermediate", async () => {
  const b = await loadTfjsBackend("cpu");
  const tf = await import("@tensorflow/tfjs-core");
  for (const rule of ["ep", "csm"]) {
    const t = run(b, rule);
    assertSame(run(jsBackend, rule), t, "tfjs");
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) t.net.trainBatch(t.x, t.y);
    b.dispose(t.net.predict(t.x));
    t.net.diagnostics();
    assert.equal(tf.memory().numTensors, before, "tensors leaked by trainBatch/predict");
  }
});
