/**
 * Backend selection by name: `auto` (blas if OpenBLAS loads, else tfjs-wasm, else js), `js`,
 * `blas`, `tfjs` (= `tfjs-wasm`), `tfjs-wasm`, `tfjs-cpu`, `tfjs-webgpu`, `tensorflow`.
 * A backend that cannot load says why in one line and the selection falls back along the `auto`
 * chain. Core reads no environment: the caller passes the name and the OpenBLAS files (the runner
 * takes them from a config key, a CLI flag or the env variables `PLASTICITY_BACKEND` and
 * `PLASTICITY_BLAS_LIB`).
 *
 * @module
 */
import { BLAS_CANDIDATES, createBlasBackend } from "./blas_backend.ts";
import { jsBackend } from "./js_backend.ts";
import type { Backend } from "./tensor.ts";
import { loadTfjsBackend } from "./tfjs_backend.ts";

/** Names accepted by {@linkcode selectBackend}. */
export const BACKEND_NAMES = [
  "auto",
  "js",
  "blas",
  "tfjs",
  "tfjs-wasm",
  "tfjs-cpu",
  "tfjs-webgpu",
  "tensorflow",
] as const;

/** A backend name. */
export type BackendName = typeof BACKEND_NAMES[number];

/** Options of {@linkcode selectBackend}. */
export interface SelectOptions {
  /** Where the one-line fallback notices go (default: stderr). */
  log?: (line: string) => void;
  /** OpenBLAS files to try, in order (default {@linkcode BLAS_CANDIDATES}). */
  blasPaths?: readonly string[];
}

const cache = new Map<string, Promise<Backend>>();

/**
 * Parses a backend name.
 *
 * @param value The candidate.
 * @returns The name, typed.
 *
 * @example
 * ```ts
 * import { parseBackendName } from "@plasticity/core";
 * console.assert(parseBackendName("js") === "js");
 * ```
 */
export function parseBackendName(value: unknown): BackendName {
  if (typeof value === "string" && (BACKEND_NAMES as readonly string[]).includes(value)) {
    return value as BackendName;
  }
  throw new Error(
    `Unknown backend ${JSON.stringify(value)}: expected one of ${BACKEND_NAMES.join(", ")}`,
  );
}

async function loadOne(
  name: Exclude<BackendName, "auto">,
  blasPaths: readonly string[],
): Promise<Backend> {
  switch (name) {
    case "js":
      return jsBackend;
    case "blas":
      return createBlasBackend(blasPaths);
    case "tfjs":
    case "tfjs-wasm":
      return await loadTfjsBackend("wasm");
    case "tfjs-cpu":
      return await loadTfjsBackend("cpu");
    case "tfjs-webgpu":
      return await loadTfjsBackend("webgpu");
    case "tensorflow":
      return await loadTfjsBackend("tensorflow");
  }
}

/** The chain tried after `name` fails. */
function fallbacks(name: BackendName): Exclude<BackendName, "auto">[] {
  switch (name) {
    case "auto":
    case "blas":
      return ["blas", "tfjs-wasm", "js"];
    case "tensorflow":
    case "tfjs-webgpu":
      return [name, "tfjs-wasm", "js"];
    case "tfjs":
    case "tfjs-wasm":
      return ["tfjs-wasm", "tfjs-cpu", "js"];
    case "tfjs-cpu":
      return ["tfjs-cpu", "js"];
    case "js":
      return ["js"];
  }
}

/**
 * Loads the named backend, falling back with a one-line notice when it cannot load.
 * Results are cached per name and OpenBLAS file list; TF.js engines are process-global, so one
 * process uses one TF.js flavour.
 *
 * @param name The backend name, already validated: a config's `backend` is
 *   checked by the runner's schema; other callers with an untyped string use
 *   {@linkcode parseBackendName} first.
 * @param options Where notices go, and the OpenBLAS files to try.
 * @returns The loaded backend; its `name` says which one it is.
 *
 * @example
 * ```ts
 * import { selectBackend } from "@plasticity/core";
 * const b = await selectBackend("js");
 * console.assert(b.name === "js");
 * ```
 */
export function selectBackend(
  name: BackendName,
  options: SelectOptions = {},
): Promise<Backend> {
  // The name comes validated (a config's `backend` by the runner's schema, or
  // parseBackendName at another edge); the chain's switch is exhaustive over the names.
  const wanted = name;
  const log = options.log ?? ((line: string) => console.error(line));
  const blasPaths = options.blasPaths ?? BLAS_CANDIDATES;
  const key = JSON.stringify([wanted, blasPaths]);
  const hit = cache.get(key);
  if (hit) return hit;
  const p = (async () => {
    const chain = fallbacks(wanted);
    for (let i = 0; i < chain.length; i++) {
      const n = chain[i]!;
      try {
        return await loadOne(n, blasPaths);
      } catch (e) {
        const next = chain[i + 1];
        const why = (e instanceof Error ? e.message : String(e)).split("\n")[0];
        if (!next) throw e;
        log(`backend ${n} unavailable: ${why}; using ${next}`);
      }
    }
    return jsBackend;
  })();
  cache.set(key, p);
  return p;
}
