/**
 * The simulation interface, beside {@linkcode Learner}: for time-stepped models (dendritic
 * microcircuits) whose experiments are not a sequence of batches. The runner runs a simulation
 * and logs each record it emits.
 *
 * A simulation does no I/O of its own: it reads no file and loads no data set. One that needs
 * them takes them from whoever registers it, through the function that builds its definition (a
 * host object with, say, `readTextFile(path)` and a data generator). `resolve` validates the
 * parameters once and returns them resolved (a file's values included); `create` runs them. The runner is that edge: it registers the microcircuit simulations with
 * the file system and `@plasticity/datasets` behind their host.
 *
 * @module
 */
import type { Backend } from "./tensor.ts";
import type { HyperSchema } from "./hyper.ts";
import { Registry } from "./registry.ts";

/** One record of a simulation: named numbers, e.g. `{ t: 0.1, angle_B_WT_0: 88.2 }`. */
export type SimRecord = Record<string, number>;

/** A configured, ready-to-run simulation. */
export interface Simulation {
  /** Number of records {@linkcode Simulation.run} will emit (for progress bars). */
  readonly totalRecords: number;
  /** Runs to the end, calling `onRecord` for each record in order. */
  run(onRecord: (record: SimRecord) => void): void;
  /** Summary numbers after the run (e.g. final test accuracy). */
  summary(): Record<string, number>;
  /**
   * Optional: the whole state of the run after the records emitted so far, as JSON-safe data.
   * Called from inside `onRecord` (between records). A simulation created with
   * `{ resume: { records, state } }` from it continues as this one would: its `run` emits only
   * the records after the first `records`, the same records this run emits next. The runner's
   * `checkpoint` section of a simulation trial needs it.
   */
  checkpoint?(): unknown;
}

/** Where a resumed simulation starts: the records already emitted and the state after them. */
export interface SimulationResume {
  /** Records emitted before the checkpoint. */
  records: number;
  /** What {@linkcode Simulation.checkpoint} returned after that many records. */
  state: unknown;
}

/** A registered kind of simulation. */
export interface SimulationDefinition {
  /** Name used in configs, e.g. `microcircuit`. */
  name: string;
  /** One line on what it simulates. */
  description: string;
  /**
   * The parameters' schema, when they have one (the JSON Schema of a config states it); the
   * check across keys stays in `resolve`.
   */
  schema?: HyperSchema;
  /**
   * The one validation pass of the parameters: checks them (an error names the bad key as
   * `simulation.params.<key>`) and returns them resolved, every default filled, as plain data.
   * The runner records the result in the trial config and hands it to `create`.
   */
  resolve(params: Record<string, unknown>): Record<string, unknown>;
  /**
   * Builds a simulation from parameters returned by `resolve`, without validating them again;
   * with `resume`, one that continues from a checkpoint of a simulation with the same parameters
   * and seed (or throws a one-line error when the state does not fit them).
   */
  create(
    params: Record<string, unknown>,
    context: { seed: number; backend: Backend; resume?: SimulationResume },
  ): Simulation;
}

const registry = new Registry<SimulationDefinition>("simulation");

/**
 * Registers a simulation kind and returns it (as {@linkcode registerLearner} does for rules).
 *
 * @param def The definition.
 * @returns The same definition.
 *
 * @example
 * ```ts
 * import { registerSimulation, simulationNames } from "@plasticity/core";
 * registerSimulation({
 *   name: "example-idle",
 *   description: "emits nothing",
 *   resolve: (params) => params,
 *   create: () => ({ totalRecords: 0, run: () => {}, summary: () => ({}) }),
 * });
 * console.assert(simulationNames().includes("example-idle"));
 * ```
 */
export function registerSimulation(def: SimulationDefinition): SimulationDefinition {
  return registry.register(def);
}

/**
 * The registered simulation of that name.
 *
 * @param name The name.
 * @returns Its definition.
 *
 * @example
 * ```ts
 * import { getSimulation } from "@plasticity/core";
 * try { getSimulation("nope"); } catch (e) { console.assert(String(e).includes("Unknown simulation")); }
 * ```
 */
export function getSimulation(name: string): SimulationDefinition {
  return registry.get(name);
}

/**
 * Names of all registered simulations, sorted.
 *
 * @returns The names.
 *
 * @example
 * ```ts
 * import { simulationNames } from "@plasticity/core";
 * console.assert(Array.isArray(simulationNames()));
 * ```
 */
export function simulationNames(): string[] {
  return registry.names();
}
