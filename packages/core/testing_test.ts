// The testing helpers catch what they are for: a backend that is slightly off, a diagnostic out
// of tolerance, a leaked TF.js tensor; and they pass when nothing is wrong.
import assert from "node:assert/strict";
import { exportTensor } from "./weights.ts";
import { createLearner, type LearnerDefinition, registerLearner } from "./learner.ts";
import { jsBackend } from "./js_backend.ts";
import { createRng } from "./random.ts";
import type { Backend } from "./tensor.ts";
import { loadTfjsBackend } from "@plasticity/tfjs";
import {
  assertBackendsAgree,
  assertNoTensorLeaks,
  type LearnerSetup,
  syntheticBatch,
  trainOnBackend,
} from "./testing.ts";

/** One linear layer `x @ W` trained by least squares; with `leak`, each step keeps a tensor. */
const linear: LearnerDefinition = {
  name: "test-linear",
  family: "test",
  description: "one linear layer trained by least squares",
  hyper: { leak: { type: "boolean", default: false, doc: "keep one tensor per training step" } },
  optimizer: false,
  create: ({ network, backend: b, seed, hyper }) => {
    const rng = createRng(seed);
    let w = b.random(network.sizes[0]!, network.sizes.at(-1)!, () => 0.3 * rng.normal());
    return {
      rule: "test-linear",
      backend: b,
      trainBatch(x, y) {
        if (hyper?.["leak"] === true) b.zeros(1, 1);
        const e = b.tidy(() => b.sub(b.matmul(x, w), y));
        const loss = b.sumSquares(e) / (2 * x.rows);
        const next = b.tidy(() => b.axpy(-0.1 / x.rows, b.matmul(x, e, true), w));
        b.dispose(e, w);
        w = next;
        return { loss };
      },
      predict: (x) => b.matmul(x, w),
      diagnostics: () => {
        // Only the diagnostics use sumAll, so a backend can perturb them alone.
        const norm = Math.sqrt(b.tidy(() => b.sumAll(b.mul(w, w))));
        return { "w_norm": norm, "angle_w": norm };
      },
      exportWeights: () => ({ W: exportTensor(b, w) }),
      importWeights: () => {},
      dispose: () => b.dispose(w),
    };
  },
};
registerLearner(linear);

const setup: LearnerSetup = { network: { sizes: [8, 4], activation: "identity" }, seed: 1 };

