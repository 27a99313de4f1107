import assert from "node:assert/strict";
import { createRng, jsBackend as b, scalarActivation } from "@plasticity/core";
import { BufferOps, opsFor } from "./_ops.ts";

Deno.test("relax with sigmoid and tanh: exactly x − γ(ε − φ′(x)⊙back) and a = φ(x), step after step", () => {
  // Reference: φ′ recomputed from x every time, as scalarActivation defines it. The fused kernel
  // remembers φ(x) between steps; the results must not differ in a single bit, also after x is
  // changed between steps (the memory must not be used for other values).
  for (const f of ["sigmoid", "tanh"] as const) {
    const { phi, dphi } = scalarActivation(f);
    const ops = opsFor(b);
    const rng = createRng(11);
    const n = 4 * 6;
    const rand = () => Array.from({ length: n }, () => 2 * rng.normal());
    const x = b.fromArray(rand(), 4, 6);
    const a = b.fromArray(b.read(x).map((v) => phi(v)), 4, 6);
    const ref = Float32Array.from(b.read(x));
    for (let step = 0; step < 4; step++) {
      if (step === 2) {
        // Change some value nodes between steps, as a new batch's feed-forward pass does.
        const xd = b.raw!.data(x);
        for (let i = 0; i < n; i += 3) ref[i] = xd[i] = 0.5 * i - 3;
      }
      const eps = b.fromArray(rand(), 4, 6), back = b.fromArray(rand(), 4, 6);
      const ed = b.read(eps), bd = b.read(back), gamma = 0.1;
      const wantA = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        ref[i] = Math.fround(ref[i]! - gamma * (ed[i]! - dphi(ref[i]!) * bd[i]!));
        wantA[i] = phi(ref[i]!);
      }
      ops.relax(x, a, eps, back, gamma, f, 0.01);
      assert.deepEqual(b.read(x), ref, `${f} x at step ${step}`);
      assert.deepEqual(b.read(a), wantA, `${f} a at step ${step}`);
    }
  }
});

Deno.test("relaxError: x − γ(ε − φ′(x)⊙back), a = φ(x), then ε = x − μ and ½Σε², bit for bit", () => {
  // Reference: the step as the paper writes it, element by element in float64 with x stored as
  // float32, then the error of the new x against μ. Every sign of x occurs (φ′ jumps at 0).
  for (const f of ["relu", "leakyRelu", "tanh", "identity"] as const) {
    const { phi, dphi } = scalarActivation(f, 0.1);
    const ops = opsFor(b);
    assert.ok(ops instanceof BufferOps);
    const rng = createRng(12);
    const n = 5 * 7, gamma = 0.3;
    const rand = () => Array.from({ length: n }, () => 2 * rng.normal());
    const x = b.fromArray(rand(), 5, 7), mu = b.fromArray(rand(), 5, 7);
    const a = b.fromArray(b.read(x).map((v) => phi(v)), 5, 7);
    const eps = b.fromArray(rand(), 5, 7), back = b.fromArray(rand(), 5, 7);
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
