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
import {
  type CorInfoMaxHyper,
  type CorInfoMaxSparseHyper,
  createCorInfoMax,
  createCorInfoMaxSparse,
} from "./mod.ts";

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

/** `true` exactly when the list `K` names every key of `H` (with `satisfies`: and no other). */
type ListsAll<H, K extends readonly PropertyKey[]> = [Exclude<keyof H, K[number]>] extends [never]
  ? true
  : false;

const network = {
  sizes: [4, 5, 3],
  activation: "hardSigmoid",
  output_activation: "hardSigmoid",
} as const;
const base = { network, backend: b, seed: 2 } as const;

Deno.test("each factory gives createLearner's learner of its rule", () => {
  assertSameLearner("corinfomax", createCorInfoMax, {
    ...base,
    hyper: {
      t_free: 10,
      t_nudged: 4,
      neural_lr_rule: "divide_by_slow_loop_index",
      lr_ff: [0.5, 0.3],
      lr_fb: [0.1],
    },
  });
  assertSameLearner("corinfomax-sparse", createCorInfoMaxSparse, {
    ...base,
    hyper: { sparse_layers: [1], lr_dual: [1e-6, 0.01], t_free: 10, three_phase: true },
  });
});

// Type-checked by `deno check` and `deno test`, never run.
function _typeErrors(): void {
  const o = { network, backend: b, seed: 0 } as const;
  // @ts-expect-error: misspelled key
  createCorInfoMax({ ...o, hyper: { lamda: 0.9 } });
  // @ts-expect-error: a string for a number
  createCorInfoMax({ ...o, hyper: { epsilon: "0.15" } });
  // @ts-expect-error: not a neural step schedule
  createCorInfoMax({ ...o, hyper: { neural_lr_rule: "linear" } });
  // @ts-expect-error: misspelled key
  createCorInfoMaxSparse({ ...o, hyper: { sparse_layer: [1] } });
  // @ts-expect-error: a number for a list of numbers
  createCorInfoMaxSparse({ ...o, hyper: { lr_dual: 0.01 } });
}

const CORINFOMAX_KEYS = [
  "lambda",
  "epsilon",
  "hopfield_g",
  "neural_lr",
  "neural_lr_rule",
  "neural_lr_stop",
  "neural_lr_decay",
  "t_free",
  "t_nudged",
  "beta",
  "random_sign",
  "three_phase",
  "lr_ff",
  "lr_fb",
  "weight_decay",
  "lr_decay",
  "lr_decay_switch_epoch",
  "lr_decay_late",
  "lr_decay_switch2_epoch",
  "lr_decay_late2",
  "divergence_ratio",
  "on_divergence",
] as const satisfies readonly (keyof CorInfoMaxHyper)[];
const SPARSE_KEYS = [
  ...CORINFOMAX_KEYS,
  "sparse_layers",
  "lr_dual",
] as const satisfies readonly (keyof CorInfoMaxSparseHyper)[];
const _complete: [
  ListsAll<CorInfoMaxHyper, typeof CORINFOMAX_KEYS>,
  ListsAll<CorInfoMaxSparseHyper, typeof SPARSE_KEYS>,
] = [true, true];

Deno.test("each typed interface has exactly the keys of its rule's schema", () => {
  const lists: [string, readonly string[]][] = [
    ["corinfomax", CORINFOMAX_KEYS],
    ["corinfomax-sparse", SPARSE_KEYS],
  ];
  for (const [rule, keys] of lists) {
    assert.deepEqual(Object.keys(getLearner(rule).hyper).sort(), [...keys].sort(), rule);
  }
});
