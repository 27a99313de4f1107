// Learning-rate schedules against PyTorch's closed forms and against its recursive (chainable)
// form stepped once per epoch; the schedule section's errors.
import assert from "node:assert/strict";
import { checkLrSchedule, type LrScheduleSpec, scheduledLr } from "./lr_schedule.ts";
import { OPTIMIZER_SECTION } from "./optimizer.ts";
import { resolveHyper } from "./hyper.ts";
import { assertClose } from "./_test_utils.ts";

const rates = (s: LrScheduleSpec | undefined, lr0: number, n: number) =>
  Array.from({ length: n }, (_, e) => scheduledLr(s, lr0, e));

/**
 * PyTorch's recursive `get_lr` of StepLR, ExponentialLR and MultiStepLR, stepped once per epoch
 * (`last_epoch` = e): the rate is multiplied by γ (γ^count for repeated milestones) exactly at
 * the epochs where the schedule changes it.
 */
function chained(s: LrScheduleSpec, lr0: number, n: number): number[] {
  const out = [lr0];
  let lr = lr0;
  for (let e = 1; e < n; e++) {
    if (s.name === "step" && e % s.step_size === 0) lr *= s.gamma!;
    if (s.name === "exponential") lr *= s.gamma;
    if (s.name === "multistep") {
      for (const m of s.milestones) if (m === e) lr *= s.gamma!;
    }
    out.push(lr);
  }
  return out;
}

Deno.test("step: η₀·γ^⌊e / step_size⌋, exact on powers of two", () => {
  const s = { name: "step", step_size: 3, gamma: 0.5 } as const;
  assert.deepEqual(rates(s, 1, 10), [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125]);
  assert.deepEqual(rates({ ...s, step_size: 1 }, 4, 4), [4, 2, 1, 0.5]);
});

Deno.test("exponential: η₀·γ^e, exact on powers of two", () => {
  assert.deepEqual(rates({ name: "exponential", gamma: 0.5 }, 2, 5), [2, 1, 0.5, 0.25, 0.125]);
  assert.deepEqual(rates({ name: "exponential", gamma: 2 }, 1, 4), [1, 2, 4, 8]);
});

Deno.test("multistep: η₀·γ^(milestones ≤ e)", () => {
  const s = { name: "multistep", milestones: [2, 5, 6], gamma: 0.5 } as const;
  assert.deepEqual(rates(s, 1, 9), [1, 1, 0.5, 0.5, 0.5, 0.25, 0.125, 0.125, 0.125]);
  const t = { name: "multistep", milestones: [1, 3], gamma: 0.1 } as const;
  assertClose(rates(t, 0.1, 5), [0.1, 0.01, 0.01, 0.001, 0.001], 1e-15);
});

Deno.test("the closed forms agree with PyTorch's recursive form stepped once per epoch", () => {
  const specs: LrScheduleSpec[] = [
    { name: "step", step_size: 4, gamma: 0.3 },
    { name: "step", step_size: 1, gamma: 0.97 },
    { name: "exponential", gamma: 0.9 },
    { name: "multistep", milestones: [3, 10, 11, 30], gamma: 0.2 },
  ];
  for (const s of specs) assertClose(rates(s, 0.05, 40), chained(s, 0.05, 40), 1e-12, s.name);
});

Deno.test("no schedule keeps the rate; epoch counts must be integers ≥ 0", () => {
  assert.deepEqual(rates(undefined, 0.3, 4), [0.3, 0.3, 0.3, 0.3]);
  // γ left out of a spec built in code: PyTorch's (and the section's) default 0.1.
  assertClose(rates({ name: "step", step_size: 2 }, 1, 5), [1, 1, 0.1, 0.1, 0.01], 1e-15);
  assertClose(rates({ name: "multistep", milestones: [1] }, 1, 3), [1, 0.1, 0.1], 1e-15);
  const s = { name: "exponential", gamma: 0.5 } as const;
  assert.throws(
    () => scheduledLr(s, 1, -1),
    /^RangeError: Invalid epoch count -1: expected an integer ≥ 0$/,
  );
  assert.throws(
    () => scheduledLr(s, 1, 1.5),
    /^RangeError: Invalid epoch count 1\.5: expected an integer ≥ 0$/,
  );
  assert.throws(() => scheduledLr(undefined, 1, NaN), /^RangeError: Invalid epoch count \.nan: /);
});

