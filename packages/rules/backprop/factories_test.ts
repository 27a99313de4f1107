import assert from "node:assert/strict";
import { getLearner, jsBackend as b } from "@plasticity/core";
import { assertFactoryMatches } from "@plasticity/core/testing";
import { type BpHyper, createBp } from "./mod.ts";

const network = { sizes: [4, 5, 3], activation: "tanh" } as const;

Deno.test("createBp gives createLearner's bp learner", () => {
  assertFactoryMatches("bp", createBp, {
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
