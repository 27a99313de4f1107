// The webgpu backend on whatever adapter this machine has (Mesa's llvmpipe software adapter in
// CI): the full conformance suite against the js reference, products of awkward shapes, memory
// management (tidy, keep, dispose, live counts) and selection by name. Set
// PLASTICITY_SKIP_WEBGPU=1 to skip on a machine without any WebGPU adapter.
import assert from "node:assert/strict";
import { jsBackend, selectBackend } from "@plasticity/core";
import { assertConformance } from "@plasticity/core/testing";
import { createWebgpuBackend, probeWebgpu, type WebgpuBackend } from "./mod.ts";

const skip = Deno.env.get("PLASTICITY_SKIP_WEBGPU") === "1";

async function withGpu(fn: (b: WebgpuBackend) => void | Promise<void>): Promise<void> {
  const b = await createWebgpuBackend();
  try {
    await fn(b);
  } finally {
    b.close();
  }
}

function data(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  });
}

Deno.test({
  name: "webgpu conforms: every operation gives the js reference's values within 1e-5",
  ignore: skip,
  fn: () => withGpu((b) => assertConformance(b)),
});

Deno.test({
  name: "webgpu matmul of shapes that are no multiple of the tile, every transpose flag",
  ignore: skip,
  fn: () =>
    withGpu((b) => {
      for (const [m, k, n] of [[37, 70, 19], [1, 300, 3], [65, 17, 1], [0, 4, 5], [3, 0, 2]]) {
        for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
          const a = data(m! * k!, m! + k!), c = data(k! * n!, k! * n! + 1);
          const [ar, ac] = ta ? [k!, m!] : [m!, k!], [br, bc] = tb ? [n!, k!] : [k!, n!];
          const got = b.read(b.matmul(b.fromArray(a, ar, ac), b.fromArray(c, br, bc), ta, tb));
          const want = jsBackend.read(
            jsBackend.matmul(
              jsBackend.fromArray(a, ar, ac),
              jsBackend.fromArray(c, br, bc),
              ta,
              tb,
            ),
          );
          assert.equal(got.length, m! * n!);
          for (let i = 0; i < got.length; i++) {
            assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-5 * Math.max(1, Math.abs(want[i]!)));
          }
        }
      }
    }),
});

Deno.test({
  name: "webgpu tidy frees what it made except what it returns; keep and dispose; live counts",
  ignore: skip,
  fn: () =>
    withGpu((b) => {
      const base = b.liveTensors();
      const x = b.fill(2, 2, 1);
      const kept = b.tidy(() => {
        const a = b.scale(x, 2), c = b.add(a, x);
        b.keep(a);
        return { c, list: [b.sqrt(c)] };
      });
      // x, a (kept), c and sqrt(c) are alive; the tidy's other intermediates are not.
      assert.equal(b.liveTensors(), base + 4);
      assert.deepEqual(Array.from(b.read(kept.c)), [3, 3, 3, 3]);
      b.dispose(kept.c, x);
      assert.equal(b.liveTensors(), base + 2);
      assert.throws(() => b.read(kept.c), /^Error: Cannot use a disposed 2×2 webgpu tensor$/);
      // a throwing tidy still frees what it made
      assert.throws(() =>
        b.tidy(() => {
          b.zeros(3, 3);
          throw new Error("boom");
        }), /boom/);
      assert.equal(b.liveTensors(), base + 2);
      // buffers freed are reused: many rounds stay correct
      let acc = b.keep(b.zeros(1, 4));
      for (let i = 0; i < 50; i++) {
        const next = b.tidy(() => b.addScalar(b.scale(acc, 1), 1));
        b.dispose(acc);
        acc = b.keep(next);
      }
      assert.deepEqual(Array.from(b.read(acc)), [50, 50, 50, 50]);
    }),
});

Deno.test({
  name: "webgpu is selected by name once imported; auto takes it only on a hardware adapter",
  ignore: skip,
  fn: async () => {
    const b = await selectBackend("webgpu", { log: () => {} });
    try {
      assert.equal(b.name, "webgpu");
    } finally {
      (b as WebgpuBackend).close();
    }
    const info = await probeWebgpu();
    const auto = await selectBackend("auto", { log: () => {} });
    if (info?.isFallbackAdapter) {
      assert.notEqual(auto.name, "webgpu");
      await assert.rejects(
        () => createWebgpuBackend({ allowSoftware: false }),
        /^Error: only a software adapter is present \("/,
      );
    }
    if (auto.name === "webgpu") (auto as WebgpuBackend).close();
  },
});

Deno.test({
  name: "a closed webgpu backend refuses work in one line",
  ignore: skip,
  fn: async () => {
    const b = await createWebgpuBackend();
    b.close();
    assert.throws(() => b.zeros(1, 1), /^Error: The webgpu backend was closed$/);
  },
});
