import assert from "node:assert/strict";
import { type HyperSchema, resolveHyper, schemaDefaults } from "./hyper.ts";

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
    /^SchemaError: rule\.lrr: unknown key \(value 1\); expected one of lr, steps, mode, sign, rates$/,
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

const sections: HyperSchema = {
  opt: {
    type: "section",
    shorthand: "name",
    doc: "an optimiser",
    schema: {
      by: "name",
      default: "sgd",
      variants: {
        sgd: { lr: { type: "number", default: 0.01, min: 0, doc: "rate" } },
        adam: {
          lr: { type: "number", default: 0.001, min: 0, doc: "rate" },
          eps: { type: "number", default: 1e-8, above: 0, doc: "ε" },
        },
      },
    },
  },
  range: {
    type: "section",
    optional: true,
    doc: "an interval",
    schema: {
      low: { type: "number", doc: "low" },
      high: { type: "number", aboveKey: "low", doc: "high" },
    },
  },
  acts: { type: "choice", enum: ["relu", "tanh"], list: true, default: "tanh", doc: "act" },
};

Deno.test("resolveHyper() resolves sections: variants, shorthand, optional sections", () => {
  assert.deepEqual(resolveHyper(sections, {}, ""), {
    opt: { name: "sgd", lr: 0.01 },
    acts: "tanh",
  });
  assert.deepEqual(resolveHyper(sections, { opt: "adam" }, "").opt, {
    name: "adam",
    lr: 0.001,
    eps: 1e-8,
  });
  assert.deepEqual(resolveHyper(sections, { range: { low: -1, high: 2 } }, "").range, {
    low: -1,
    high: 2,
  });
  assert.deepEqual(resolveHyper(sections, { acts: ["relu", "tanh"] }, "").acts, ["relu", "tanh"]);
});

Deno.test("resolveHyper() errors inside sections name the full key path", () => {
  assert.throws(
    () => resolveHyper(sections, { opt: { name: "sgd", eps: 1 } }, "x"),
    /^SchemaError: x\.opt\.eps: unknown key \(value 1\); expected one of name, lr$/,
  );
  assert.throws(
    () => resolveHyper(sections, { opt: { name: "rmsprop" } }, ""),
    /^SchemaError: opt\.name: expected one of sgd, adam, got "rmsprop"$/,
  );
  assert.throws(
    () => resolveHyper(sections, { opt: { name: "adam", eps: 0 } }, ""),
    /^SchemaError: opt\.eps: expected a number > 0, got 0$/,
  );
  assert.throws(
    () => resolveHyper(sections, { range: { low: 1, high: 1 } }, ""),
    /^SchemaError: range\.high: expected a number > low \(1\), got 1$/,
  );
  assert.throws(
    () => resolveHyper(sections, { range: { high: 1 } }, ""),
    /^SchemaError: range\.low: missing; expected a number$/,
  );
  assert.throws(
    () => resolveHyper(sections, { acts: ["relu", "gelu"] }, ""),
    /^SchemaError: acts\[1\]: expected one of relu, tanh, or a list of them, got "gelu"$/,
  );
  assert.throws(
    () => resolveHyper(sections, { opt: 3 }, ""),
    /^SchemaError: opt: expected a mapping/,
  );
});

Deno.test("resolveHyper() evaluates a default that depends on other keys after the plain ones", () => {
  const s: HyperSchema = {
    steps: {
      type: "number",
      integer: true,
      default: (v) => v.variant === "long" ? 51 : 128,
      doc: "steps",
    },
    variant: { type: "string", default: "short", enum: ["short", "long"], doc: "variant" },
  };
  assert.deepEqual(resolveHyper(s, {}, "rule"), { steps: 128, variant: "short" });
  assert.deepEqual(resolveHyper(s, { variant: "long" }, "rule"), { steps: 51, variant: "long" });
  assert.deepEqual(resolveHyper(s, { variant: "long", steps: 7 }, "rule"), {
    steps: 7,
    variant: "long",
  });
  // the resolved mapping resolves to itself: validating twice changes nothing
  const once = resolveHyper(s, { variant: "long" }, "rule");
  assert.deepEqual(resolveHyper(s, once, "rule"), once);
});

Deno.test("checks against other keys and function defaults do not depend on declaration order", () => {
  const s: HyperSchema = {
    hi: { type: "number", aboveKey: "lo", doc: "upper bound" },
    lo: { type: "number", doc: "lower bound" },
    twice: { type: "number", default: (v) => 2 * (v.base as number), doc: "2·base" },
    base: { type: "number", default: 1, doc: "base" },
    opt: { type: "section", optional: true, schema: {}, doc: "optional" },
  };
  assert.throws(
    () => resolveHyper(s, { hi: 0, lo: 5 }, "r"),
    /^SchemaError: r\.hi: expected a number > lo \(5\), got 0$/,
  );
  assert.deepEqual(resolveHyper(s, { hi: 6, lo: 5, opt: null }, "r"), {
    hi: 6,
    lo: 5,
    twice: 2,
    base: 1,
  });
  // schemaDefaults resolves like resolveHyper, leaving out only keys without a default
  assert.deepEqual(schemaDefaults(s), { twice: 2, base: 1 });
});
