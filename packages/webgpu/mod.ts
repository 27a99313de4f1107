/**
 * `@plasticity/webgpu`: the `webgpu` backend, every operation of core's `Backend` and core's
 * convolution and pooling as our own WGSL compute kernels. Importing the package registers it with core's `selectBackend`, so
 * `backend: webgpu` in a config works, and `auto` takes it when a hardware GPU adapter is present
 * (never a software one such as Mesa's llvmpipe).
 *
 * WebGPU reads back asynchronously; the backend keeps core's synchronous interface by running
 * WebGPU in a worker and blocking on readbacks (see {@linkcode WebgpuBackend}), so every rule
 * runs unchanged.
 *
 * @example Select the backend by name
 * ```ts
 * import "@plasticity/webgpu";
 * import { selectBackend } from "@plasticity/core";
 * const b = await selectBackend("webgpu", { log: () => {} });
 * console.assert(b.name === "webgpu" || b.name === "blas" || b.name === "js" || b.name.startsWith("tfjs"));
 * if ("close" in b) (b as { close(): void }).close();
 * ```
 *
 * @module
 */
import { registerWebgpuLoader } from "@plasticity/core";
import { createWebgpuBackend, probeWebgpu } from "./webgpu_backend.ts";

export * from "./webgpu_backend.ts";

registerWebgpuLoader({
  load: () => createWebgpuBackend({ allowSoftware: true }),
  hardware: async () => {
    const info = await probeWebgpu();
    return info !== undefined && !info.isFallbackAdapter;
  },
});
