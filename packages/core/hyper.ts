/**
 * The one schema language of the toolkit. Every setting — a rule's hyper-parameters, the network,
 * optimiser, loss and initialiser sections, a dataset's options, a simulation's parameters — is
 * declared once, beside the code that uses it, as a {@linkcode HyperSchema}: its keys (exactly
 * the keys of the YAML configs), types, bounds, defaults and documentation.
 * {@linkcode resolveHyper} fills the defaults and rejects unknown keys and wrong types with a
 * one-line {@linkcode SchemaError} naming the key path, the value and what was expected.
 *
 * Sections nest ({@linkcode SectionField}); a section may have variants chosen by one key
 * (`optimizer.name`, `loss.kind`, `init.kind`), each with its own keys. A default may depend on
 * other values of the same mapping (a function of the values resolved so far), so conditional
 * defaults are also declared once.
 *
 * @module
 */

/** A resolved value. */
export type HyperValue =
  | number
  | string
  | boolean
  | readonly number[]
  | readonly string[]
  | { readonly [key: string]: HyperValue }
  | readonly { readonly [key: string]: HyperValue }[];

/** Resolved values of a mapping, by key. */
export type HyperValues = Record<string, HyperValue>;

/**
 * A default: a value, or a function of the values of the same mapping resolved so far (fields
 * with plain defaults resolve first, in declaration order).
 */
export type HyperDefault<T> = T | ((resolved: HyperValues) => T);

/** What every scalar and list field has: a default, optionality and a doc line. */
export interface FieldBase<T> {
  /** The default; a key without one (and not `optional`) is required. */
  default?: HyperDefault<T>;
  /** When true and absent with no default, the key is left out of the result. */
  optional?: boolean;
  /** One line on what the key means. */
  doc: string;
}

/** A number, optionally an integer, within bounds. */
export interface NumberField extends FieldBase<number> {
  /** Kind. */
  type: "number";
  /** Smallest allowed value. */
  min?: number;
  /** Largest allowed value. */
  max?: number;
  /** Values must be greater than this. */
  above?: number;
  /** Values must be greater than the value of this other key of the same mapping. */
  aboveKey?: string;
  /** Whether it must be an integer. */
  integer?: boolean;
}

/** A string, optionally one of a list. */
export interface StringField extends FieldBase<string> {
  /** Kind. */
  type: "string";
  /** The allowed values. */
  enum?: readonly string[];
}

/** `true` or `false`. */
export interface BooleanField extends FieldBase<boolean> {
  /** Kind. */
  type: "boolean";
}

/** A list of numbers. */
export interface NumbersField extends FieldBase<readonly number[]> {
  /** Kind. */
  type: "numbers";
  /** Whether every entry must be an integer. */
  integer?: boolean;
  /** Smallest allowed entry. */
  min?: number;
  /** Largest allowed entry. */
  max?: number;
  /** Values must be greater than this. */
  above?: number;
  /** Fewest entries. */
  minItems?: number;
}

/** One string of a list, or (with `list`) a list of them. */
export interface ChoiceField extends FieldBase<string | readonly string[]> {
  /** Kind. */
  type: "choice";
  /** The allowed values. */
  enum: readonly string[];
  /** Whether a list of values is accepted too. */
  list?: boolean;
}

/** Variants of a section, chosen by one key. */
export interface Variants {
  /** The key that chooses, e.g. `name` or `kind`. */
  by: string;
  /** The variant used when the key is absent; without it the key is required. */
  default?: string;
  /** Each variant's schema (its keys besides `by`). */
  variants: Readonly<Record<string, HyperSchema>>;
  /**
   * When present, a mapping may also name its variant as its one key: `{conv: {out: 6}}` reads
   * as `{type: conv, out: 6}` (with `by` = `type`). The variant's value is a mapping of its keys,
   * nothing, or a scalar setting the key this record names for the variant (`{dense: 120}` reads
   * as `{type: dense, out: 120}` with `keyed: {dense: "out"}`). The result has the `by` form.
   */
  keyed?: Readonly<Record<string, string>>;
}

