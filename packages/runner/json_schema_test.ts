import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join, relative } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { getLearner, type HyperField, learnerNames } from "@plasticity/core";
import "./registry.ts";
import { ConfigError } from "./config.ts";
import { experimentJsonSchema } from "./json_schema.ts";
import { expandTrials } from "./runner.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const schema = experimentJsonSchema();
// An independent validator (Ajv, draft 2020-12) is the oracle for what the schema states.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
const validate = ajv.compile(schema);

function accepted(config: unknown): boolean {
  return validate(config) === true;
}

async function runnerAccepts(config: Record<string, unknown>): Promise<boolean> {
  try {
    await expandTrials(config);
    return true;
  } catch (e) {
    if (e instanceof ConfigError) return false;
    throw e;
  }
}

const BASE = {
  name: "schema-probe",
  dataset: { name: "sine", train_size: 16, test_size: 8 },
  network: { sizes: [1, 4, 1], activation: "tanh" },
  rule: { name: "bp" },
  optimizer: { name: "sgd", lr: 0.1 },
  epochs: 1,
  "batch_size": 4,
  seeds: [0],
};

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) out.push(...yamlFiles(p));
    else if (e.name.endsWith(".yaml")) out.push(p);
  }
  return out.sort();
}

Deno.test("the committed experiment.schema.json is the one the registered schemas give", () => {
  const committed = Deno.readTextFileSync(join(ROOT, "apps/run/experiment.schema.json"));
  assert.equal(
    committed,
    JSON.stringify(schema, null, 2) + "\n",
    "regenerate it with: deno task run schema --out apps/run/experiment.schema.json",
  );
});

Deno.test("every top-level key the runner knows is in the schema, and no other", async () => {
  const { TOP_LEVEL_KEYS } = await import("./config.ts");
  const props = Object.keys((schema as { properties: Record<string, unknown> }).properties);
  assert.deepEqual([...props].sort(), [...TOP_LEVEL_KEYS].sort());
});

Deno.test("every committed config (examples, figures, fingerprints) satisfies the schema", () => {
  const files = [
    ...yamlFiles(join(ROOT, "apps/run/examples")),
    ...yamlFiles(join(ROOT, "apps/reproduce/figures")),
    ...yamlFiles(join(ROOT, "tools/fingerprint")),
  ];
  assert.ok(files.length >= 30, `found only ${files.length} configs`);
  for (const f of files) {
    const config = parse(Deno.readTextFileSync(f));
    assert.ok(
      accepted(config),
      `${relative(ROOT, f)}: ${ajv.errorsText(validate.errors)}`,
    );
  }
});

// Each bad config is refused by the runner (the reference) and by the schema.
const BAD: [string, Record<string, unknown>][] = [
  ["unknown top-level key", { ...BASE, epoch: 3 }],
  ["epochs as a string", { ...BASE, epochs: "ten" }],
  ["negative epochs", { ...BASE, epochs: -1 }],
  ["fractional batch size", { ...BASE, batch_size: 2.5 }],
  ["unknown rule", { ...BASE, rule: { name: "nope" } }],
  ["unknown rule key", { ...BASE, rule: { name: "fa", lr: 0.1 } }],
  ["a key of another optimiser", { ...BASE, optimizer: { name: "sgd", lr: 0.1, beta1: 0.9 } }],
  ["unknown optimiser", { ...BASE, optimizer: { name: "rmsprop", lr: 0.1 } }],
  ["unknown loss shorthand", { ...BASE, loss: "hinge" }],
  ["unknown activation", { ...BASE, network: { sizes: [1, 4, 1], activation: "swish9" } }],
  ["unknown dataset option", { ...BASE, dataset: { name: "sine", per_klass: 3 } }],
  ["unknown dataset", { ...BASE, dataset: "imagenet" }],
  ["metrics.every 0", { ...BASE, metrics: { every: 0 } }],
  ["unknown backend", { ...BASE, backend: "cuda" }],
  ["bad name", { ...BASE, name: "Has Spaces" }],
  ["negative seed", { ...BASE, seeds: [-1] }],
  ["checkpoint.every negative", { ...BASE, checkpoint: { every: -1 } }],
  ["unknown drift key", { ...BASE, drift: { every: 2, classes: [1], often: true } }],
  ["grid value not a list", { ...BASE, grid: { "optimizer.lr": 0.1 } }],
  ["unknown schedule", {
    ...BASE,
    optimizer: { name: "sgd", lr: 0.1, schedule: { name: "cosine" } },
  }],
];

for (const [what, config] of BAD) {
  Deno.test(`refused by the runner and by the schema: ${what}`, async () => {
    assert.equal(await runnerAccepts(config), false, "the runner must refuse it");
    assert.equal(accepted(config), false, "the schema must refuse it");
  });
}

Deno.test("the probe's base config is accepted by both, also in its shorthand forms", async () => {
  for (
    const c of [
      BASE,
      { ...BASE, rule: "bp", dataset: "sine", loss: "mse", checkpoint: true },
      { ...BASE, init_from: { config: "other.yaml" }, seed: 3 },
    ]
  ) {
    assert.ok(accepted(c), ajv.errorsText(validate.errors));
  }
  assert.ok(await runnerAccepts(BASE));
});

/** A value just outside the field's bounds or choices, when it has them. */
function outside(f: HyperField): unknown {
  switch (f.type) {
    case "number":
      if (f.min !== undefined) return f.min - 1;
      if (f.above !== undefined) return f.above;
      if (f.max !== undefined) return f.max + 1;
      return f.integer ? 0.5 : undefined;
    case "string":
      return f.enum ? "not-a-choice" : 7;
    case "boolean":
      return "yes";
    case "choice":
      return "not-a-choice";
    default:
      return undefined;
  }
}

Deno.test("every bound of every rule's settings: the schema refuses what the runner refuses", async () => {
  let probed = 0;
  for (const name of learnerNames()) {
    const def = getLearner(name);
    const base = {
      ...BASE,
      rule: { name },
      ...(def.optimizer ? {} : { optimizer: undefined }),
    };
    if (!def.optimizer) delete (base as Record<string, unknown>).optimizer;
    assert.ok(accepted(base), `${name}: ${ajv.errorsText(validate.errors)}`);
    if (!(await runnerAccepts(base))) continue; // needs more than the probe's net (e.g. sizes)
    for (const [key, field] of Object.entries(def.hyper)) {
      const bad = outside(field);
      if (bad === undefined) continue;
      const config = { ...base, rule: { name, [key]: bad } };
      assert.equal(await runnerAccepts(config), false, `runner: rule ${name}.${key} = ${bad}`);
      assert.equal(accepted(config), false, `schema: rule ${name}.${key} = ${bad}`);
      probed++;
    }
  }
  assert.ok(probed >= 40, `only ${probed} bounds probed`);
});
