import assert from "node:assert/strict";
import { getLearner, jsBackend as b } from "@plasticity/core";
import { assertFactoryMatches } from "@plasticity/core/testing";
import {
  createBrsf,
  createDfa,
  createFa,
  createFrsf,
  createKp,
  createUsf,
  createWm,
  type FaHyper,
  type FeedbackHyper,
  type KpHyper,
  type SignSymmetryHyper,
  type WeightMirrorHyper,
} from "./mod.ts";

/** `true` exactly when the list `K` names every key of `H` (with `satisfies`: and no other). */
type ListsAll<H, K extends readonly PropertyKey[]> = [Exclude<keyof H, K[number]>] extends [never]
  ? true
  : false;

const network = { sizes: [4, 5, 3], activation: "tanh" } as const;
const base = { network, optimizer: { name: "sgd", lr: 0.1 }, backend: b, seed: 2 } as const;

Deno.test("each factory gives createLearner's learner of its rule", () => {
  assertFactoryMatches("fa", createFa, {
    ...base,
    hyper: { feedback_init: "xavierUniform", feedback_scale: 0.5, interpolate_bp: 0.25 },
  });
  assertFactoryMatches("dfa", createDfa, {
    ...base,
    hyper: { feedback_init: "uniform", feedback_scale: 0.2 },
  });
  assertFactoryMatches("kp", createKp, {
    ...base,
    optimizer: { name: "sgd", lr: 0.1, weight_decay: 0.01 },
    hyper: { decay: "bioflax-compat", feedback_scale: 2 },
  });
  assertFactoryMatches("usf", createUsf, { ...base, hyper: { scale_by_fan: false } });
  assertFactoryMatches("frsf", createFrsf, {
    ...base,
    hyper: { feedback_init: "normal", feedback_scale: 0.1, scale_by_fan: true },
  });
  assertFactoryMatches("brsf", createBrsf, { ...base, hyper: { feedback_init: "uniform" } });
  assertFactoryMatches("wm", createWm, {
    ...base,
    hyper: { mirror_steps: 2, mirror_lr: 0.02, growth_control: false, mirror_warmup: 1 },
  });
});

// Type-checked by `deno check` and `deno test`, never run.
function _typeErrors(): void {
  const o = { network, backend: b, seed: 0 } as const;
  // @ts-expect-error: misspelled key
  createFa({ ...o, hyper: { feedback_int: "same" } });
  // @ts-expect-error: a string for a number
  createFa({ ...o, hyper: { interpolate_bp: "0.5" } });
  // @ts-expect-error: not a feedback initialiser
  createFa({ ...o, hyper: { feedback_init: "lecun" } });
  // @ts-expect-error: misspelled key
  createDfa({ ...o, hyper: { feedback_scal: 1 } });
  // @ts-expect-error: a string for a number
  createDfa({ ...o, hyper: { feedback_scale: "1" } });
  // @ts-expect-error: misspelled key
  createKp({ ...o, hyper: { decay_mode: "documented" } });
  // @ts-expect-error: not a decay form
  createKp({ ...o, hyper: { decay: "none" } });
  // @ts-expect-error: misspelled key
  createUsf({ ...o, hyper: { scale_by_fans: true } });
  // @ts-expect-error: a number for a boolean
  createUsf({ ...o, hyper: { scale_by_fan: 1 } });
  // @ts-expect-error: misspelled key
  createFrsf({ ...o, hyper: { feedback_init_: "same" } });
  // @ts-expect-error: a boolean for a number
  createFrsf({ ...o, hyper: { feedback_scale: true } });
  // @ts-expect-error: misspelled key
  createBrsf({ ...o, hyper: { scalebyfan: true } });
  // @ts-expect-error: a string for a boolean
  createBrsf({ ...o, hyper: { scale_by_fan: "yes" } });
  // @ts-expect-error: misspelled key
  createWm({ ...o, hyper: { mirror_step: 1 } });
  // @ts-expect-error: a string for a number
  createWm({ ...o, hyper: { mirror_noise: "0.1" } });
}

const FA_KEYS = [
  "feedback_init",
  "feedback_scale",
  "interpolate_bp",
  "interpolate_bp_layers",
] as const satisfies readonly (keyof FaHyper)[];
const FEEDBACK_KEYS = [
  "feedback_init",
  "feedback_scale",
] as const satisfies readonly (keyof FeedbackHyper)[];
const KP_KEYS = [
  "feedback_init",
  "feedback_scale",
  "decay",
] as const satisfies readonly (keyof KpHyper)[];
const SIGN_KEYS = [
  "feedback_init",
  "feedback_scale",
  "scale_by_fan",
] as const satisfies readonly (keyof SignSymmetryHyper)[];
const WM_KEYS = [
  "feedback_init",
  "feedback_scale",
  "mirror_lr",
  "mirror_noise",
  "mirror_decay",
  "growth_control",
  "damping",
  "mirror_steps",
  "mirror_warmup",
] as const satisfies readonly (keyof WeightMirrorHyper)[];
const _complete: [
  ListsAll<FaHyper, typeof FA_KEYS>,
  ListsAll<FeedbackHyper, typeof FEEDBACK_KEYS>,
  ListsAll<KpHyper, typeof KP_KEYS>,
  ListsAll<SignSymmetryHyper, typeof SIGN_KEYS>,
  ListsAll<WeightMirrorHyper, typeof WM_KEYS>,
] = [true, true, true, true, true];

Deno.test("each typed interface has exactly the keys of its rule's schema", () => {
  const lists: [string, readonly string[]][] = [
    ["fa", FA_KEYS],
    ["dfa", FEEDBACK_KEYS],
    ["kp", KP_KEYS],
    ["usf", SIGN_KEYS],
    ["frsf", SIGN_KEYS],
    ["brsf", SIGN_KEYS],
    ["wm", WM_KEYS],
  ];
  for (const [rule, keys] of lists) {
    assert.deepEqual(Object.keys(getLearner(rule).hyper).sort(), [...keys].sort(), rule);
  }
});