/** A nested mapping with its own schema (or variants); a bare string sets its `shorthand` key. */
export interface SectionField {
  /** Kind. */
  type: "section";
  /** The section's keys, or its variants. */
  schema: HyperSchema | Variants;
  /** The key a bare string gives, e.g. `kind` so that `loss: ce` means `loss: { kind: ce }`. */
  shorthand?: string;
  /** When true, an absent section is left out of the result; otherwise it resolves from `{}`. */
  optional?: boolean;
  /** One line on what the section is. */
  doc: string;
}

/**
 * A list of mappings, each resolved against one section (e.g. a network's layers); an entry's
 * errors name it by index, `network.layers[2].kernel`.
 */
export interface ListField extends FieldBase<readonly HyperValues[]> {
  /** Kind. */
  type: "list";
  /** The section every entry is resolved against. */
  item: SectionField;
  /** Fewest entries. */
  minItems?: number;
}

/** One key's type, bounds, default and documentation. */
export type HyperField =
  | NumberField
  | StringField
  | BooleanField
  | NumbersField
  | ChoiceField
  | SectionField
  | ListField;

/** A schema: every key of a mapping with its field. */
export type HyperSchema = Record<string, HyperField>;

/** A bad setting: the message is one line naming the key path, the value and what was expected. */
export class SchemaError extends Error {
  /**
   * Makes the error.
   *
   * @param message The one-line message.
   */
  constructor(message: string) {
    super(message.split("\n")[0]);
    this.name = "SchemaError";
  }
}

/**
 * A value as it appears in messages: JSON (cut at 80 characters), with the numbers JSON cannot
 * show written as YAML writes them (`.nan`, `.inf`, `-.inf`, also inside lists and mappings),
 * `String(v)` where JSON cannot show a value, and `nothing` for `undefined`. Only the first 80
 * characters are built, so a huge list costs no more than a short one.
 *
 * @param v The value.
 * @returns Its display form.
 *
 * @example
 * ```ts
 * import { showValue } from "@plasticity/core";
 * console.assert(showValue("x") === '"x"' && showValue(undefined) === "nothing");
 * console.assert(showValue([1, NaN, -Infinity]) === "[1,.nan,-.inf]");
 * ```
 */
export function showValue(v: unknown): string {
  if (v === undefined) return "nothing";
  let s: string | undefined;
  try {
    s = shown(v, new Set());
  } catch {
    s = undefined;
  }
  if (s === undefined) return String(v);
  return s.length > 80 ? s.slice(0, 77) + "..." : s;
}

/** The display of a number: JSON, or YAML's `.nan`, `.inf`, `-.inf`. */
function showNumber(n: number): string {
  if (Number.isNaN(n)) return ".nan";
  if (n === Infinity) return ".inf";
  if (n === -Infinity) return "-.inf";
  return JSON.stringify(n);
}

