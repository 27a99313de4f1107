import assert from "node:assert/strict";
import { getLearner, jsBackend as b } from "@plasticity/core";
import { assertFactoryMatches } from "@plasticity/core/testing";
import {
  createPc,
  createPcBp,
  createPcNudge,
  type PCBpHyper,
  type PCHyper,
  type PCNudgeHyper,
} from "./mod.ts";

/** `true` exactly when the list `K` names every key of `H` (with `satisfies`: and no other). */
type ListsAll<H, K extends readonly PropertyKey[]> = [Exclude<keyof H, K[number]>] extends [never]
  ? true
  : false;

const network = { sizes: [4, 5, 3], activation: "tanh" } as const;
const base = { network, optimizer: { name: "sgd", lr: 0.1 }, backend: b, seed: 2 } as const;

Deno.test("each factory gives createLearner's learner of its rule", () => {
  assertFactoryMatches("pc", createPc, {
    ...base,
    hyper: { T: 8, gamma: 0.05, decay: 0.9, update_p_at: "all", energy_trace: false, diag_rows: 4 },
  });
  assertFactoryMatches("pc-bp", createPcBp, {
    ...base,
    hyper: { diag_rows: 0, target_range: [0.1, 0.9] },
  });
  assertFactoryMatches("pc-nudge", createPcNudge, {
    ...base,
    hyper: { T: 6, nudge: 0.01, random_sign: true, input_transform: "none" },
  });
});

// Type-checked by `deno check` and `deno test`, never run.
function _typeErrors(): void {
  const o = { network, backend: b, seed: 0 } as const;
  // @ts-expect-error: misspelled key (T is upper case)
  createPc({ ...o, hyper: { t: 8 } });
  // @ts-expect-error: a string for a number
  createPc({ ...o, hyper: { gamma: "0.1" } });
  // @ts-expect-error: not a choice of update_p_at
  createPc({ ...o, hyper: { update_p_at: "first" } });
  // @ts-expect-error: pc-bp has no inference settings
  createPcBp({ ...o, hyper: { T: 8 } });
  // @ts-expect-error: a boolean for a number
  createPcBp({ ...o, hyper: { repeat: true } });
  // @ts-expect-error: misspelled key
  createPcNudge({ ...o, hyper: { nudging: 0.01 } });
  // @ts-expect-error: a string for a boolean
  createPcNudge({ ...o, hyper: { random_sign: "true" } });
}

const INPUT_KEYS = [
  "variant",
  "input_activation",
  "input_transform",
  "target_range",
  "diag_rows",
] as const;
const PC_KEYS = [
  "T",
  "gamma",
  "decay",
  "energy_trace",
  "update_p_at",
  "l2",
  ...INPUT_KEYS,
] as const satisfies readonly (keyof PCHyper)[];
const PC_BP_KEYS = [
  "l2",
  "repeat",
  ...INPUT_KEYS,
] as const satisfies readonly (keyof PCBpHyper)[];
const PC_NUDGE_KEYS = [
  "T",
  "gamma",
  "decay",
  "energy_trace",
  "nudge",
  "random_sign",
  ...INPUT_KEYS,
] as const satisfies readonly (keyof PCNudgeHyper)[];
const _complete: [
  ListsAll<PCHyper, typeof PC_KEYS>,
  ListsAll<PCBpHyper, typeof PC_BP_KEYS>,
  ListsAll<PCNudgeHyper, typeof PC_NUDGE_KEYS>,
] = [true, true, true];

Deno.test("each typed interface has exactly the keys of its rule's schema", () => {
  const lists: [string, readonly string[]][] = [
    ["pc", PC_KEYS],
    ["pc-bp", PC_BP_KEYS],
    ["pc-nudge", PC_NUDGE_KEYS],
  ];
  for (const [rule, keys] of lists) {
    assert.deepEqual(Object.keys(getLearner(rule).hyper).sort(), [...keys].sort(), rule);
  }
});
