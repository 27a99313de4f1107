/**
 * Backend selection by name: `auto` (webgpu on a hardware GPU adapter when `@plasticity/webgpu`
 * is imported, else blas if OpenBLAS loads, else tfjs-wasm, else js), `js`, `blas`, `webgpu`,
 * `tfjs` (= `tfjs-wasm`), `tfjs-wasm`, `tfjs-cpu`, `tfjs-webgpu`, `tensorflow`.
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

/** Names accepted by {@linkcode selectBackend}. */
export const BACKEND_NAMES = [
  "auto",
  "js",
  "blas",
  "webgpu",
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

/** The TF.js engines {@linkcode registerTfjsLoader} takes a loader for. */
export type TfjsEngine = "wasm" | "cpu" | "webgpu" | "tensorflow";

/** Loads one TF.js engine as a backend (what `@plasticity/tfjs` registers). */
export type TfjsLoader = (engine: TfjsEngine) => Promise<Backend>;

let tfjsLoader: TfjsLoader | undefined;

/**
 * Registers the loader of the TF.js backends (`tfjs`, `tfjs-wasm`, `tfjs-cpu`, `tfjs-webgpu`,
 * `tensorflow`): `@plasticity/tfjs` does so when imported, so that core and the rule packages
 * depend on no npm package. Without it, selecting a TF.js backend says so in one line and falls
 * back as for any backend that cannot load.
 *
 * @param loader The loader.
 *
 * @example
 * ```ts
 * import { jsBackend, registerTfjsLoader, selectBackend } from "@plasticity/core";
 * registerTfjsLoader(() => Promise.resolve(jsBackend)); // a stand-in, for the example
 * console.assert((await selectBackend("tfjs-cpu")).name === "js");
 * ```
 */
export function registerTfjsLoader(loader: TfjsLoader): void {
  tfjsLoader = loader;
  cache.clear();
}

async function loadTfjs(engine: TfjsEngine): Promise<Backend> {
  if (!tfjsLoader) {
    throw new Error("TF.js backends are in the optional package @plasticity/tfjs: import it first");
  }
  return await tfjsLoader(engine);
}

/** What `@plasticity/webgpu` registers: a loader and a probe for a hardware adapter. */
export interface WebgpuLoader {
  /** Starts the `webgpu` backend (a software adapter will do). */
  load(): Promise<Backend>;
  /** Whether a hardware (not software) adapter is present, for `auto`. */
  hardware(): Promise<boolean>;
}

let webgpuLoader: WebgpuLoader | undefined;

/**
 * Registers the `webgpu` backend: `@plasticity/webgpu` does so when imported. Without it,
 * selecting `webgpu` says so in one line and falls back; `auto` tries it first only when
 * {@linkcode WebgpuLoader.hardware} says a hardware adapter is present.
 *
 * @param loader The loader and its probe.
 *
 * @example
 * ```ts
 * import { jsBackend, registerWebgpuLoader, selectBackend } from "@plasticity/core";
 * // a stand-in, for the example
 * registerWebgpuLoader({ load: () => Promise.resolve(jsBackend), hardware: () => Promise.resolve(false) });
 * console.assert((await selectBackend("webgpu")).name === "js");
 * ```
 */
export function registerWebgpuLoader(loader: WebgpuLoader): void {
  webgpuLoader = loader;
  cache.clear();
}

async function loadWebgpu(): Promise<Backend> {
  if (!webgpuLoader) {
    throw new Error(
      "the webgpu backend is in the optional package @plasticity/webgpu: import it first",
    );
  }
  return await webgpuLoader.load();
}

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
    case "webgpu":
      return await loadWebgpu();
    case "tfjs":
    case "tfjs-wasm":
      return await loadTfjs("wasm");
    case "tfjs-cpu":
      return await loadTfjs("cpu");
    case "tfjs-webgpu":
      return await loadTfjs("webgpu");
    case "tensorflow":
      return await loadTfjs("tensorflow");
  }
}

/** The chain tried after `name` fails. */
function fallbacks(name: BackendName): Exclude<BackendName, "auto">[] {
  switch (name) {
    case "auto":
    case "blas":
      return ["blas", "tfjs-wasm", "js"];
    case "webgpu":
      return ["webgpu", "blas", "tfjs-wasm", "js"];
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
    // `auto` takes the GPU only where it is real hardware: no notice when it is not.
    if (wanted === "auto" && webgpuLoader && await webgpuLoader.hardware().catch(() => false)) {
      chain.unshift("webgpu");
    }
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