/** `b` under another name, with some operations replaced. */
function wrap(b: Backend, name: string, patch: Partial<Backend> = {}): Backend {
  return new Proxy(b, {
    get(target, key) {
      if (key === "name") return name;
      const replaced = (patch as Record<PropertyKey, unknown>)[key];
      if (replaced !== undefined) return replaced;
      const v = Reflect.get(target, key, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

Deno.test("syntheticBatch() is deterministic: normal inputs and one-hot targets from the seed", () => {
  const a = syntheticBatch({ rows: 5, inputs: 3, classes: 4, seed: 2 });
  assert.deepEqual(syntheticBatch({ rows: 5, inputs: 3, classes: 4, seed: 2 }), a);
  assert.notDeepEqual(syntheticBatch({ rows: 5, inputs: 3, classes: 4, seed: 3 }).x, a.x);
  assert.equal(a.x.length, 15);
  assert.equal(a.y.length, 20);
  for (let r = 0; r < 5; r++) {
    const row = a.y.slice(4 * r, 4 * r + 4);
    assert.deepEqual(row.toSorted(), [0, 0, 0, 1], `row ${r}`);
  }
  const rng = createRng(2);
  assert.equal(a.x[0], rng.normal());
});

Deno.test("trainOnBackend() runs every batch in order and probes the last by default", () => {
  const batches = [0, 1, 2].map((seed) => syntheticBatch({ rows: 6, inputs: 8, classes: 4, seed }));
  const r = trainOnBackend("test-linear", setup, jsBackend, batches);
  assert.equal(r.losses.length, 3);
  assert.equal(r.learner.backend, jsBackend);
  const x = jsBackend.fromArray(batches[2]!.x, 6, 8);
  assert.deepEqual(r.predictions, Array.from(jsBackend.read(r.learner.predict(x))));
  assert.deepEqual(Object.keys(r.weights), ["W"]);
  assert.deepEqual(Object.keys(r.diagnostics).sort(), ["angle_w", "w_norm"]);
  assert.throws(
    () => trainOnBackend("test-linear", setup, jsBackend, [{ rows: 2, x: [1, 2], y: [0, 1] }]),
    /Batch of 2 rows has 2 inputs and 2 targets: expected 16 and 8 for network sizes \[8,4\]/,
  );
});

Deno.test("assertBackendsAgree() passes for a backend that computes the same", () => {
  const same = wrap(jsBackend, "js-proxy");
  const got = assertBackendsAgree("test-linear", setup, same);
  assert.equal(got.learner.backend.name, "js-proxy");
  assert.equal(got.losses.length, 4);
  // The defaults: four batches of 16 with seeds 0–3, probed on 32 rows with seed 99.
  const data = (rows: number, seed: number) =>
    syntheticBatch({ rows, inputs: 8, classes: 4, seed });
  const batches = [0, 1, 2, 3].map((seed) => data(16, seed));
  const ref = trainOnBackend("test-linear", setup, jsBackend, batches, data(32, 99));
  assert.deepEqual(got.weights, ref.weights);
  assert.deepEqual(got.losses, ref.losses);
  assert.deepEqual(got.predictions, ref.predictions);
});

Deno.test("assertBackendsAgree() names the rule, backend, weight, element, deviation and tolerance", () => {
  const b = jsBackend;
  const off = wrap(b, "js-off", {
    matmul: (x, y, ta, tb) => b.addScalar(b.matmul(x, y, ta, tb), 1e-3),
  });
  assert.throws(
    () => assertBackendsAgree("test-linear", setup, off, { steps: 2, label: "sgd" }),
    (e: unknown) => {
      assert.ok(e instanceof assert.AssertionError);
      const m = e.message;
      assert.match(m, /^test-linear \(sgd\) on js-off disagrees with js after 2 steps:/);
      assert.match(
        m,
        /weight W\[\d+\] is -?[\d.e-]+, js gives -?[\d.e-]+: deviation [\d.e-]+ > tolerance 0\.0001 × [\d.]+ \(largest \|W\| on js\)/,
      );
      assert.match(m, /loss at step 0 is/);
      return true;
    },
  );
  // A perturbation far below the tolerance passes.
  const tiny = wrap(b, "js-tiny", {
    matmul: (x, y, ta, tb) => b.addScalar(b.matmul(x, y, ta, tb), 1e-9),
  });
  assertBackendsAgree("test-linear", setup, tiny).learner.dispose();
});

Deno.test("assertBackendsAgree() allows angle diagnostics the looser angleTol", () => {
  const b = jsBackend;
  // Diagnostics off by a relative 4e-3: beyond 1e-4, within 1e-2.
  const off = wrap(b, "js-diag-off", { sumAll: (t) => b.sumAll(t) * 1.008 });
  assert.throws(
    () => assertBackendsAgree("test-linear", setup, off),
    (e: unknown) => {
      const m = (e as Error).message;
      assert.match(
        m,
        /diagnostic w_norm is [\d.]+, js gives [\d.]+: deviation [\d.e-]+ > tolerance/,
      );
      assert.doesNotMatch(m, /angle_w|weight|loss|prediction/);
      return true;
    },
  );
  assertBackendsAgree("test-linear", setup, off, { tol: 1e-2 }).learner.dispose();
  assert.throws(
    () => assertBackendsAgree("test-linear", setup, off, { tol: 1e-2, angleTol: 1e-3 }),
    /angle_w/,
  );
});

Deno.test("assertNoTensorLeaks() catches a tensor kept per step on TF.js and passes otherwise", async () => {
  const b = await loadTfjsBackend("cpu");
  const batch = syntheticBatch({ rows: 6, inputs: 8, classes: 4, seed: 0 });
  const clean = createLearner("test-linear", { ...setup, backend: b });
  await assertNoTensorLeaks(clean, batch);
  clean.dispose();
  const leaky = createLearner("test-linear", { ...setup, hyper: { leak: true }, backend: b });
  await assert.rejects(
    () => assertNoTensorLeaks(leaky, batch, { steps: 2, label: "adam" }),
    (e: unknown) => {
      assert.ok(e instanceof assert.AssertionError);
      assert.match(
        e.message,
        /^test-linear \(adam\) on tfjs-cpu: 2 tensors leaked over 2 rounds of trainBatch, diagnostics and predict \(live tensors \d+ → \d+\)$/,
      );
      return true;
    },
  );
  leaky.dispose();
  // The same learner on a garbage-collected backend cannot be checked, and says so.
  const onJs = createLearner("test-linear", { ...setup, backend: jsBackend });
  await assert.rejects(
    () => assertNoTensorLeaks(onJs, batch),
    /test-linear runs on backend "js": expected a backend that counts its live tensors/,
  );
});
