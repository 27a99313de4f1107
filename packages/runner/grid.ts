/**
 * Sweeps: the `grid:` section's Cartesian product × `seeds` gives the trials of an experiment,
 * each a fully resolved config with an id derived from its content.
 *
 * @module
 */
import { createHash } from "node:crypto";
import {
  checkSeed,
  ConfigError,
  resolveConfig,
  type ResolveContext,
  showValue,
  TOP_LEVEL_KEYS,
  type TrialConfig,
  withSeed,
} from "./config.ts";

/** One trial of an experiment. */
export interface Trial {
  /** First 12 hex characters of the SHA-256 of the canonical JSON of `config`. */
  id: string;
  /** Position in the sweep (0-based). */
  index: number;
  /** The grid values of this trial, by dotted path (empty without a grid). */
  point: Record<string, unknown>;
  /** The seed. */
  seed: number;
  /** The resolved trial config. */
  config: TrialConfig;
}

/**
 * JSON with object keys sorted at every level: the canonical form hashed for trial ids.
 *
 * @param value Plain data.
 * @returns The canonical JSON text.
 *
 * @example
 * ```ts
 * import { canonicalJson } from "@plasticity/runner/grid";
 * console.assert(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }) === '{"a":[{"c":3,"d":2}],"b":1}');
 * ```
 */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined) out[k] = sort(x);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(sort(value));
}

/**
 * The id of a trial: the first 12 hex characters of SHA-256 of its canonical JSON.
 *
 * @param config The resolved trial config.
 * @returns The id.
 *
 * @example
 * ```ts
 * import { trialId } from "@plasticity/runner/grid";
 * console.assert(/^[0-9a-f]{12}$/.test(trialId({ a: 1 })));
 * console.assert(trialId({ a: 1, b: 2 }) === trialId({ b: 2, a: 1 }));
 * ```
 */
export function trialId(config: unknown): string {
  return createHash("sha256").update(canonicalJson(config)).digest("hex").slice(0, 12);
}

/**
 * Sets `value` at a dotted path, creating mappings on the way.
 *
 * @param obj The object to change.
 * @param path Dotted path, e.g. `optimizer.lr`.
 * @param value The value.
 *
 * @example
 * ```ts
 * import { setPath } from "@plasticity/runner/grid";
 * const o: Record<string, unknown> = {};
 * setPath(o, "optimizer.lr", 0.1);
 * console.assert((o.optimizer as { lr: number }).lr === 0.1);
 * ```
 */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let cur: Record<string, unknown> = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i]!;
    let next = cur[p];
    if (typeof next === "string" && (p === "rule" || p === "dataset" || p === "simulation")) {
      next = { name: next };
    }
    if (next === undefined) next = {};
    if (typeof next !== "object" || next === null || Array.isArray(next)) {
      throw new ConfigError(
        `grid.${path}: ${parts.slice(0, i + 1).join(".")} is ${showValue(next)}, not a mapping`,
      );
    }
    cur[p] = next;
    cur = next as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

function checkGrid(grid: unknown): [string, unknown[]][] {
  if (grid === undefined) return [];
  if (typeof grid !== "object" || grid === null || Array.isArray(grid)) {
    throw new ConfigError(
      `grid: expected a mapping of dotted key paths to lists, got ${showValue(grid)}`,
    );
  }
  const out: [string, unknown[]][] = [];
  for (const [path, values] of Object.entries(grid)) {
    const top = path.split(".")[0]!;
    if (
      !/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(path) ||
      !(TOP_LEVEL_KEYS as readonly string[]).includes(top) ||
      ["name", "grid", "seeds", "seed"].includes(top)
    ) {
      throw new ConfigError(
        `grid.${path}: unknown key path; expected a dotted path into the config such as optimizer.lr or rule.name (not name, grid, seeds or seed)`,
      );
    }
    if (!Array.isArray(values) || values.length === 0) {
      throw new ConfigError(
        `grid.${path}: expected a non-empty list of values, got ${showValue(values)}`,
      );
    }
    const seen = new Set<string>();
    for (const v of values) {
      const key = JSON.stringify(v);
      if (seen.has(key)) {
        throw new ConfigError(
          `grid.${path}: duplicate value ${showValue(v)}; expected distinct values`,
        );
      }
      seen.add(key);
    }
    out.push([path, values]);
  }
  return out;
}