/** JSON-like text of `v`, stopping once it is longer than 80 characters; throws on a cycle. */
function shown(v: unknown, open: Set<object>): string | undefined {
  if (typeof v === "number") return showNumber(v);
  if (v === null || typeof v === "string" || typeof v === "boolean") return JSON.stringify(v);
  if (typeof v !== "object") return undefined;
  if (typeof (v as { toJSON?: unknown }).toJSON === "function") return JSON.stringify(v);
  if (open.has(v)) throw new TypeError("Cyclic value");
  open.add(v);
  let out: string;
  if (Array.isArray(v)) {
    out = "[";
    for (let i = 0; i < v.length && out.length <= 80; i++) {
      out += (i ? "," : "") + (shown(v[i], open) ?? "null");
    }
    out += "]";
  } else {
    out = "{";
    let first = true;
    for (const k in v) {
      if (out.length > 80) break;
      if (!Object.hasOwn(v, k)) continue;
      const x = shown((v as Record<string, unknown>)[k], open);
      if (x === undefined) continue;
      out += (first ? "" : ",") + JSON.stringify(k) + ":" + x;
      first = false;
    }
    out += "}";
  }
  open.delete(v);
  return out;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fail(path: string, expected: string, got: unknown): never {
  throw new SchemaError(`${path}: expected ${expected}, got ${showValue(got)}`);
}

function join(where: string, key: string): string {
  return where ? `${where}.${key}` : key;
}

function bounds(f: { min?: number; max?: number; above?: number }): string[] {
  const parts: string[] = [];
  if (f.above !== undefined) parts.push(`> ${f.above}`);
  if (f.min !== undefined) parts.push(`≥ ${f.min}`);
  if (f.max !== undefined) parts.push(`≤ ${f.max}`);
  return parts;
}

function inBounds(v: number, f: { min?: number; max?: number; above?: number }): boolean {
  return (f.above === undefined || v > f.above) && (f.min === undefined || v >= f.min) &&
    (f.max === undefined || v <= f.max);
}

/**
 * What a field expects, in words (as error messages say it).
 *
 * @param f The field.
 * @returns E.g. `an integer ≥ 1` or `one of sgd, adam`.
 *
 * @example
 * ```ts
 * import { describeField } from "@plasticity/core";
 * console.assert(describeField({ type: "number", integer: true, min: 1, doc: "" }) === "an integer ≥ 1");
 * ```
 */
export function describeField(f: HyperField): string {
  switch (f.type) {
    case "number":
      return [f.integer ? "an integer" : "a number", ...bounds(f)].join(" ");
    case "string":
      return f.enum ? `one of ${f.enum.join(", ")}` : "a non-empty string";
    case "boolean":
      return "true or false";
    case "numbers": {
      const what = f.integer ? "integers" : "numbers";
      const b = bounds(f);
      const n = f.minItems ? `at least ${f.minItems} ` : "";
      return `a list of ${n}${what}${b.length ? " " + b.join(" ") : ""}`;
    }
    case "choice":
      return f.list
        ? `one of ${f.enum.join(", ")}, or a list of them`
        : `one of ${f.enum.join(", ")}`;
    case "section":
      return "a mapping";
    case "list":
      return `a list of ${f.minItems ? `at least ${f.minItems} ` : ""}entries (${f.item.doc})`;
  }
}

function checkField(
  f: Exclude<HyperField, SectionField>,
  v: unknown,
  path: string,
): HyperValue {
  const what = describeField(f);
  switch (f.type) {
    case "number": {
      if (typeof v !== "number" || !Number.isFinite(v)) fail(path, what, v);
      if ((f.integer && !Number.isInteger(v)) || !inBounds(v, f)) fail(path, what, v);
      return v;
    }
    case "string":
      if (typeof v !== "string" || v === "" || (f.enum && !f.enum.includes(v))) {
        fail(path, what, v);
      }
      return v;
    case "boolean":
      if (typeof v !== "boolean") fail(path, what, v);
      return v;
    case "numbers":
      if (
        !Array.isArray(v) || (f.minItems !== undefined && v.length < f.minItems) ||
        !v.every((x) =>
          typeof x === "number" && Number.isFinite(x) && (!f.integer || Number.isInteger(x)) &&
          inBounds(x, f)
        )
      ) fail(path, what, v);
      return [...v] as number[];
    case "choice":
      if (Array.isArray(v) && f.list) {
        return v.map((x, i) =>
          typeof x === "string" && f.enum.includes(x) ? x : fail(`${path}[${i}]`, what, x)
        );
      }
      if (typeof v !== "string" || !f.enum.includes(v)) fail(path, what, v);
      return v;
    case "list":
      if (!Array.isArray(v) || (f.minItems !== undefined && v.length < f.minItems)) {
        fail(path, what, v);
      }
      return v.map((x, i) => resolveSection(f.item, x, `${path}[${i}]`));
  }
}

/**
 * Checks one value against a field (no default is applied).
 *
 * @param field The field.
 * @param value The value.
 * @param path Its key path, for messages.
 * @returns The value (lists copied).
 * @throws {SchemaError} On a bad value.
 *
 * @example
 * ```ts
 * import { checkValue } from "@plasticity/core";
 * console.assert(checkValue({ type: "number", integer: true, min: 0, doc: "seed" }, 3, "seeds[0]") === 3);
 * ```
 */
export function checkValue(field: HyperField, value: unknown, path: string): HyperValue {
  if (field.type === "section") return resolveSection(field, value, path);
  if (value === undefined) {
    throw new SchemaError(`${path}: missing; expected ${describeField(field)}`);
  }
  return checkField(field, value, path);
}

function checkKeys(given: Record<string, unknown>, allowed: readonly string[], where: string) {
  for (const key of Object.keys(given)) {
    if (!allowed.includes(key)) {
      throw new SchemaError(
        `${join(where, key)}: unknown key (value ${showValue(given[key])}); ${
          allowed.length
            ? `expected one of ${allowed.join(", ")}`
            : `${where || "this mapping"} takes no keys`
        }`,
      );
    }
  }
}

function resolveSection(f: SectionField, v: unknown, path: string): HyperValues {
  const written = typeof v === "string" && f.shorthand ? { [f.shorthand]: v } : v;
  if (!isMapping(written)) fail(path, "a mapping", v);
  if (!("variants" in f.schema)) return resolveHyper(f.schema as HyperSchema, written, path);
  const s = f.schema as Variants;
  const given = s.keyed ? unkey(s, written, path) : written;
  const names = Object.keys(s.variants);
  const chosen = given[s.by] ?? s.default;
  if (typeof chosen !== "string" || !(chosen in s.variants)) {
    fail(join(path, s.by), `one of ${names.join(", ")}`, chosen);
  }
  const variant = s.variants[chosen]!;
  checkKeys(given, [s.by, ...Object.keys(variant)], path);
  const { [s.by]: _, ...rest } = given;
  return { [s.by]: chosen, ...resolveHyper(variant, rest, path) };
}

/** The `by` form of a mapping written in the keyed form of {@linkcode Variants.keyed}. */
function unkey(s: Variants, given: Record<string, unknown>, path: string): Record<string, unknown> {
  const keys = Object.keys(given);
  if (keys.length !== 1 || keys[0] === s.by || !(keys[0]! in s.variants)) return given;
  const name = keys[0]!, value = given[name], scalar = s.keyed?.[name];
  if (value === null || value === undefined) return { [s.by]: name };
  if (isMapping(value)) {
    if (s.by in value) {
      fail(`${path}.${name}.${s.by}`, `no ${s.by} key inside ${name} (it is ${name})`, value[s.by]);
    }
    return { [s.by]: name, ...value };
  }
  if (scalar === undefined) fail(`${path}.${name}`, "a mapping", value);
  return { [s.by]: name, [scalar]: value };
}

/**
 * Validates `given` against `schema`, filling defaults: the one validation pass of every setting.
 * Unknown keys, wrong types, values out of bounds and missing required keys are errors naming
 * the key path.
 *
 * @param schema The schema.
 * @param given The user's values (e.g. from YAML).
 * @param where The key path of the mapping, for messages, e.g. `rule`.
 * @returns Every key of the schema with a value (except absent `optional` keys), in schema order.
 * @throws {SchemaError} On a bad value.
 *
 * @example
 * ```ts
 * import { type HyperSchema, resolveHyper } from "@plasticity/core";
 * const schema: HyperSchema = {
 *   lr: { type: "number", default: 0.1, min: 0, doc: "learning rate" },
 *   steps: { type: "number", default: (v) => (v.lr as number) > 0.5 ? 10 : 5, integer: true, doc: "steps" },
 * };
 * console.assert(resolveHyper(schema, {}, "rule").steps === 5);
 * console.assert(resolveHyper(schema, { lr: 1 }, "rule").steps === 10);
 * try { resolveHyper(schema, { lr: -1 }, "rule"); } catch (e) {
 *   console.assert((e as Error).message === "rule.lr: expected a number ≥ 0, got -1");
 * }
 * ```
 */
export function resolveHyper(
  schema: HyperSchema,
  given: Record<string, unknown> | undefined,
  where: string,
): HyperValues {
  const g = given ?? {};
  if (!isMapping(g)) fail(where, "a mapping", g);
  checkKeys(g, Object.keys(schema), where);
  return resolveAll(schema, g, where, false);
}

/**
 * Resolves every key: plain values and defaults first, then defaults that are functions of the
 * others, then the checks against other keys (`aboveKey`), in schema order. With `lenient`, a
 * key that has no value (required, no default) is left out instead of failing.
 */
function resolveAll(
  schema: HyperSchema,
  g: Record<string, unknown>,
  where: string,
  lenient: boolean,
): HyperValues {
  const out: HyperValues = {};
  const later: string[] = [];
  const one = (key: string, given: unknown) => {
    try {
      resolveOne(key, schema[key]!, given, out, where);
    } catch (e) {
      if (!lenient || !(e instanceof SchemaError)) throw e;
    }
  };
  for (const [key, f] of Object.entries(schema)) {
    if (
      (g[key] === undefined || g[key] === null) && f.type !== "section" &&
      typeof f.default === "function"
    ) {
      later.push(key);
      continue;
    }
    one(key, g[key]);
  }
  for (const key of later) one(key, undefined);
  for (const [key, f] of Object.entries(schema)) {
    if (f.type !== "number" || f.aboveKey === undefined || !(key in out)) continue;
    const v = out[key] as number, other = out[f.aboveKey];
    if (typeof other === "number" && !(v > other)) {
      fail(join(where, key), `${describeField(f)} > ${f.aboveKey} (${other})`, v);
    }
  }
  // Keep schema order whatever the resolution order was.
  const ordered: HyperValues = {};
  for (const key of Object.keys(schema)) if (key in out) ordered[key] = out[key]!;
  return ordered;
}

function resolveOne(
  key: string,
  f: HyperField,
  given: unknown,
  out: HyperValues,
  where: string,
): void {
  const path = join(where, key);
  if (f.type === "section") {
    if ((given === undefined || given === null) && f.optional) return;
    out[key] = resolveSection(f, given ?? {}, path);
    return;
  }
  const d = f.default as HyperDefault<HyperValue> | undefined;
  const v = given ?? (typeof d === "function" ? d(out) : d);
  if (v === undefined) {
    if (f.optional) return;
    throw new SchemaError(`${path}: missing; expected ${describeField(f)}`);
  }
  out[key] = checkField(f, v, path);
}

/**
 * The defaults of a schema (keys with a default), as a config would state them.
 *
 * @param schema The schema.
 * @returns The defaults, resolved as for an empty mapping where possible.
 *
 * @example
 * ```ts
 * import { schemaDefaults } from "@plasticity/core";
 * const d = schemaDefaults({ lr: { type: "number", default: 0.1, doc: "rate" }, n: { type: "number", doc: "required" } });
 * console.assert(d.lr === 0.1 && !("n" in d));
 * ```
 */
export function schemaDefaults(schema: HyperSchema): HyperValues {
  return resolveAll(schema, {}, "", true);
}

/**
 * A copy of `schema` whose named number and number-list fields are bounded above by the given
 * caps (the smaller of the cap and the field's own `max`); other fields, and caps naming keys the
 * schema lacks, are left as they are. Apps use it to put resource limits (e.g. sample counts that
 * would exhaust memory) on schemas declared elsewhere, so the limit is reported like any other
 * bound: naming the key, the value and the maximum.
 *
 * @param schema The schema.
 * @param caps The largest allowed value (of each entry, for lists) by key.
 * @returns The bounded copy (the schema itself is not changed).
 *
 * @example
 * ```ts
 * import { capSchema, resolveHyper } from "@plasticity/core";
 * const schema = capSchema(
 *   { n: { type: "number", integer: true, min: 0, doc: "samples" } },
 *   { n: 1000, absent: 5 },
 * );
 * try { resolveHyper(schema, { n: 1e10 }, "dataset"); } catch (e) {
 *   console.assert((e as Error).message === "dataset.n: expected an integer ≥ 0 ≤ 1000, got 10000000000");
 * }
 * ```
 */
export function capSchema(
  schema: HyperSchema,
  caps: Readonly<Record<string, number>>,
): HyperSchema {
  const out: HyperSchema = { ...schema };
  for (const [key, cap] of Object.entries(caps)) {
    const f = out[key];
    if (f && (f.type === "number" || f.type === "numbers")) {
      out[key] = { ...f, max: Math.min(f.max ?? Infinity, cap) };
    }
  }
  return out;
}
