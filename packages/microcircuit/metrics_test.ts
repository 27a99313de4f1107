import assert from "node:assert/strict";
import { angleToTranspose, annBpDeltaW, matrixAngle } from "./metrics.ts";

Deno.test("matrixAngle agrees with arccos of the Frobenius cosine", () => {
  const a = [0.3, -1.2, 2, 0.5], b = [1, 0.4, -0.7, 2];
  const dot = a.reduce((s, x, i) => s + x * b[i]!, 0);
  const na = Math.hypot(...a), nb = Math.hypot(...b);
  const ref = (Math.acos(dot / (na * nb)) * 180) / Math.PI;
  assert.ok(Math.abs(matrixAngle(a, b) - ref) < 1e-12);
  assert.equal(matrixAngle(a, a.map((x) => -3 * x)), 180);
});

Deno.test("angleToTranspose scales rows and columns of W transposed", () => {
  // B (2×3), W (3×2). With dRows = [1, 2], dCols = [1, 1, 3]: target_ij = dRows_i W_ji dCols_j.
  const W = [1, 2, 3, 4, 5, 6];
  const dR = [1, 2], dC = [1, 1, 3];
  const B = [1 * 1 * 1, 1 * 3 * 1, 1 * 5 * 3, 2 * 2 * 1, 2 * 4 * 1, 2 * 6 * 3];
  assert.equal(angleToTranspose(B, W, 2, 3, dR, dC), 0);
  assert.ok(angleToTranspose(B, W, 2, 3) > 1);
});

Deno.test("annBpDeltaW equals finite-difference gradients of the half squared error", () => {
  const layers = [2, 3, 2];
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  const dsig = (x: number) => sig(x) * (1 - sig(x));
  const id = (x: number) => x, one = () => 1;
  const W = [[0.2, -0.4, 0.7, 0.1, -0.3, 0.5], [0.6, -0.2, 0.3, -0.8, 0.4, 0.9]];
  const r0 = [0.3, 0.8], t = [0.5, -0.2], g = 0.5, s = 1.3;
  const loss = (Ws: number[][]) => {
    const h1 = [0, 1, 2].map((i) => g * (Ws[0]![i * 2]! * r0[0]! + Ws[0]![i * 2 + 1]! * r0[1]!));
    const r1 = h1.map(sig);
    const h2 = [0, 1].map((i) =>
      s * g * (Ws[1]![i * 3]! * r1[0]! + Ws[1]![i * 3 + 1]! * r1[1]! + Ws[1]![i * 3 + 2]! * r1[2]!)
    );
    return 0.5 * ((t[0]! - h2[0]!) ** 2 + (t[1]! - h2[1]!) ** 2);
  };
  const d = annBpDeltaW(W, layers, [sig, id], [dsig, one], g, s, r0, t);
  // The reference's update omits the constant factors ĝ and the output scale: ΔW ∝ −∂loss/∂W, so
  // compare directions with the finite-difference gradient.
  for (let k = 0; k < 2; k++) {
    const fd = W[k]!.map((_, j) => {
      const e = 1e-6;
      const Wp = W.map((w) => [...w]), Wm = W.map((w) => [...w]);
      Wp[k]![j]! += e;
      Wm[k]![j]! -= e;
      return -(loss(Wp) - loss(Wm)) / (2 * e);
    });
    assert.ok(matrixAngle(d[k]!, fd) < 1e-4, `layer ${k}`);
  }
});
