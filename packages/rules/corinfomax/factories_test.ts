import assert from "node:assert/strict";
import { getLearner, jsBackend as b } from "@plasticity/core";
import { assertFactoryMatches } from "@plasticity/core/testing";
import {
  type CorInfoMaxHyper,
  type CorInfoMaxSparseHyper,
  createCorInfoMax,
  createCorInfoMaxSparse,
} from "./mod.ts";

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
  assertFactoryMatches("corinfomax", createCorInfoMax, {
    ...base,
    hyper: {
      t_free: 10,
      t_nudged: 4,
      neural_lr_rule: "divide_by_slow_loop_index",
      lr_ff: [0.5, 0.3],
      lr_fb: [0.1],
    },
  });
  assertFactoryMatches("corinfomax-sparse", createCorInfoMaxSparse, {
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
