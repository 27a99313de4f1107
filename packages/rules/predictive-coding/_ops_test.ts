import assert from "node:assert/strict";
import { createRng, jsBackend as b, scalarActivation } from "@plasticity/core";
import { opsFor } from "./_ops.ts";

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
