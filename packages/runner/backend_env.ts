/**
 * The backend settings that come from the environment, read in this one place: `PLASTICITY_BACKEND`
 * (the backend of a config that names none) and `PLASTICITY_BLAS_LIB` (the OpenBLAS file to open
 * instead of core's candidates). Core reads no environment; the runner, the apps and the tools pass
 * these values to `selectBackend`.
 *
 * @module
 */
// The TF.js backends (`backend: tfjs…`) and the webgpu backend register themselves with core
// when imported.
import "@plasticity/tfjs";
import "@plasticity/webgpu";
import {
  type Backend,
  type BackendName,
  parseBackendName,
  selectBackend,
  type SelectOptions,
} from "@plasticity/core";

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * `PLASTICITY_BACKEND`, when set and not empty.
 *
 * @param env Reads an environment variable (default `Deno.env`, `undefined` without permission).
 * @returns The backend name as given, unchecked.
 *
 * @example
 * ```ts
 * import { envBackendName } from "@plasticity/runner/backend-env";
 * console.assert(envBackendName((n) => n === "PLASTICITY_BACKEND" ? "js" : undefined) === "js");
 * console.assert(envBackendName(() => "") === undefined);
 * ```
 */
export function envBackendName(
  env: (name: string) => string | undefined = readEnv,
): string | undefined {
  return env("PLASTICITY_BACKEND") || undefined;
}

/**
 * The OpenBLAS files named by `PLASTICITY_BLAS_LIB`, when set and not empty.
 *
 * @param env Reads an environment variable (default `Deno.env`, `undefined` without permission).
 * @returns The one file to try, or `undefined` for core's default candidates.
 *
 * @example
 * ```ts
 * import { envBlasPaths } from "@plasticity/runner/backend-env";
 * const paths = envBlasPaths((n) => n === "PLASTICITY_BLAS_LIB" ? "/opt/lib/libopenblas.so" : undefined);
 * console.assert(paths?.length === 1 && paths[0] === "/opt/lib/libopenblas.so");
 * console.assert(envBlasPaths(() => undefined) === undefined);
 * ```
 */
export function envBlasPaths(
  env: (name: string) => string | undefined = readEnv,
): string[] | undefined {
  const path = env("PLASTICITY_BLAS_LIB") || undefined;
  return path === undefined ? undefined : [path];
}

/**
 * Loads a backend as the runner does: `name`, else `PLASTICITY_BACKEND`, else `auto`, with the
 * OpenBLAS file of `PLASTICITY_BLAS_LIB` when set (see core's `selectBackend`).
 *
 * @param name The backend name, when the caller has one (a flag or a config key).
 * @param options Where fallback notices go (the OpenBLAS files come from the environment).
 * @returns The loaded backend.
 *
 * @example
 * ```ts
 * import { selectEnvBackend } from "@plasticity/runner/backend-env";
 * console.assert((await selectEnvBackend("js")).name === "js");
 * ```
 */
export function selectEnvBackend(
  name?: BackendName,
  options: Omit<SelectOptions, "blasPaths"> = {},
): Promise<Backend> {
  const blasPaths = envBlasPaths();
  let wanted = name;
  if (wanted === undefined) {
    const env = envBackendName();
    try {
      wanted = env === undefined ? "auto" : parseBackendName(env);
    } catch (e) {
      throw new Error(`PLASTICITY_BACKEND: ${(e as Error).message}`);
    }
  }
  return selectBackend(wanted, {
    ...options,
    ...(blasPaths ? { blasPaths } : {}),
  });
}

/**
 * Parses a backend name given on a command line (e.g. a tool's `--backend`), naming the flag in
 * the error; `undefined` stays undefined so {@linkcode selectEnvBackend} falls back to
 * `PLASTICITY_BACKEND`.
 *
 * @param value The flag's value, if given.
 * @param flag The flag, for messages.
 * @returns The validated name, or undefined.
 *
 * @example
 * ```ts
 * import { parseBackendFlag } from "@plasticity/runner/backend-env";
 * console.assert(parseBackendFlag("js") === "js" && parseBackendFlag(undefined) === undefined);
 * try { parseBackendFlag("gpu"); } catch (e) { console.assert((e as Error).message.startsWith("--backend: Unknown backend")); }
 * ```
 */
export function parseBackendFlag(
  value: string | undefined,
  flag = "--backend",
): BackendName | undefined {
  if (value === undefined) return undefined;
  try {
    return parseBackendName(value);
  } catch (e) {
    throw new Error(`${flag}: ${(e as Error).message}`);
  }
}
