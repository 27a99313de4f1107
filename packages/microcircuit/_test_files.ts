// Test helper: reads the files of the PAL numpy code's experiments (params.json, .npy series) from
// disk. The package itself only parses their contents (readParamsFile, parseNpy); reading files is
// the caller's, here the tests'.
import { type PalParams, parseParams, readParamsFile } from "./params.ts";
import { type NpyArray, parseNpy } from "./read_npy.ts";

/**
 * Reads a reference `params.json` (or any JSON object of those keys), applies `overrides`, and
 * validates with `parseParams`.
 *
 * @param path The JSON file.
 * @param overrides Keys that replace the file's values (e.g. `{ task: "fw_bw", epochs: 10 }`).
 * @returns The resolved parameters.
 */
export async function loadParams(
  path: string,
  overrides: Record<string, unknown> = {},
): Promise<PalParams> {
  return parseParams({ ...readParamsFile(await Deno.readTextFile(path), path), ...overrides });
}

/**
 * Reads a `.npy` file.
 *
 * @param path The file.
 * @returns Shape, dtype and values (row-major).
 */
export async function readNpy(path: string): Promise<NpyArray> {
  return parseNpy(await Deno.readFile(path), path);
}
