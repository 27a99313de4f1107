import assert from "node:assert/strict";
import { type HyperSchema, resolveHyper } from "./hyper.ts";

const schema: HyperSchema = {
  lr: { type: "number", default: 0.1, min: 0, doc: "learning rate" },
  steps: { type: "number", default: 10, integer: true, min: 1, doc: "inference steps" },
  mode: { type: "string", default: "last", enum: ["last", "all"], doc: "when to update" },
  sign: { type: "boolean", default: false, doc: "random sign" },
  rates: { type: "numbers", default: [1, 2], doc: "per-layer rates" },
};

Deno.test("resolveHyper() fills defaults and keeps given values", () => {
  assert.deepEqual(resolveHyper(schema, { lr: 0.5 }, "rule"), {
    lr: 0.5,
    steps: 10,
    mode: "last",
    sign: false,
    rates: [1, 2],
  });
});

Deno.test("resolveHyper() names the key path, the value and what was expected", () => {
  assert.throws(
    () => resolveHyper(schema, { lrr: 1 }, "rule"),
    /^Error: rule\.lrr: unknown key; expected one of lr, steps, mode, sign, rates$/,
  );
  assert.throws(
    () => resolveHyper(schema, { lr: "fast" }, "rule"),
    /rule\.lr: expected a number ≥ 0, got "fast"/,
  );
  assert.throws(
    () => resolveHyper(schema, { steps: 2.5 }, "rule"),
    /rule\.steps: expected an integer ≥ 1, got 2\.5/,
  );
  assert.throws(
    () => resolveHyper(schema, { mode: "some" }, "rule"),
    /rule\.mode: expected one of last, all, got "some"/,
  );
  assert.throws(
    () => resolveHyper(schema, { sign: 1 }, "rule"),
    /rule\.sign: expected true or false, got 1/,
  );
  assert.throws(
    () => resolveHyper(schema, { rates: [1, "x"] }, "rule"),
    /rule\.rates: expected a list of numbers/,
  );
  assert.throws(
    () => resolveHyper({ x: { type: "number", doc: "x" } }, {}, "rule"),
    /rule\.x: missing; expected a number/,
  );
});
