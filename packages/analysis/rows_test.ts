import assert from "node:assert/strict";
import {
  compareCells,
  distinct,
  filterRows,
  flatten,
  formatCell,
  groupRows,
  type Row,
} from "./rows.ts";

Deno.test("flatten makes dotted columns and keeps arrays as JSON text", () => {
  const row = flatten({
    name: "x",
    rule: { name: "pc", gamma: 0.1, inner: { t: 128 } },
    network: { sizes: [784, 64, 10], bias: false },
    dataset: { options: {} },
    skipped: undefined,
  });
  assert.deepEqual(row, {
    name: "x",
    "rule.name": "pc",
    "rule.gamma": 0.1,
    "rule.inner.t": 128,
    "network.sizes": "[784,64,10]",
    "network.bias": false,
    "dataset.options": "{}",
  });
  assert.deepEqual(flatten({ a: 1 }, "summary"), { "summary.a": 1 });
});

Deno.test("formatCell rounds to significant digits and trims zeros", () => {
  assert.equal(formatCell(0.1 + 0.2, 4), "0.3");
  assert.equal(formatCell(123456.789, 4), "1.235e+5");
  assert.equal(formatCell(0.000012345, 3), "0.0000123");
  assert.equal(formatCell(1.5e-8, 3), "1.5e-8");
  assert.equal(formatCell(42, 2), "42");
  assert.equal(formatCell(NaN), "");
  assert.equal(formatCell(true), "true");
});

Deno.test("filterRows matches values, sets, numeric text and predicates", () => {
  const rows: Row[] = [
    { rule: "bp", lr: 0.1, seed: 0 },
    { rule: "fa", lr: 0.01, seed: 0 },
    { rule: "pc", lr: 0.1, seed: 1 },
    { rule: "bp", lr: 0.01, seed: 1 },
  ];
  assert.deepEqual(filterRows(rows, { rule: "bp" }).map((r) => r.lr), [0.1, 0.01]);
  assert.deepEqual(filterRows(rows, { rule: ["bp", "pc"], lr: "0.1" }).map((r) => r.rule), [
    "bp",
    "pc",
  ]);
  assert.deepEqual(filterRows(rows, { seed: (c) => c === 1 }).map((r) => r.rule), ["pc", "bp"]);
  assert.equal(filterRows(rows, { missing: null }).length, 4);
  assert.equal(filterRows(rows, { missing: "x" }).length, 0);
});

Deno.test("groupRows sorts groups by key values and keeps row order inside", () => {
  const rows: Row[] = [
    { rule: "fa", depth: 10, i: 0 },
    { rule: "bp", depth: 2, i: 1 },
    { rule: "fa", depth: 2, i: 2 },
    { rule: "bp", depth: 2, i: 3 },
    { rule: "fa", depth: 10, i: 4 },
  ];
  const groups = groupRows(rows, ["rule", "depth"]);
  assert.deepEqual(groups.map((g) => g.label), ["bp, 2", "fa, 2", "fa, 10"]);
  assert.deepEqual(groups.map((g) => g.rows.map((r) => r.i)), [[1, 3], [2], [0, 4]]);
  assert.deepEqual(groups[2]!.key, { rule: "fa", depth: 10 });
  const all = groupRows(rows, []);
  assert.equal(all.length, 1);
  assert.equal(all[0]!.label, "all");
  assert.equal(all[0]!.rows.length, 5);
});

Deno.test("compareCells orders numbers numerically before text, null last", () => {
  assert.deepEqual([null, "b", 10, "a", 9, false].sort(compareCells), [
    9,
    10,
    false,
    "a",
    "b",
    null,
  ]);
  assert.deepEqual(distinct([{ a: 3 }, { a: 1 }, {}, { a: 3 }], "a"), [1, 3, null]);
});
