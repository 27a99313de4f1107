/**
 * Trial filters: running part of a sweep, chosen by what its trials are rather than by their index
 * (`--where dataset.per_class=6000 --where rule.name=pc`). A filter names a dotted path into each
 * trial's resolved config and a value; a trial is kept when, for every path named, its value at
 * that path equals one of the values given for it (several `--where` on one path: any of them;
 * on different paths: all). Values are YAML scalars or flow collections (`0.005`, `pc`, `true`,
 * `[0, 1]`) compared as JSON, so `0.0050` and `5e-3` name the same learning rate. Because a
 * trial's id is the hash of its resolved config, a filtered run writes exactly the trial folders
 * the whole sweep would, and a later run of the whole sweep skips them.
 *
 * @module
 */
import { parse as parseYaml } from "yaml";
import { canonicalJson } from "./grid.ts";
import { ConfigError, showValue } from "./config.ts";

/** One `--where path=value`. */
export interface TrialFilter {
  /** Dotted path into a trial's resolved config, e.g. `optimizer.lr`. */
  path: string;
  /** The value wanted there. */
  value: unknown;
}

/**
 * Parses one `--where path=value`: the path before the first `=`, the value after it read as YAML.
 *
 * @param spec The flag's value.
 * @returns The filter.
 * @throws {ConfigError} When `spec` has no `=`, an empty path, or a value that is not YAML.
 *
 * @example
 * ```ts
 * import { parseWhere } from "@plasticity/runner/where";
 * const f = parseWhere("optimizer.lr=5e-3");
 * console.assert(f.path === "optimizer.lr" && f.value === 0.005);
 * console.assert(parseWhere("rule.name=pc").value === "pc");
 * ```
 */
export function parseWhere(spec: string): TrialFilter {
  const at = spec.indexOf("=");
  const path = at < 0 ? "" : spec.slice(0, at).trim();
  if (at < 0 || path === "" || path.split(".").some((p) => p === "")) {
    throw new ConfigError(
      `Invalid --where ${JSON.stringify(spec)}: expected path=value, e.g. optimizer.lr=0.005`,
    );
  }
  const text = spec.slice(at + 1);
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch {
    throw new ConfigError(
      `Invalid --where ${JSON.stringify(spec)}: the value ${
        JSON.stringify(text)
      } is not a YAML value`,
    );
  }
  return { path, value: value ?? null };
}

/** The value at a dotted path, or `undefined` where the path leaves the config. */
function valueAt(config: unknown, path: string): unknown {
  let cur: unknown = config;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * The trials that every filter's path keeps (see the module doc). Refuses, in one line, a path no
 * trial has and a value no trial has at its path (listing the values the sweep has there), so a
 * typo never runs nothing silently.
 *
 * @param trials The sweep's trials, each with its resolved `config`.
 * @param filters The filters (none: every trial).
 * @returns The trials kept, in their order.
 * @throws {ConfigError} On a path or value that matches no trial.
 *
 * @example
 * ```ts
 * import { filterTrials } from "@plasticity/runner/where";
 * const trials = [0.1, 0.01].flatMap((lr) => [0, 1].map((seed) => ({ config: { lr, seed } })));
 * const kept = filterTrials(trials, [{ path: "lr", value: 0.01 }]);
 * console.assert(kept.length === 2 && kept.every((t) => t.config.lr === 0.01));
 * ```
 */
export function filterTrials<T extends { config: unknown }>(
  trials: readonly T[],
  filters: readonly TrialFilter[],
): T[] {
  const byPath = new Map<string, Set<string>>();
  for (const f of filters) {
    const set = byPath.get(f.path) ?? new Set<string>();
    set.add(canonicalJson(f.value));
    byPath.set(f.path, set);
  }
  let kept = [...trials];
  for (const [path, wanted] of byPath) {
    const seen = new Map<string, unknown>();
    for (const t of trials) {
      const v = valueAt(t.config, path);
      if (v !== undefined) seen.set(canonicalJson(v), v);
    }
    if (seen.size === 0) {
      throw new ConfigError(
        `Invalid --where path "${path}": no trial of this experiment has it (a dotted path into the resolved config, e.g. optimizer.lr)`,
      );
    }
    const missing = [...wanted].filter((w) => !seen.has(w));
    if (missing.length > 0) {
      const have = [...seen.values()].slice(0, 8).map(showValue).join(", ");
      throw new ConfigError(
        `Invalid --where ${path}=${missing[0]}: no trial has that value; expected one of ${have}${
          seen.size > 8 ? `, … (${seen.size} values)` : ""
        }`,
      );
    }
    kept = kept.filter((t) => {
      const v = valueAt(t.config, path);
      return v !== undefined && wanted.has(canonicalJson(v));
    });
  }
  return kept;
}