function checkSeeds(raw: Record<string, unknown>): number[] {
  if (raw.seeds !== undefined && raw.seed !== undefined) {
    throw new ConfigError(
      `seed: given together with seeds (value ${showValue(raw.seed)}); expected one of them`,
    );
  }
  if (raw.seed !== undefined) return [checkSeed(raw.seed, "seed")];
  const seeds = raw.seeds ?? [0];
  if (!Array.isArray(seeds) || seeds.length === 0) {
    throw new ConfigError(
      `seeds: expected a non-empty list of integers ≥ 0, got ${showValue(seeds)}`,
    );
  }
  const out = seeds.map((s, i) => checkSeed(s, `seeds[${i}]`));
  const dup = out.find((s, i) => out.indexOf(s) !== i);
  if (dup !== undefined) {
    throw new ConfigError(`seeds: duplicate seed ${dup}; expected distinct seeds`);
  }
  return out;
}

/**
 * Expands an experiment config into its trials: every combination of the `grid:` values (the
 * last key varies fastest) × every seed, each validated and resolved. An error in one
 * combination names the grid values that produced it.
 *
 * @param raw The parsed config.
 * @param ctx Where dataset schemas come from.
 * @returns The trials, in sweep order; identical combinations appear once.
 *
 * @example A 2 × 2 sweep over a simulation's parameter and the seed
 * ```ts
 * import { registerSimulation } from "@plasticity/core";
 * import { expandGrid } from "@plasticity/runner/grid";
 * registerSimulation({
 *   name: "doc-grid", description: "emits nothing", resolve: (p) => p,
 *   create: () => ({ totalRecords: 0, run: () => {}, summary: () => ({}) }),
 * });
 * const trials = expandGrid({
 *   name: "g", kind: "simulation", simulation: { name: "doc-grid", params: {} },
 *   seeds: [0, 1], grid: { "simulation.params.tau": [1, 2] },
 * }, { datasetSchema: () => ({}) });
 * console.assert(trials.length === 4 && trials[1]!.seed === 1);
 * ```
 */
export function expandGrid(raw: unknown, ctx: ResolveContext): Trial[] {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError(
      `config: expected a mapping of settings at the top level, got ${showValue(raw)}`,
    );
  }
  const cfg = raw as Record<string, unknown>;
  const grid = checkGrid(cfg.grid);
  const seeds = checkSeeds(cfg);
  const { grid: _g, seeds: _s, seed: _seed, ...base } = cfg;
  const trials: Trial[] = [];
  const ids = new Set<string>();
  const n = grid.reduce((acc, [, vs]) => acc * vs.length, 1);
  for (let c = 0; c < n; c++) {
    const point: Record<string, unknown> = {};
    let rem = c;
    for (let k = grid.length - 1; k >= 0; k--) {
      const [path, values] = grid[k]!;
      point[path] = values[rem % values.length];
      rem = Math.floor(rem / values.length);
    }
    const ordered: Record<string, unknown> = {};
    for (const [path] of grid) ordered[path] = point[path];
    const applied = structuredClone(base);
    let resolved;
    try {
      for (const [path, v] of Object.entries(ordered)) setPath(applied, path, structuredClone(v));
      resolved = resolveConfig(applied, ctx);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const at = Object.entries(ordered).map(([p, v]) => `${p}=${showValue(v)}`).join(", ");
      throw new ConfigError(at ? `${msg} (grid point ${at})` : msg);
    }
    for (const seed of seeds) {
      const config = withSeed(resolved, seed);
      const id = trialId(config);
      if (ids.has(id)) continue;
      ids.add(id);
      trials.push({ id, index: trials.length, point: ordered, seed, config });
    }
  }
  return trials;
}