const resolve = (schedule: unknown, name = "sgd") =>
  resolveHyper({ optimizer: OPTIMIZER_SECTION }, { optimizer: { name, lr: 0.1, schedule } }, "")
    .optimizer as Record<string, unknown>;

Deno.test("the schedule section resolves under sgd and adam with PyTorch's default γ", () => {
  assert.deepEqual(resolve({ name: "step", step_size: 10, gamma: 0.5 }), {
    name: "sgd",
    lr: 0.1,
    momentum: 0,
    "weight_decay": 0,
    schedule: { name: "step", "step_size": 10, gamma: 0.5 },
  });
  assert.deepEqual(resolve({ name: "multistep", milestones: [3, 7] }, "adam").schedule, {
    name: "multistep",
    milestones: [3, 7],
    gamma: 0.1,
  });
  assert.deepEqual(resolve({ name: "exponential", gamma: 0.95 }).schedule, {
    name: "exponential",
    gamma: 0.95,
  });
});

Deno.test("without a schedule the resolved optimizer has no schedule key", () => {
  for (const name of ["sgd", "adam"]) {
    const o = resolveHyper({ optimizer: OPTIMIZER_SECTION }, { optimizer: { name } }, "")
      .optimizer as Record<string, unknown>;
    assert.ok(!("schedule" in o), name);
    assert.ok(!("schedule" in resolve(null, name)), `${name}, schedule: null`);
  }
});

Deno.test("bad schedules are one-line SchemaErrors naming optimizer.schedule.<key>", () => {
  const cases: [unknown, RegExp][] = [
    [
      { name: "step", step_size: 0, gamma: 0.5 },
      /^SchemaError: optimizer\.schedule\.step_size: expected an integer ≥ 1, got 0$/,
    ],
    [
      { name: "step", step_size: 2.5 },
      /^SchemaError: optimizer\.schedule\.step_size: expected an integer ≥ 1, got 2\.5$/,
    ],
    [
      { name: "step", gamma: 0.5 },
      /^SchemaError: optimizer\.schedule\.step_size: missing; expected an integer ≥ 1$/,
    ],
    [
      { name: "step", step_size: 2, gamma: 0 },
      /^SchemaError: optimizer\.schedule\.gamma: expected a number > 0, got 0$/,
    ],
    [
      { name: "exponential", gamma: -0.5 },
      /^SchemaError: optimizer\.schedule\.gamma: expected a number > 0, got -0\.5$/,
    ],
    [
      { name: "exponential" },
      /^SchemaError: optimizer\.schedule\.gamma: missing; expected a number > 0$/,
    ],
    [
      { name: "multistep", milestones: [0, 4] },
      /^SchemaError: optimizer\.schedule\.milestones: expected a list of at least 1 integers > 0, got \[0,4\]$/,
    ],
    [
      { name: "multistep", milestones: [] },
      /^SchemaError: optimizer\.schedule\.milestones: expected a list of at least 1 integers > 0, got \[\]$/,
    ],
    [
      { name: "cosine" },
      /^SchemaError: optimizer\.schedule\.name: expected one of step, exponential, multistep, got "cosine"$/,
    ],
    [
      { step_size: 2 },
      /^SchemaError: optimizer\.schedule\.name: expected one of step, exponential, multistep, got nothing$/,
    ],
    [
      { name: "exponential", gamma: 0.5, step_size: 2 },
      /^SchemaError: optimizer\.schedule\.step_size: unknown key \(value 2\); expected one of name, gamma$/,
    ],
    ["step", /^SchemaError: optimizer\.schedule: expected a mapping, got "step"$/],
  ];
  for (const [schedule, re] of cases) {
    for (const name of ["sgd", "adam"]) assert.throws(() => resolve(schedule, name), re);
  }
});

Deno.test("milestones must be strictly increasing", () => {
  for (const milestones of [[5, 2], [3, 3], [1, 4, 4, 9]]) {
    const s = resolve({ name: "multistep", milestones }).schedule as LrScheduleSpec;
    assert.throws(
      () => checkLrSchedule(s),
      new RegExp(
        `^SchemaError: optimizer\\.schedule\\.milestones: expected strictly increasing integers > 0, got \\[${milestones}\\]$`,
      ),
    );
  }
  checkLrSchedule({ name: "multistep", milestones: [1, 2, 10], gamma: 0.1 });
  checkLrSchedule({ name: "step", step_size: 1, gamma: 0.1 });
  checkLrSchedule(undefined);
});
