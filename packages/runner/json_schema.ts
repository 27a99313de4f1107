/**
 * The JSON Schema of an experiment config, generated from the schemas the runner validates with
 * (the runner's own keys, core's network, optimiser and loss sections, each registered rule's
 * settings, each dataset's options, the `tasks`/`drift` protocols and the simulations that
 * declare their parameters), so an editor autocompletes and checks the YAML as it is typed.
 *
 * What it states: every key's name, type, bounds, allowed values, default and documentation;
 * unknown keys; which keys each rule, dataset or variant (`optimizer.name`, `loss.kind`,
 * `init.kind`) takes. What only the runner checks: keys that must be present (a `grid` may give
 * them), checks across keys (e.g. `uniform.high > low`), the limits on products of counts, and
 * how grid points combine.
 *
 * @module
 */
import {
  getLearner,
  getSimulation,
  type HyperField,
  type HyperSchema,
  learnerNames,
  LOSS_SECTION,
  NETWORK_SECTION,
  OPTIMIZER_SECTION,
  type SectionField,
  simulationNames,
  type Variants,
} from "@plasticity/core";
import { DATASET_NAMES, datasetSchema } from "@plasticity/datasets";
import { CONFIG_LIMITS, RUNNER_SCHEMAS } from "./config.ts";
import { DRIFT_SCHEMA, TASKS_SCHEMA } from "./protocol.ts";

/** A JSON Schema (draft 2020-12) node, as plain data. */
export type JsonSchema = { [key: string]: unknown };

/**
 * The JSON Schema (draft 2020-12) of one field of a {@linkcode HyperSchema}.
 *
 * @param f The field.
 * @returns The JSON Schema node: type, bounds, enum, default and description.
 *
 * @example
 * ```ts
 * import { fieldJsonSchema } from "@plasticity/runner/json-schema";
 * const s = fieldJsonSchema({ type: "number", integer: true, min: 1, default: 2, doc: "steps" });
 * console.assert(s.type === "integer" && s.minimum === 1 && s.default === 2);
 * ```
 */
export function fieldJsonSchema(f: HyperField): JsonSchema {
  const meta: JsonSchema = { description: f.doc };
  if (f.type !== "section" && f.default !== undefined && typeof f.default !== "function") {
    meta.default = f.default;
  }
  switch (f.type) {
    case "number":
      return { type: f.integer ? "integer" : "number", ...numberBounds(f), ...meta };
    case "string":
      return f.enum
        ? { type: "string", enum: [...f.enum], ...meta }
        : { type: "string", minLength: 1, ...meta };
    case "boolean":
      return { type: "boolean", ...meta };
    case "numbers":
      return {
        type: "array",
        items: { type: f.integer ? "integer" : "number", ...numberBounds(f) },
        ...(f.minItems === undefined ? {} : { minItems: f.minItems }),
        ...meta,
      };
    case "choice": {
      const one = { type: "string", enum: [...f.enum] };
      return f.list
        ? { anyOf: [one, { type: "array", items: one }], ...meta }
        : { ...one, ...meta };
    }
    case "section":
      return sectionJsonSchema(f);
    case "list":
      return {
        type: "array",
        items: sectionJsonSchema(f.item),
        ...(f.minItems === undefined ? {} : { minItems: f.minItems }),
        ...meta,
      };
  }
}

function numberBounds(f: { min?: number; max?: number; above?: number }): JsonSchema {
  return {
    ...(f.min === undefined ? {} : { minimum: f.min }),
    ...(f.max === undefined ? {} : { maximum: f.max }),
    ...(f.above === undefined ? {} : { exclusiveMinimum: f.above }),
  };
}

/**
 * A mapping of the keys of `schema`, unknown keys refused; `extra` adds keys the schema does not
 * hold (e.g. the variant key).
 */
function mappingJsonSchema(schema: HyperSchema, extra: JsonSchema = {}): JsonSchema {
  const properties: JsonSchema = { ...extra };
  for (const [key, field] of Object.entries(schema)) properties[key] = fieldJsonSchema(field);
  return { type: "object", properties, additionalProperties: false };
}

/**
 * Variants chosen by one key: one `if`/`then` per variant (so an editor reports the chosen
 * variant's errors alone). The key may be left out for the default variant.
 */
function variantsJsonSchema(v: Variants): JsonSchema {
  const names = Object.keys(v.variants);
  return {
    type: "object",
    properties: { [v.by]: { type: "string", enum: names } },
    allOf: names.map((name) => ({
      if: name === v.default
        ? {
          anyOf: [{ not: { required: [v.by] } }, {
            properties: { [v.by]: { const: name } },
            required: [v.by],
          }],
        }
        : { properties: { [v.by]: { const: name } }, required: [v.by] },
      then: mappingJsonSchema(v.variants[name]!, { [v.by]: { const: name } }),
    })),
    ...(v.default === undefined ? { required: [v.by] } : {}),
  };
}

/**
 * The keyed forms of variants ({@linkcode Variants.keyed}): `{variant: mapping}`,
 * `{variant: null}` or `{variant: scalar}` for a variant with a scalar key.
 */
function keyedJsonSchemas(v: Variants): JsonSchema[] {
  if (!v.keyed) return [];
  return Object.entries(v.variants).map(([name, schema]) => {
    const forms: JsonSchema[] = [mappingJsonSchema(schema), { type: "null" }];
    const scalar = v.keyed![name];
    if (scalar !== undefined && schema[scalar]) forms.push(fieldJsonSchema(schema[scalar]!));
    return {
      type: "object",
      properties: { [name]: { anyOf: forms } },
      required: [name],
      additionalProperties: false,
    };
  });
}

