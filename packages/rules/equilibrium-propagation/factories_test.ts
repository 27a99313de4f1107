import assert from "node:assert/strict";
import { getLearner, jsBackend as b } from "@plasticity/core";
import { assertFactoryMatches } from "@plasticity/core/testing";
import { createCsm, createEp, type CsmHyper, type EpHyper } from "./mod.ts";

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
  assertFactoryMatches("ep", createEp, {
    ...base,
    hyper: { lr: [0.1, 0.05], t_free: 10, t_nudged: 3, estimator: "symmetric", beta: 0.5 },
  });
  assertFactoryMatches("csm", createCsm, {
    ...base,
    hyper: { lr: [0.5, 0.375], lr_m: [-0.02], t_free: 10, random_sign: false },
  });
});

// Type-checked by `deno check` and `deno test`, never run.
function _typeErrors(): void {
  const o = { network, backend: b, seed: 0 } as const;
  // @ts-expect-error: misspelled key
  createEp({ ...o, hyper: { t_fre: 10 } });
  // @ts-expect-error: a number for a list of numbers
  createEp({ ...o, hyper: { lr: 0.1 } });
  // @ts-expect-error: not an estimator
  createEp({ ...o, hyper: { estimator: "three-phase" } });
  // @ts-expect-error: misspelled key
  createCsm({ ...o, hyper: { lrm: [-0.01] } });
  // @ts-expect-error: a string for a boolean
  createCsm({ ...o, hyper: { random_sign: "no" } });
}

const EP_KEYS = [
  "lr",
  "neural_lr",
  "eval_neural_lr",
  "t_free",
  "t_nudged",
  "beta",
  "random_sign",
  "estimator",
  "lr_step_epochs",
  "lr_step_gamma",
  "divergence_ratio",
  "on_divergence",
] as const satisfies readonly (keyof EpHyper)[];
const CSM_KEYS = [...EP_KEYS, "lr_m"] as const satisfies readonly (keyof CsmHyper)[];
const _complete: [ListsAll<EpHyper, typeof EP_KEYS>, ListsAll<CsmHyper, typeof CSM_KEYS>] = [
  true,
  true,
];

Deno.test("each typed interface has exactly the keys of its rule's schema", () => {
  const lists: [string, readonly string[]][] = [["ep", EP_KEYS], ["csm", CSM_KEYS]];
  for (const [rule, keys] of lists) {
    assert.deepEqual(Object.keys(getLearner(rule).hyper).sort(), [...keys].sort(), rule);
  }
});
