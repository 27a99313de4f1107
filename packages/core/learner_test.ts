import assert from "node:assert/strict";
import {
  createLearner,
  getLearner,
  hiddenActivation,
  type LearnerDefinition,
  learnerNames,
  registerLearner,
  resolveLearnerConfig,
  resolveNetwork,
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

Deno.test("resolveNetwork() and hiddenActivation() validate the architecture", () => {
  assert.throws(
    () => resolveNetwork({ sizes: [3], activation: "relu" }),
    /^SchemaError: network\.sizes: expected a list of at least 2 integers ≥ 1, got \[3\]$/,
  );
  assert.throws(
    () => resolveNetwork({ sizes: [3, 0, 1], activation: "relu" }),
    /^SchemaError: network\.sizes: expected .*, got \[3,0,1\]$/,
  );
  assert.throws(
    () => resolveNetwork({ sizes: [3, 2, 2, 1], activation: ["relu"] }),
    /^SchemaError: network\.activation: expected one activation per hidden layer \(2\), got \["relu"\]$/,
  );
  assert.deepEqual(resolveNetwork({ sizes: [3, 1] }), {
    sizes: [3, 1],
    activation: "tanh",
    "leaky_slope": 0.01,
    bias: true,
  });
  assert.equal(hiddenActivation({ sizes: [1, 2, 2, 1], activation: ["relu", "tanh"] }, 1), "tanh");
});

Deno.test("loss.ignore_outputs is checked against the network's outputs and the rule", async () => {
  await import("@plasticity/backprop");
  await import("@plasticity/equilibrium-propagation");
  const network = { sizes: [2, 3, 4] };
  const ok = resolveLearnerConfig(getLearner("bp"), {
    network,
    loss: { kind: "mse", "ignore_outputs": [3] },
  });
  assert.deepEqual(ok.loss.ignore_outputs, [3]);
  assert.throws(
    () => resolveLearnerConfig(getLearner("bp"), { network, loss: { "ignore_outputs": [4] } }),
    /^SchemaError: loss\.ignore_outputs: unit 4 is not an output of the 4-unit network .*expected indices 0…3$/,
  );
  assert.throws(
    () =>
      resolveLearnerConfig(getLearner("bp"), { network, loss: { "ignore_outputs": [0, 1, 2, 3] } }),
    /leaves no output in the loss/,
  );
  assert.throws(
    () => resolveLearnerConfig(getLearner("ep"), { network, loss: { "ignore_outputs": [0] } }),
    /not supported by rule ep/,
  );
  assert.throws(
    () =>
      resolveLearnerConfig(getLearner("bp"), {
        network,
        loss: { kind: "ce", "ignore_outputs": [0] },
      }),
    /loss\.ignore_outputs: unknown key/,
  );
});