function sectionJsonSchema(f: SectionField): JsonSchema {
  const keyed = "variants" in f.schema ? keyedJsonSchemas(f.schema as Variants) : [];
  const plain = "variants" in f.schema
    ? variantsJsonSchema(f.schema as Variants)
    : mappingJsonSchema(f.schema as HyperSchema);
  const body = keyed.length ? { anyOf: [plain, ...keyed] } : plain;
  if (f.shorthand === undefined) return { ...body, description: f.doc };
  const shorthand = "variants" in f.schema && (f.schema as Variants).by === f.shorthand
    ? { type: "string", enum: Object.keys((f.schema as Variants).variants) }
    : { type: "string", minLength: 1 };
  return { anyOf: [shorthand, body], description: f.doc };
}

/** A section named by its `name` key (`rule`, `dataset`, `simulation`): a name alone, or a mapping. */
function namedJsonSchema(
  doc: string,
  variants: Record<string, JsonSchema>,
): JsonSchema {
  const names = Object.keys(variants).sort();
  return {
    description: doc,
    anyOf: [
      { type: "string", enum: names },
      {
        type: "object",
        properties: { name: { type: "string", enum: names } },
        required: ["name"],
        allOf: names.map((name) => ({
          if: { properties: { name: { const: name } }, required: ["name"] },
          then: variants[name],
        })),
      },
    ],
  };
}

function ruleVariants(): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const name of learnerNames()) {
    const def = getLearner(name);
    out[name] = mappingJsonSchema(def.hyper, {
      name: { const: name, description: def.description },
    });
  }
  return out;
}

function datasetVariants(): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const name of DATASET_NAMES) {
    out[name] = mappingJsonSchema(datasetSchema(name), { name: { const: name } });
  }
  return out;
}

function simulationVariants(): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const name of simulationNames()) {
    const def = getSimulation(name);
    out[name] = {
      type: "object",
      properties: {
        name: { const: name, description: def.description },
        params: def.schema
          ? mappingJsonSchema(def.schema)
          : { type: "object", description: "the simulation's parameters" },
      },
      additionalProperties: false,
    };
  }
  return out;
}

/**
 * The JSON Schema (draft 2020-12) of an experiment config, for the rules, datasets and
 * simulations registered when it is called (import `@plasticity/runner/registry` first for the
 * toolkit's own). `deno task run schema` prints it.
 *
 * @returns The schema, as plain data (`JSON.stringify` it).
 *
 * @example
 * ```ts
 * import "@plasticity/runner/registry";
 * import { experimentJsonSchema } from "@plasticity/runner/json-schema";
 * const s = experimentJsonSchema() as { properties: Record<string, unknown> };
 * console.assert("rule" in s.properties && "grid" in s.properties);
 * ```
 */
export function experimentJsonSchema(): JsonSchema {
  const seed = {
    type: "integer",
    minimum: 0,
    maximum: 4294967295,
    description: "seed of a trial",
  };
  const properties: JsonSchema = {
    name: {
      type: "string",
      pattern: "^[a-z0-9][a-z0-9_-]*$",
      maxLength: CONFIG_LIMITS.nameLength,
      description: "the experiment's name; it names the results folder",
    },
    ...mappingJsonSchema(RUNNER_SCHEMAS.run).properties as JsonSchema,
    ...mappingJsonSchema(RUNNER_SCHEMAS.learner).properties as JsonSchema,
    dataset: namedJsonSchema("the dataset and its options", datasetVariants()),
    network: fieldJsonSchema(NETWORK_SECTION),
    rule: namedJsonSchema("the learning rule and its settings", ruleVariants()),
    optimizer: fieldJsonSchema(OPTIMIZER_SECTION),
    loss: fieldJsonSchema(LOSS_SECTION),
    checkpoint: {
      description: "learner: save the weights (`weights.json`) at the end, and every `every` " +
        "epochs; simulation: save its state every `every` records, from which a rerun of the " +
        "unfinished trial resumes",
      anyOf: [
        { const: true },
        mappingJsonSchema(RUNNER_SCHEMAS.checkpoint),
      ],
    },
    "init_from": {
      description: "start each seed from the trial with that seed of another experiment config " +
        "(its path relative to this file)",
      anyOf: [
        { type: "string", minLength: 1 },
        {
          type: "object",
          properties: { config: { type: "string", minLength: 1 } },
          required: ["config"],
          additionalProperties: false,
        },
      ],
    },
    tasks: mappingJsonSchema(TASKS_SCHEMA, {
      classes: {
        type: "array",
        minItems: 1,
        items: { type: "array", minItems: 1, items: { type: "integer", minimum: 0 } },
        description: "the class lists of the tasks, in order",
      },
    }),
    drift: mappingJsonSchema(DRIFT_SCHEMA),
    simulation: namedJsonSchema("the simulation and its parameters", simulationVariants()),
    seeds: {
      type: "array",
      items: seed,
      minItems: 1,
      maxItems: CONFIG_LIMITS.seeds,
      description: "one trial per seed (per grid point)",
    },
    seed,
    grid: {
      type: "object",
      description: "the values to sweep, by key path (`optimizer.lr`, `rule`): one trial per " +
        "combination and seed",
      additionalProperties: { type: "array", minItems: 1 },
    },
  };
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "plasticity experiment config",
    type: "object",
    properties,
    additionalProperties: false,
  };
}
