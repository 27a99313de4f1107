/**
 * Sweeps: the `grid:` section's Cartesian product × `seeds` gives the trials of an experiment,
 * each a fully resolved config with an id derived from its content. The size of a sweep is known
 * without expanding it ({@linkcode planGrid}), trials can be taken one at a time
 * ({@linkcode iterateGrid}), and {@linkcode expandGrid} refuses sweeps above a limit
 * ({@linkcode MAX_TRIALS}) unless asked.
 *
 * @module
 */
import { createHash } from "node:crypto";
import {
  checkSeed,
  CONFIG_LIMITS,
  ConfigError,
  MissingDataSource,
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
  if (seeds.length > CONFIG_LIMITS.seeds) {
    throw new ConfigError(
      `seeds: expected at most ${CONFIG_LIMITS.seeds} seeds, got ${seeds.length}`,
    );
  }
  const out = seeds.map((s, i) => checkSeed(s, `seeds[${i}]`));
  const seen = new Set<number>();
  for (const s of out) {
    if (seen.has(s)) throw new ConfigError(`seeds: duplicate seed ${s}; expected distinct seeds`);
    seen.add(s);
  }
  return out;
}

/**
 * The most trials an experiment may have without asking for more (`maxTrials`, `--allow-large`):
 * {@linkcode CONFIG_LIMITS}.trials, 100 000.
 *
 * @example
 * ```ts
 * import { MAX_TRIALS } from "@plasticity/runner/grid";
 * console.assert(MAX_TRIALS === 100_000);
 * ```
 */
export const MAX_TRIALS: number = CONFIG_LIMITS.trials;

/** The shape of a sweep, known without expanding it: its grid keys, values and seeds. */
export interface GridPlan {
  /** The grid's dotted key paths, in order (the last varies fastest). */
  readonly keys: readonly string[];
  /** The values of each key, in the order of `keys`. */
  readonly values: readonly (readonly unknown[])[];
  /** The seeds (innermost). */
  readonly seeds: readonly number[];
  /** Grid points: the product of the list lengths (1 without a grid). */
  readonly points: number;
  /** Trials: points × seeds (identical combinations, removed on expansion, are counted). */
  readonly trials: number;
}

/**
 * Checks the `grid:`, `seeds:` and `seed:` sections and returns the sweep's shape, without
 * resolving or expanding anything: cheap for any size of grid.
 *
 * @param raw The parsed config.
 * @returns The keys, values, seeds and counts.
 *
 * @example
 * ```ts
 * import { planGrid } from "@plasticity/runner/grid";
 * const p = planGrid({ seeds: [0, 1], grid: { "optimizer.lr": [1, 2, 3], "rule.name": ["bp", "fa"] } });
 * console.assert(p.points === 6 && p.trials === 12);
 * ```
 */
export function planGrid(raw: unknown): GridPlan {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError(
      `config: expected a mapping of settings at the top level, got ${showValue(raw)}`,
    );
  }
  const cfg = raw as Record<string, unknown>;
  const grid = checkGrid(cfg.grid);
  const seeds = checkSeeds(cfg);
  const points = grid.reduce((acc, [, vs]) => acc * vs.length, 1);
  return {
    keys: grid.map(([k]) => k),
    values: grid.map(([, vs]) => vs),
    seeds,
    points,
    trials: points * seeds.length,
  };
}

/**
 * The values of one grid point, by key, in key order (the last key varies fastest).
 *
 * @param plan The sweep's shape.
 * @param index The point's position, from 0 to `plan.points - 1`.
 * @returns The values by dotted key path.
 *
 * @example
 * ```ts
 * import { gridPoint, planGrid } from "@plasticity/runner/grid";
 * const p = planGrid({ grid: { "optimizer.lr": [1, 2], "rule.name": ["bp", "fa", "kp"] } });
 * console.assert(JSON.stringify(gridPoint(p, 4)) === '{"optimizer.lr":2,"rule.name":"fa"}');
 * ```
 */
export function gridPoint(plan: GridPlan, index: number): Record<string, unknown> {
  const at: unknown[] = new Array(plan.keys.length);
  let rem = index;
  for (let k = plan.keys.length - 1; k >= 0; k--) {
    const values = plan.values[k]!;
    at[k] = values[rem % values.length];
    rem = Math.floor(rem / values.length);
  }
  const point: Record<string, unknown> = {};
  plan.keys.forEach((key, k) => point[key] = at[k]);
  return point;
}

function countText(n: number): string {
  return Number.isSafeInteger(n) ? String(n) : `more than ${Number.MAX_SAFE_INTEGER}`;
}

/**
 * Refuses a sweep of more than `maxTrials` trials, before anything is expanded.
 *
 * @param plan The sweep's shape.
 * @param maxTrials The limit (default {@linkcode MAX_TRIALS}; `Infinity` for none).
 * @throws {ConfigError} Naming the count and the limit, and how to lift it.
 *
 * @example
 * ```ts
 * import { checkTrialCount, planGrid } from "@plasticity/runner/grid";
 * const plan = planGrid({ seeds: [0, 1, 2] });
 * checkTrialCount(plan, 3);
 * try { checkTrialCount(plan, 2); } catch (e) {
 *   console.assert((e as Error).message.startsWith("seeds: 3 trials (1 grid point × 3 seeds); expected at most 2"));
 * }
 * ```
 */
