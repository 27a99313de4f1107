import assert from "node:assert/strict";
import { getLearner, jsBackend as b } from "@plasticity/core";
import { assertFactoryMatches } from "@plasticity/core/testing";
import {
  type ConvEpHyper,
  createConvEp,
  createCsm,
  createEp,
  type CsmHyper,
  type EpHyper,
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
const convNet = {
  sizes: [16, 3],
  "input_shape": [1, 4, 4],
  activation: "hardSigmoid",
  layers: [
    { type: "conv", out: 2, kernel: 3, stride: 1, padding: 1 },
    { type: "pool", kind: "max", size: 2, stride: 2 },
    { type: "flatten" },
    { type: "dense", out: 3 },
  ],
} as const;

Deno.test("each factory gives createLearner's learner of its rule", () => {
  assertFactoryMatches("ep", createEp, {
    ...base,
    hyper: { lr: [0.1, 0.05], t_free: 10, t_nudged: 3, estimator: "symmetric", beta: 0.5 },
  });
  assertFactoryMatches("csm", createCsm, {
    ...base,
    hyper: { lr: [0.5, 0.375], lr_m: [-0.02], t_free: 10, random_sign: false },
  });
  assertFactoryMatches("conv-ep", createConvEp, {
    network: convNet,
    hyper: { beta: 0.2, t_free: 10, t_nudged: 3, random_sign: true, lrs: [0.1, 0.05] },
    optimizer: { name: "sgd", lr: 0.1, momentum: 0.9 },
    backend: b,
    seed: 2,
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
  // @ts-expect-error: the paper's flag name, not this rule's key
  createConvEp({ ...o, network: convNet, hyper: { T1: 10 } });
  // @ts-expect-error: a number for a list of numbers
  createConvEp({ ...o, network: convNet, hyper: { lrs: 0.1 } });
  // @ts-expect-error: not an estimator
  createConvEp({ ...o, network: convNet, hyper: { estimator: "thirdphase" } });
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
const CONV_EP_KEYS = [
  "beta",
  "t_free",
  "t_nudged",
  "estimator",
  "random_sign",
  "lrs",
] as const satisfies readonly (keyof ConvEpHyper)[];
const _complete: [
  ListsAll<EpHyper, typeof EP_KEYS>,
  ListsAll<CsmHyper, typeof CSM_KEYS>,
  ListsAll<ConvEpHyper, typeof CONV_EP_KEYS>,
] = [true, true, true];

Deno.test("each typed interface has exactly the keys of its rule's schema", () => {
  const lists: [string, readonly string[]][] = [
    ["ep", EP_KEYS],
    ["csm", CSM_KEYS],
    ["conv-ep", CONV_EP_KEYS],
  ];
  for (const [rule, keys] of lists) {
    assert.deepEqual(Object.keys(getLearner(rule).hyper).sort(), [...keys].sort(), rule);
  }
});
