import assert from "node:assert/strict";
import { parseBackendName, selectBackend } from "./backends.ts";
import { createBlasBackend } from "./blas_backend.ts";
import "@plasticity/tfjs"; // registers the TF.js backends

Deno.test("parseBackendName() lists the valid names", () => {
  assert.throws(
    () => parseBackendName("cuda"),
    /Unknown backend "cuda": expected one of auto, js, blas, webgpu, tfjs/,
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
  // tfjs-node-gpu is usually not installed (its install script downloads libtensorflow). It is
  // imported in a child with the lockfile frozen and without downloading, so the test neither fetches
  // it nor writes it into deno.lock.
  const code = 'import { loadTfjsBackend } from "@plasticity/tfjs";' +
    'try { await loadTfjsBackend("tensorflow"); console.log("loaded"); }' +
    "catch (e) { console.log(JSON.stringify(e.message)); }";
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--frozen", "--cached-only", code],
    cwd: new URL("../..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  if (text === "loaded") {
    console.error("tensorflow backend loaded: fallback not exercised on this machine");
    return;
  }
  const message = JSON.parse(text) as string;
  assert.match(message, /^TensorFlow native backend unavailable \(/);
  assert.ok(!message.includes("\n"));
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

Deno.test("without @plasticity/tfjs registered, a TF.js backend says so in one line and falls back", async () => {
  // A fresh module instance of backends.ts has no loader registered.
  const fresh = await import(`./backends.ts?fresh=${Date.now()}`) as typeof import("./backends.ts");
  const lines: string[] = [];
  const b = await fresh.selectBackend("tfjs-cpu", { log: (l) => lines.push(l) });
  assert.equal(b.name, "js");
  assert.deepEqual(lines, [
    "backend tfjs-cpu unavailable: TF.js backends are in the optional package @plasticity/tfjs: import it first; using js",
  ]);
});

Deno.test("without @plasticity/webgpu registered, webgpu says so in one line and falls back; auto never tries it", async () => {
  const fresh = await import(
    `./backends.ts?fresh=webgpu${Date.now()}`
  ) as typeof import("./backends.ts");
  const lines: string[] = [];
  const b = await fresh.selectBackend("webgpu", {
    log: (l) => lines.push(l),
    blasPaths: ["/nonexistent/libopenblas.so"],
  });
  assert.equal(b.name, "js");
  assert.equal(
    lines[0],
    "backend webgpu unavailable: the webgpu backend is in the optional package @plasticity/webgpu: import it first; using blas",
  );
  // A registered loader whose probe finds no hardware adapter is not tried by auto, silently.
  let loads = 0;
  fresh.registerWebgpuLoader({
    load: () => {
      loads++;
      return Promise.reject(new Error("unreachable"));
    },
    hardware: () => Promise.resolve(false),
  });
  const auto: string[] = [];
  await fresh.selectBackend("auto", { log: (l) => auto.push(l), blasPaths: [] });
  assert.equal(loads, 0);
  assert.ok(auto.every((l) => !l.includes("webgpu")), auto.join("\n"));
  // With hardware it is tried first.
  let tried = 0;
  fresh.registerWebgpuLoader({
    load: () => {
      tried++;
      return fresh.selectBackend("js");
    },
    hardware: () => Promise.resolve(true),
  });
  assert.equal((await fresh.selectBackend("auto", { blasPaths: [] })).name, "js");
  assert.equal(tried, 1);
});