export function checkTrialCount(plan: GridPlan, maxTrials: number = MAX_TRIALS): void {
  if (plan.trials <= maxTrials) return;
  const s = (n: number, what: string) => `${countText(n)} ${what}${n === 1 ? "" : "s"}`;
  throw new ConfigError(
    `${plan.keys.length ? "grid" : "seeds"}: ${countText(plan.trials)} trials (${
      s(plan.points, "grid point")
    } × ${
      s(plan.seeds.length, "seed")
    }); expected at most ${maxTrials}: shrink the sweep, or allow it with --allow-large (option maxTrials)`,
  );
}

/**
 * The trials of an experiment one at a time, in sweep order (every combination of the `grid:`
 * values, the last key fastest, × every seed), each validated and resolved when it is reached:
 * memory and time grow with the trials taken, not with the size of the grid. An error in one
 * combination names the grid values that produced it; a combination identical to an earlier
 * one is skipped.
 *
 * @param raw The parsed config.
 * @param ctx Where dataset schemas come from.
 * @param points Which grid points to visit (default: all, in order); see {@linkcode gridPoint}.
 * @returns The trials; `index` counts the trials yielded before.
 *
 * @example Take the first two trials of a 10⁶-point sweep
 * ```ts
 * import { registerSimulation } from "@plasticity/core";
 * import { iterateGrid } from "@plasticity/runner/grid";
 * registerSimulation({
 *   name: "doc-lazy", description: "emits nothing", resolve: (p) => p,
 *   create: () => ({ totalRecords: 0, run: () => {}, summary: () => ({}) }),
 * });
 * const tau = Array.from({ length: 1000 }, (_, i) => i + 1);
 * const it = iterateGrid({
 *   name: "g", kind: "simulation", simulation: { name: "doc-lazy", params: {} },
 *   grid: { "simulation.params.tau": tau, "simulation.params.x0": tau },
 * }, { datasetSchema: () => ({}) });
 * const first = it.next().value!, second = it.next().value!;
 * console.assert(second.index === 1 && second.point["simulation.params.x0"] === 2);
 * console.assert(first.id !== second.id);
 * ```
 */
export function* iterateGrid(
  raw: unknown,
  ctx: ResolveContext,
  points?: Iterable<number>,
): Generator<Trial, void, undefined> {
  const plan = planGrid(raw);
  const { grid: _g, seeds: _s, seed: _seed, ...base } = raw as Record<string, unknown>;
  const ids = new Set<string>();
  let index = 0;
  const all = function* () {
    for (let c = 0; c < plan.points; c++) yield c;
  };
  for (const c of points ?? all()) {
    const point = gridPoint(plan, c);
    const applied = structuredClone(base);
    let resolved;
    try {
      for (const [path, v] of Object.entries(point)) setPath(applied, path, structuredClone(v));
      resolved = resolveConfig(applied, ctx);
    } catch (e) {
      if (e instanceof MissingDataSource) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      const at = Object.entries(point).map(([p, v]) => `${p}=${showValue(v)}`).join(", ");
      throw new ConfigError(at ? `${msg} (grid point ${at})` : msg);
    }
    for (const seed of plan.seeds) {
      let config = withSeed(resolved, seed);
      if (config.kind === "learner" && config.init_from && "config" in config.init_from) {
        if (!ctx.initFrom) {
          throw new ConfigError(
            `init_from: "${config.init_from.config}" needs the runner to expand that sweep ` +
              "(expandTrials or deno task run), not a bare grid expansion",
          );
        }
        config = { ...config, "init_from": ctx.initFrom(config.init_from, seed) };
      }
      const id = trialId(config);
      if (ids.has(id)) continue;
      ids.add(id);
      yield { id, index: index++, point, seed, config };
    }
  }
}

/** Options of {@linkcode expandGrid}. */
export interface ExpandGridOptions {
  /** Refuse sweeps of more trials than this (default {@linkcode MAX_TRIALS}; `Infinity`: none). */
  maxTrials?: number;
}

/**
 * Expands an experiment config into its trials: every combination of the `grid:` values (the
 * last key varies fastest) × every seed, each validated and resolved. An error in one
 * combination names the grid values that produced it. A sweep of more than `maxTrials` trials
 * is refused before anything is expanded; {@linkcode iterateGrid} takes trials one at a time.
 *
 * @param raw The parsed config.
 * @param ctx Where dataset schemas come from.
 * @param options The trial limit.
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
export function expandGrid(
  raw: unknown,
  ctx: ResolveContext,
  options: ExpandGridOptions = {},
): Trial[] {
  checkTrialCount(planGrid(raw), options.maxTrials);
  return [...iterateGrid(raw, ctx)];
}
