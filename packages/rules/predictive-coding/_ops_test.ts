import assert from "node:assert/strict";
import { createRng, jsBackend as b, scalarActivation } from "@plasticity/core";
import { BufferOps, type Ops, opsFor } from "./_ops.ts";

// Each kernel test runs twice: on tensors of the backend (plain heap buffers: BufferOps' loops)
// and on copies BufferOps made itself (its SIMD arena: the WebAssembly kernels).
const PLACEMENTS = ["heap", "arena"] as const;
function placer(ops: Ops, where: (typeof PLACEMENTS)[number]) {
  if (where === "arena") ops.reserve(8, 8);
  return (t: ReturnType<typeof b.fromArray>) => (where === "arena" ? ops.copy(t) : t);
}
// Whether all the tensors share one WebAssembly memory (so BufferOps takes its SIMD kernels).
function inOneArena(...ts: ReturnType<typeof b.fromArray>[]): boolean {
  const bufs = ts.map((t) => b.raw!.data(t).buffer);
  return bufs.every((x) => x === bufs[0]) && bufs[0]!.byteLength >= 65536;
}

Deno.test("relax with sigmoid, tanh, ReLU and leaky ReLU: exactly x − γ(ε − φ′(x)⊙back) and a = φ(x), step after step", () => {
  // Reference: φ′ recomputed from x every time, as scalarActivation defines it. The fused kernel
  // remembers φ(x) between steps; the results must not differ in a single bit, also after x is
  // changed between steps (the memory must not be used for other values).
  const fs = ["sigmoid", "tanh", "relu", "leakyRelu"] as const;
  for (const [f, where] of PLACEMENTS.flatMap((w) => fs.map((f) => [f, w] as const))) {
    const { phi, dphi } = scalarActivation(f, 0.01);
    const ops = opsFor(b), place = placer(ops, where);
    const rng = createRng(11);
    const n = 4 * 6;
    const rand = () => Array.from({ length: n }, () => 2 * rng.normal());
    const x = place(b.fromArray(rand(), 4, 6));
    const a = place(b.fromArray(b.read(x).map((v) => phi(v)), 4, 6));
    const ref = Float32Array.from(b.read(x));
    for (let step = 0; step < 4; step++) {
      if (step === 2) {
        // Change some value nodes between steps, as a new batch's feed-forward pass does.
        const xd = b.raw!.data(x);
        for (let i = 0; i < n; i += 3) ref[i] = xd[i] = 0.5 * i - 3;
      }
      const eps = place(b.fromArray(rand(), 4, 6)), back = place(b.fromArray(rand(), 4, 6));
      assert.equal(inOneArena(x, a, eps, back), where === "arena");
      const ed = b.read(eps), bd = b.read(back), gamma = 0.1;
      const wantA = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        ref[i] = Math.fround(ref[i]! - gamma * (ed[i]! - dphi(ref[i]!) * bd[i]!));
        wantA[i] = phi(ref[i]!);
      }
      ops.relax(x, a, eps, back, gamma, f, 0.01);
      assert.deepEqual(b.read(x), ref, `${f} x at step ${step} (${where})`);
      // (ReLU's rate of a negative x is written as x·0 = −0.)
      const unsigned = (v: Float32Array) => v.map((z) => z + 0);
      assert.deepEqual(unsigned(b.read(a)), unsigned(wantA), `${f} a at step ${step} (${where})`);
    }
  }
});

Deno.test("relaxError: x − γ(ε − φ′(x)⊙back), a = φ(x), then ε = x − μ and ½Σε², bit for bit", () => {
  // Reference: the step as the paper writes it, element by element in float64 with x stored as
  // float32, then the error of the new x against μ. Every sign of x occurs (φ′ jumps at 0).
  const fs = ["relu", "leakyRelu", "tanh", "identity"] as const;
  for (const [f, where] of PLACEMENTS.flatMap((w) => fs.map((f) => [f, w] as const))) {
    const { phi, dphi } = scalarActivation(f, 0.1);
    const ops = opsFor(b), place = placer(ops, where);
    assert.ok(ops instanceof BufferOps);
    const rng = createRng(12);
    const n = 5 * 7, gamma = 0.3;
    const rand = () => Array.from({ length: n }, () => 2 * rng.normal());
    const x = place(b.fromArray(rand(), 5, 7)), mu = place(b.fromArray(rand(), 5, 7));
    const a = place(b.fromArray(b.read(x).map((v) => phi(v)), 5, 7));
    const eps = place(b.fromArray(rand(), 5, 7)), back = place(b.fromArray(rand(), 5, 7));
    assert.equal(inOneArena(x, a, eps, back, mu), where === "arena");
    const x0 = b.read(x), ed = b.read(eps), bd = b.read(back), md = b.read(mu);
    const wantX = new Float32Array(n), wantA = new Float32Array(n), wantE = new Float32Array(n);
    let half = 0;
    for (let i = 0; i < n; i++) {
      wantX[i] = x0[i]! - gamma * (ed[i]! - dphi(x0[i]!) * bd[i]!);
      wantA[i] = phi(wantX[i]!);
      const e = wantX[i]! - md[i]!;
      wantE[i] = e;
      half += 0.5 * e * e;
    }
    const got = ops.relaxError(x, a, eps, back, gamma, f, 0.1, mu);
    assert.deepEqual(b.read(x), wantX, `${f} x`);
    // (ReLU's rate of a negative x is written as x·0 = −0.)
    const unsigned = (v: Float32Array) => v.map((z) => z + 0);
    assert.deepEqual(unsigned(b.read(a)), unsigned(wantA), `${f} a`);
    assert.deepEqual(b.read(eps), wantE, `${f} ε`);
    assert.ok(Math.abs(got - half) <= 1e-12 * half, `${f}: ${got} vs ${half}`);
    assert.ok(x0.some((v) => v > 0) && x0.some((v) => v < 0));
  }
});

Deno.test("BufferOps keeps a step's state on the heap when one SIMD arena could not hold it", () => {
  const ops = opsFor(b);
  ops.reserve(1e6, 1000); // 1.1e10 floats: more than SimdArena.MAX_FLOATS
  const t = b.fromArray([1, 2, 3, 4], 2, 2);
  const x = ops.copy(t), a = ops.copy(t);
  assert.ok(!inOneArena(x, a));
  assert.ok(b.raw!.data(x).buffer.byteLength === 16);
  ops.reserve(2, 2); // a small step again: back in an arena
  const y = ops.copy(t), z = ops.copy(t);
  assert.ok(inOneArena(y, z));
});
