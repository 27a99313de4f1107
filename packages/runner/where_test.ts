// Trial filters against their definition: a trial is kept when every path named holds one of the
// values given for it; paths and values no trial has are refused.
import assert from "node:assert/strict";
import { filterTrials, parseWhere } from "./where.ts";

const TRIALS = [0.1, 0.005].flatMap((lr) =>
  ["pc", "bp"].flatMap((rule) =>
    [0, 1].map((seed) => ({
      id: `${lr}-${rule}-${seed}`,
      config: { optimizer: { lr }, rule: { name: rule }, dataset: { per_class: 6000 }, seed },
    }))
  )
);

Deno.test("parseWhere reads the path before the first = and the value after it as YAML", () => {
  assert.deepEqual(parseWhere("optimizer.lr=5e-3"), { path: "optimizer.lr", value: 0.005 });
  assert.deepEqual(parseWhere("rule.name=pc"), { path: "rule.name", value: "pc" });
  assert.deepEqual(parseWhere("dataset.target_values=[-1, 1]"), {
    path: "dataset.target_values",
    value: [-1, 1],
  });
  assert.deepEqual(parseWhere("note=a=b"), { path: "note", value: "a=b" });
  assert.deepEqual(parseWhere("x="), { path: "x", value: null });
  for (const bad of ["lr", "=1", "a..b=1", "a.=1"]) {
    assert.throws(() => parseWhere(bad), /^ConfigError: Invalid --where .*expected path=value/);
  }
  assert.throws(() => parseWhere("a=[1, 2"), /the value "\[1, 2" is not a YAML value/);
});

Deno.test("filterTrials keeps any value of one path and all paths, in the sweep's order", () => {
  const ids = (f: Parameters<typeof filterTrials>[1]) => filterTrials(TRIALS, f).map((t) => t.id);
  assert.deepEqual(ids([]), TRIALS.map((t) => t.id));
  assert.deepEqual(ids([{ path: "rule.name", value: "pc" }]), [
    "0.1-pc-0",
    "0.1-pc-1",
    "0.005-pc-0",
    "0.005-pc-1",
  ]);
  // 5e-3 and 0.005 are one number; two values of one path: either.
  assert.deepEqual(
    ids([{ path: "optimizer.lr", value: 5e-3 }, { path: "seed", value: 1 }]),
    ["0.005-pc-1", "0.005-bp-1"],
  );
  assert.deepEqual(
    ids([{ path: "seed", value: 1 }, { path: "seed", value: 0 }, {
      path: "rule.name",
      value: "bp",
    }]),
    ["0.1-bp-0", "0.1-bp-1", "0.005-bp-0", "0.005-bp-1"],
  );
  // A path every trial has with one value keeps them all.
  assert.equal(ids([{ path: "dataset.per_class", value: 6000 }]).length, TRIALS.length);
});

Deno.test("filterTrials refuses a path or a value no trial has, naming what the sweep has", () => {
  assert.throws(
    () => filterTrials(TRIALS, [{ path: "optimizer.rate", value: 0.1 }]),
    /^ConfigError: Invalid --where path "optimizer.rate": no trial of this experiment has it/,
  );
  assert.throws(
    () => filterTrials(TRIALS, [{ path: "optimizer.lr", value: 0.05 }]),
    /^ConfigError: Invalid --where optimizer.lr=0.05: no trial has that value; expected one of 0.1, 0.005$/,
  );
  // One value present and one absent is still a typo.
  assert.throws(
    () =>
      filterTrials(TRIALS, [{ path: "rule.name", value: "pc" }, {
        path: "rule.name",
        value: "fa",
      }]),
    /rule.name="fa": no trial has that value; expected one of "pc", "bp"/,
  );
});
