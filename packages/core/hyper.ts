/**
 * Schema-checked hyper-parameters: every rule declares its keys, types and defaults, and
 * {@linkcode resolveHyper} fills the defaults and rejects unknown keys and wrong types with an
 * error naming the key path, the value and what was expected.
 *
 * @module
 */

/** One hyper-parameter's type, default and documentation. */
export type HyperField =
  | { type: "number"; default?: number; min?: number; max?: number; integer?: boolean; doc: string }
  | { type: "string"; default?: string; enum?: readonly string[]; doc: string }
  | { type: "boolean"; default?: boolean; doc: string }
  | { type: "numbers"; default?: readonly number[]; doc: string };

/** A rule's hyper-parameter schema. */
export type HyperSchema = Record<string, HyperField>;

/** A resolved hyper-parameter value. */
export type HyperValue = number | string | boolean | readonly number[];

function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/**
 * Validates `given` against `schema`, filling defaults.
 *
 * @param schema The schema.
 * @param given The user's values (e.g. from YAML).
 * @param where The key path prefix for messages, e.g. `rule`.
 * @returns Every key of the schema with a value.
 *
 * @example
 * ```ts
 * import { resolveHyper } from "@plasticity/core";
 * const h = resolveHyper({ lr: { type: "number", default: 0.1, doc: "learning rate" } }, {}, "rule");
 * console.assert(h.lr === 0.1);
 * ```
 */
export function resolveHyper(
  schema: HyperSchema,
  given: Record<string, unknown> | undefined,
  where: string,
): Record<string, HyperValue> {
  const g = given ?? {};
  if (typeof g !== "object" || Array.isArray(g)) {
    throw new Error(`${where}: expected a mapping, got ${show(g)}`);
  }
  for (const key of Object.keys(g)) {
    if (!(key in schema)) {
      throw new Error(
        `${where}.${key}: unknown key; expected one of ${Object.keys(schema).join(", ")}`,
      );
    }
  }
  const out: Record<string, HyperValue> = {};
  for (const [key, f] of Object.entries(schema)) {
    const path = `${where}.${key}`;
    const v = g[key] ?? f.default;
    if (v === undefined) throw new Error(`${path}: missing; expected ${expected(f)}`);
    switch (f.type) {
      case "number": {
        if (typeof v !== "number" || !Number.isFinite(v)) {
          throw new Error(`${path}: expected ${expected(f)}, got ${show(v)}`);
        }
        if (f.integer && !Number.isInteger(v)) {
          throw new Error(`${path}: expected ${expected(f)}, got ${show(v)}`);
        }
        if (f.min !== undefined && v < f.min) {
          throw new Error(`${path}: expected ${expected(f)}, got ${show(v)}`);
        }
        if (f.max !== undefined && v > f.max) {
          throw new Error(`${path}: expected ${expected(f)}, got ${show(v)}`);
        }
        break;
      }
      case "string":
        if (typeof v !== "string" || (f.enum && !f.enum.includes(v))) {
          throw new Error(`${path}: expected ${expected(f)}, got ${show(v)}`);
        }
        break;
      case "boolean":
        if (typeof v !== "boolean") {
          throw new Error(`${path}: expected ${expected(f)}, got ${show(v)}`);
        }
        break;
      case "numbers":
        if (!Array.isArray(v) || !v.every((x) => typeof x === "number" && Number.isFinite(x))) {
          throw new Error(`${path}: expected ${expected(f)}, got ${show(v)}`);
        }
        break;
    }
    out[key] = v as HyperValue;
  }
  return out;
}

function expected(f: HyperField): string {
  switch (f.type) {
    case "number": {
      const parts = [f.integer ? "an integer" : "a number"];
      if (f.min !== undefined) parts.push(`≥ ${f.min}`);
      if (f.max !== undefined) parts.push(`≤ ${f.max}`);
      return parts.join(" ");
    }
    case "string":
      return f.enum ? `one of ${f.enum.join(", ")}` : "a string";
    case "boolean":
      return "true or false";
    case "numbers":
      return "a list of numbers";
  }
}
