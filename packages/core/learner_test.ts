import assert from "node:assert/strict";
import {
  checkNetwork,
  createLearner,
  getLearner,
  hiddenActivation,
  type LearnerDefinition,
  learnerNames,
  registerLearner,
} from "./learner.ts";
import { jsBackend } from "./js_backend.ts";

const def: LearnerDefinition = {
  name: "test-constant",
  family: "test",
  description: "predicts zeros",
  hyper: {},
  optimizer: false,
  create: (o) => ({
    rule: "test-constant",
    backend: o.backend,
    trainBatch: () => ({ loss: 0 }),
    predict: (x) => o.backend.zeros(x.rows, o.network.sizes.at(-1)!),
    diagnostics: () => ({}),
    exportWeights: () => ({}),
    importWeights: () => {},
    dispose: () => {},
  }),
};

Deno.test("registered learners are listed and built by name", () => {
  registerLearner(def);
  registerLearner(def);
  assert.ok(learnerNames().includes("test-constant"));
  const l = createLearner("test-constant", {
    network: { sizes: [2, 3], activation: "relu" },
    backend: jsBackend,
    seed: 0,
  });
  assert.equal(l.predict(jsBackend.zeros(4, 2)).cols, 3);
  assert.throws(() => registerLearner({ ...def }), /Rule "test-constant" is already registered/);
  assert.throws(() => getLearner("nope"), /Unknown rule "nope": expected one of .*test-constant/);
});

Deno.test("checkNetwork() and hiddenActivation() validate the architecture", () => {
  assert.throws(
    () => checkNetwork({ sizes: [3], activation: "relu" }),
    /network\.sizes: expected at least two positive integers, got \[3\]/,
  );
  assert.throws(() => checkNetwork({ sizes: [3, 0, 1], activation: "relu" }), /got \[3,0,1\]/);
  assert.throws(
    () => checkNetwork({ sizes: [3, 2, 2, 1], activation: ["relu"] }),
    /got 1 activations for 2 hidden layers/,
  );
  assert.equal(hiddenActivation({ sizes: [1, 2, 2, 1], activation: ["relu", "tanh"] }, 1), "tanh");
});
