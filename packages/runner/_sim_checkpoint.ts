// The checkpoint of a simulation trial (`sim_state.json` in the trial folder): the records emitted,
// how many bytes of `metrics.jsonl` hold their rows, and the simulation's state after them. Written
// atomically after the metrics it counts are on disk, so a kill at any point leaves either the
// previous checkpoint or this one, each consistent with a prefix of the metrics file.
import { join } from "node:path";
import { configToYaml, TRIAL_FILES, writeJsonAtomic } from "./results.ts";
import type { SimulationTrialConfig } from "./config.ts";

/** A simulation trial's checkpoint. */
export interface SimCheckpoint {
  /** Records emitted before it. */
  records: number;
  /** Bytes of `metrics.jsonl` written up to it. */
  "metrics_bytes": number;
  /** Seconds the trial had run up to it, over all its runs (a resumed trial's `wall_s` adds on). */
  "wall_s"?: number;
  /** The simulation's state (`Simulation.checkpoint()`). */
  state: unknown;
}

/** Writes the checkpoint (atomically). */
export function writeSimCheckpoint(dir: string, cp: SimCheckpoint): void {
  writeJsonAtomic(join(dir, TRIAL_FILES.simState), cp);
}

/** Removes the checkpoint, if any. */
export function removeSimCheckpoint(dir: string): void {
  try {
    Deno.removeSync(join(dir, TRIAL_FILES.simState));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/**
 * The checkpoint an unfinished run of this same trial left in `dir`, or `undefined` when there is
 * none or it cannot be resumed (then `log` says why and the trial starts over): the folder's
 * `config.yaml` must be this config's, and `metrics.jsonl` must hold the bytes it counts.
 */
export function readSimCheckpoint(
  dir: string,
  config: SimulationTrialConfig,
  log: (line: string) => void,
): SimCheckpoint | undefined {
  const path = join(dir, TRIAL_FILES.simState);
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  const startOver = (why: string) => {
    log(`${TRIAL_FILES.simState} not resumed (${why}): starting the trial over`);
    return undefined;
  };
  let cp: SimCheckpoint;
  try {
    cp = JSON.parse(text);
  } catch (e) {
    return startOver(`not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (
    cp === null || typeof cp !== "object" || !Number.isInteger(cp.records) || cp.records < 0 ||
    !Number.isInteger(cp.metrics_bytes) || cp.metrics_bytes < 0 || !("state" in cp) ||
    (cp.wall_s !== undefined && !(Number.isFinite(cp.wall_s) && cp.wall_s >= 0))
  ) {
    return startOver("expected records, metrics_bytes, wall_s and state");
  }
  let saved = "";
  try {
    saved = Deno.readTextFileSync(join(dir, TRIAL_FILES.config));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  if (saved !== configToYaml(config)) return startOver("the folder's config.yaml differs");
  let size = -1;
  try {
    size = Deno.statSync(join(dir, TRIAL_FILES.metrics)).size;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  if (size < cp.metrics_bytes) {
    return startOver(`metrics.jsonl has ${Math.max(size, 0)} bytes, expected ${cp.metrics_bytes}`);
  }
  return cp;
}
