/**
 * `@plasticity/tfjs`: the TensorFlow.js backends (`tfjs-wasm`, `tfjs-cpu`, `tfjs-webgpu`,
 * `tensorflow`) as an optional package. Importing it registers them with core's `selectBackend`,
 * so `backend: tfjs` in a config works; core and the rule packages themselves pull no npm package.
 *
 * @example Select the TF.js CPU engine by name
 * ```ts
 * import "@plasticity/tfjs";
 * import { selectBackend } from "@plasticity/core";
 * const b = await selectBackend("tfjs-cpu", { log: () => {} });
 * console.assert(b.name === "tfjs-cpu" || b.name === "js");
 * ```
 *
 * @module
 */
import { registerTfjsLoader } from "@plasticity/core";
import { loadTfjsBackend } from "./tfjs_backend.ts";

export * from "./tfjs_backend.ts";

registerTfjsLoader(loadTfjsBackend);
