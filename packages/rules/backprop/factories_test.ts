import assert from "node:assert/strict";
import {
  createLearner,
  getLearner,
  jsBackend as b,
  type Learner,
  resolveLearnerConfig,
  type RuleOptions,
} from "@plasticity/core";
import { syntheticBatch } from "@plasticity/core/testing";
import { type BpHyper, createBp } from "./mod.ts";

/**
 * The factory's learner is `createLearner(name, options)`'s: the rule's name, the given settings
 * resolved as given, and the same loss and weights after one step on a synthetic batch.
 */
function assertSameLearner<H>(
  name: string,
  factory: (options: RuleOptions<H>) => Learner,
  options: RuleOptions<H>,
): void {
  const typed = factory(options), named = createLearner(name, options);
  assert.equal(typed.rule, name);
  const resolved = resolveLearnerConfig(getLearner(name), options).hyper;
  for (const [key, value] of Object.entries(options.hyper ?? {})) {
    assert.deepEqual(resolved[key], value, key);
  }
  const n = options.network.sizes[0]!, k = options.network.sizes.at(-1)!;
  const batch = syntheticBatch({ rows: 8, inputs: n, classes: k, seed: 3 });
  const x = b.fromArray(batch.x, batch.rows, n), y = b.fromArray(batch.y, batch.rows, k);
  const loss = typed.trainBatch(x, y).loss;
  assert.ok(Number.isFinite(loss));
  assert.equal(loss, named.trainBatch(x, y).loss);
  assert.deepEqual(typed.exportWeights(), named.exportWeights());
  typed.dispose();
  named.dispose();
}

const network = { sizes: [4, 5, 3], activation: "tanh" } as const;

Deno.test("createBp gives createLearner's bp learner", () => {
  assertSameLearner("bp", createBp, {
    network,
    optimizer: { name: "sgd", lr: 0.1 },
    backend: b,
    seed: 2,
  });
});

// Type-checked by `deno check` and `deno test`, never run: bp takes no settings.
function _typeErrors(): void {
  const o = { network, backend: b, seed: 0 } as const;
  // @ts-expect-error: bp has no settings, so any key is refused
  createBp({ ...o, hyper: { lr: 0.1 } });
  // @ts-expect-error: misspelled section name
  createBp({ ...o, hyperr: {} });
  createBp({ ...o, hyper: {} });
}

Deno.test("bp's schema declares no key, as BpHyper says", () => {
  const keys = [] as const satisfies readonly (keyof BpHyper)[];
  assert.deepEqual(Object.keys(getLearner("bp").hyper), keys);
});
