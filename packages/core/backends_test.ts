import assert from "node:assert/strict";
import { parseBackendName, selectBackend } from "./backends.ts";
import { createBlasBackend } from "./blas_backend.ts";
import { loadTfjsBackend } from "./tfjs_backend.ts";

Deno.test("parseBackendName() lists the valid names", () => {
  assert.throws(
    () => parseBackendName("cuda"),
    /Unknown backend "cuda": expected one of auto, js, blas, tfjs/,
  );
});

Deno.test("a missing OpenBLAS gives one line saying why", () => {
  assert.throws(() => createBlasBackend(["/nonexistent/libopenblas.so.0"]), (e: Error) => {
    assert.match(e.message, /^OpenBLAS could not be loaded \(\/nonexistent\/libopenblas\.so\.0: /);
    assert.ok(!e.message.includes("\n"));
    return true;
  });
});

Deno.test("selectBackend() falls back along the chain with one line per failure", async () => {
  // The library path is injected, not set in the environment, which test files running in
  // parallel share.
  const lines: string[] = [];
  const b = await selectBackend("blas", {
    log: (l) => lines.push(l),
    blasPaths: ["/nonexistent/libopenblas.so.0"],
  });
  assert.equal(lines.length, 1);
  assert.match(
    lines[0]!,
    /^backend blas unavailable: OpenBLAS could not be loaded .*; using tfjs-wasm$/,
  );
  assert.ok(b.name === "tfjs-wasm" || b.name === "js");
});

Deno.test("the native TensorFlow backend, where it cannot load, says why in one line", async () => {
  // tfjs-node-gpu is usually not installed (its install script downloads libtensorflow).
  let loaded = false;
  try {
    await loadTfjsBackend("tensorflow");
    loaded = true;
  } catch (e) {
    assert.match((e as Error).message, /^TensorFlow native backend unavailable \(/);
    assert.ok(!(e as Error).message.includes("\n"));
  }
  if (loaded) console.error("tensorflow backend loaded: fallback not exercised on this machine");
});

Deno.test("tfjs-webgpu either reads back correctly or falls back with one line", async () => {
  const lines: string[] = [];
  const b = await selectBackend("tfjs-webgpu", { log: (l) => lines.push(l) });
  if (b.name === "tfjs-webgpu") {
    assert.equal(b.read(b.matmul(b.fill(64, 64, 1), b.fill(64, 64, 1)))[0], 64);
  } else {
    // Under Deno, TF.js's WebGPU read-back needs an OffscreenCanvas 2D context, which Deno lacks.
    assert.match(lines[0]!, /^backend tfjs-webgpu unavailable: .*; using tfjs-wasm$/);
    assert.ok(!lines[0]!.includes("\n"));
  }
});
