import assert from "node:assert/strict";
import { type VoltageCoefficients, voltageStepInto } from "./_voltage.ts";

// u' = keep·u + η(cBelow·below + cFb·fb + cB·rB + cR·r) and r' = min(max(u', 0), hi), element by
// element in double precision, each stored as float32: the definition the fused kernel must meet.
function expected(
  a: Record<"u" | "r" | "below" | "fb" | "rB", number[]>,
  c: VoltageCoefficients,
  hi: number,
): { u: number[]; r: number[] } {
  const u: number[] = [], r: number[] = [];
  for (let j = 0; j < a.u.length; j++) {
    const v = c.keep * a.u[j]! + c.cBelow * c.eta * a.below[j]! + c.cFb * c.eta * a.fb[j]! +
      c.cB * c.eta * a.rB[j]! + c.cR * c.eta * a.r[j]!;
    u.push(Math.fround(v));
    r.push(Math.fround(Math.min(Math.max(v, 0), hi)));
  }
  return { u, r };
}

const c: VoltageCoefficients = {
  keep: 0.3,
  eta: 0.05,
  cBelow: 1 / 0.15,
  cFb: 1 / 0.15,
  cB: 2e-5,
  cR: 0.5,
  act: "hardSigmoid",
  slope: 0.01,
};

// norm false: the variant for steps whose size is not used (0 returned for finite voltages).
for (
  const [act, norm] of [["hardSigmoid", true], ["relu", true], ["hardSigmoid", false], [
    "relu",
    false,
  ]] as const
) {
  const hi = act === "hardSigmoid" ? 1 : Infinity, tag = norm ? "" : " (no step size)";
  Deno.test(`fused hidden step${tag}: voltages and ${act} rates as defined, for every sign`, () => {
    const n = 64, f = (k: number) => Array.from({ length: n }, (_, j) => Math.sin(j * k) * 4);
    const a = { u: f(1), r: f(2).map(Math.abs), below: f(3), fb: f(5), rB: f(7) };
    const un = new Float32Array(n), rn = new Float32Array(n);
    const F = (x: number[]) => Float32Array.from(x);
    const step2 = voltageStepInto(
      { u: F(a.u), r: F(a.r), below: F(a.below), fb: F(a.fb), rB: F(a.rB), un, rn, n },
      { ...c, act },
      norm,
    );
    const want = expected(
      {
        ...a,
        u: [...F(a.u)],
        r: [...F(a.r)],
        below: [...F(a.below)],
        fb: [...F(a.fb)],
        rB: [...F(a.rB)],
      },
      { ...c, act },
      hi,
    );
    assert.deepEqual([...un], want.u);
    assert.deepEqual([...rn], want.r);
    let d2 = 0;
    want.u.forEach((v, j) => d2 += (v - Math.fround(a.u[j]!)) ** 2);
    if (norm) assert.ok(Math.abs(step2 - d2) <= 1e-6 * d2); // the kernel squares u′ before rounding
    else assert.equal(step2, 0);
    assert.ok(want.r.some((v) => v === 0) && want.r.some((v) => v > 0 && v < 1));
    if (act === "hardSigmoid") assert.ok(want.r.some((v) => v === 1));
  });

  Deno.test(`fused hidden step${tag}: ${act} of a non-finite voltage is that of min/max`, () => {
    // −∞, +∞ and NaN voltages: rates 0, hi and NaN, and a non-finite step.
    const u = Float32Array.from([-Infinity, Infinity, NaN, 0.5]);
    const zeros = () => new Float32Array(4);
    const un = zeros(), rn = zeros();
    const step2 = voltageStepInto(
      { u, r: zeros(), below: zeros(), fb: zeros(), rB: zeros(), un, rn, n: 4 },
      { ...c, act },
      norm,
    );
    assert.ok(!Number.isFinite(step2));
    assert.deepEqual([...rn.slice(0, 2)], [0, hi]);
    assert.ok(Number.isNaN(rn[2]!));
    assert.equal(rn[3], Math.fround(0.15));
  });
}
