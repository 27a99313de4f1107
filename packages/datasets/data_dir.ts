/**
 * Where datasets live on disk.
 *
 * @module
 */
import { join } from "node:path";

/**
 * The data directory: env `PLASTICITY_DATA`, or `~/.cache/plasticity`.
 *
 * @returns An absolute or user-given path.
 *
 * @example
 * ```ts
 * import { dataDir } from "@plasticity/datasets";
 * console.assert(dataDir().length > 0);
 * ```
 */
export function dataDir(): string {
  const env = Deno.env.get("PLASTICITY_DATA");
  if (env) return env;
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  if (!home) throw new Error("Cannot find the data directory: set PLASTICITY_DATA or HOME");
  return join(home, ".cache", "plasticity");
}
