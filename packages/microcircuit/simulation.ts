/**
 * The `microcircuit` simulation for the runner (core's simulation interface): parameters are a
 * reference-style `params.json` object (optionally `file`, a params.json whose values the other
 * keys override), the seed is the student's seed, and each record is
 * `{ t, angle_B_WT_<h>, angle_B_RHS_<h>, angle_dW_<k>?, mse? }` (see {@linkcode createPalRun}).
 * Importing this module registers the simulation.
 *
 * @module
 */
import {
  registerSimulation,
  type SimRecord,
  type Simulation,
  type SimulationDefinition,
} from "@plasticity/core/simulation";
import { createPalRun } from "./experiment.ts";

export type { SimRecord, Simulation } from "@plasticity/core/simulation";
import { type PalParams, parseParams, readParamsFile } from "./params.ts";

/**
 * Resolves simulation parameters: reads `file` (if given) and lets the other keys override it,
 * then validates with {@linkcode parseParams}.
 *
 * @param params The `simulation.params` object of an experiment config.
 * @returns The resolved parameters.
 *
 * @example
 * ```ts
 * import { resolveSimulationParams } from "@plasticity/microcircuit/simulation";
 * console.assert(resolveSimulationParams({ epochs: 3 }).epochs === 3);
 * try { resolveSimulationParams({ eta_bw: 1 }); } catch (e) { console.assert(String(e).includes("simulation.params.eta_bw")); }
 * ```
 */
export function resolveSimulationParams(params: Record<string, unknown>): PalParams {
  const where = "simulation.params";
  let base: Record<string, unknown> = {};
  const file = params.file;
  if (file !== undefined) {
    if (typeof file !== "string" || file === "") {
      throw new Error(
        `Invalid ${where}.file ${JSON.stringify(file)}: expected the path of a params.json file`,
      );
    }
    let text: string;
    try {
      text = Deno.readTextFileSync(file);
    } catch (e) {
      throw new Error(`Invalid ${where}.file ${JSON.stringify(file)}: ${(e as Error).message}`);
    }
    base = readParamsFile(text, file);
  }
  return parseParams({ ...base, ...params }, where);
}

/**
 * Builds one seed's microcircuit simulation (what the registered `microcircuit` simulation's
 * `create` returns). `summary()` gives the last record's values (`t` as `t_final`) and `records`.
 *
 * @param params The `simulation.params` object (see {@linkcode resolveSimulationParams}).
 * @param seed The student's seed.
 * @returns The simulation.
 *
 * @example
 * ```ts
 * import { getSimulation, jsBackend } from "@plasticity/core";
 * import { createMicrocircuitSimulation } from "@plasticity/microcircuit/simulation";
 * const sim = createMicrocircuitSimulation({ epochs: 1, max_records: 2 }, 123);
 * const recs: Record<string, number>[] = [];
 * sim.run((r) => recs.push(r));
 * console.assert(recs.length === 2 && sim.summary().angle_B_WT_0 === recs[1]!.angle_B_WT_0);
 * // the same through the registry
 * console.assert(getSimulation("microcircuit").create({ epochs: 1 }, { seed: 1, backend: jsBackend }).totalRecords === 20);
 * ```
 */
export function createMicrocircuitSimulation(
  params: Record<string, unknown>,
  seed: number,
): Simulation {
  const p = resolveSimulationParams(params);
  if (!Number.isInteger(seed) || seed < 0 || seed > 4294967295) {
    throw new Error(`Invalid seed ${JSON.stringify(seed)}: expected an integer in [0, 2^32 - 1]`);
  }
  const run = createPalRun(p, seed);
  let last: SimRecord = {};
  let count = 0;
  return {
    totalRecords: run.totalRecords,
    run(onRecord: (record: SimRecord) => void): void {
      run.run((r) => {
        last = r;
        count++;
        onRecord(r);
      });
    },
    summary(): Record<string, number> {
      const out: Record<string, number> = { records: count };
      for (const [k, v] of Object.entries(last)) out[k === "t" ? "t_final" : k] = v;
      return out;
    },
  };
}

const definition: SimulationDefinition = {
  name: "microcircuit",
  description:
    "Dendritic cortical microcircuit with Latent Equilibrium and BP/FA/PAL top-down learning (PAL numpy protocol)",
  validate(params: Record<string, unknown>): void {
    resolveSimulationParams(params);
  },
  create(params: Record<string, unknown>, context: { seed: number }): Simulation {
    return createMicrocircuitSimulation(params, context.seed);
  },
};

registerSimulation(definition);
