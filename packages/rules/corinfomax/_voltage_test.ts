import assert from "node:assert/strict";
import { SimdArena } from "@plasticity/core";
import { hiddenRatesInto, type VoltageCoefficients, voltageStepInto } from "./_voltage.ts";

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

type Inputs = Record<"u" | "r" | "below" | "fb" | "rB", ArrayLike<number>>;

// One hidden step through voltageStepInto (norm: returns ‖u' − u‖²) or through hiddenRatesInto on
// an arena's buffers (no step size).
function hiddenStep(inputs: Inputs, s: VoltageCoefficients, norm: boolean) {
  const n = inputs.u.length;
  const arena = new SimdArena(7 * (n + 4));
  const buf = (x: ArrayLike<number>) => {
    const a = norm ? new Float32Array(n) : arena.alloc(n);
    a.set(Array.from(x));
    return a;
  };
  const a = {
    u: buf(inputs.u),
    r: buf(inputs.r),
    below: buf(inputs.below),
    fb: buf(inputs.fb),
    rB: buf(inputs.rB),
    un: buf([]),
    rn: buf([]),
    n,
  };
  const step2 = norm ? voltageStepInto(a, s) : (hiddenRatesInto(arena, a, s), undefined);
  return { un: a.un, rn: a.rn, step2 };
}

for (
  const [act, norm] of [["hardSigmoid", true], ["relu", true], ["hardSigmoid", false], [
    "relu",
    false,
  ]] as const
) {
  const hi = act === "hardSigmoid" ? 1 : Infinity, tag = norm ? "" : " (SIMD, no step size)";
  Deno.test(`fused hidden step${tag}: voltages and ${act} rates as defined, for every sign`, () => {
    const n = 64, f = (k: number) => Array.from({ length: n }, (_, j) => Math.sin(j * k) * 4);
    const a = { u: f(1), r: f(2).map(Math.abs), below: f(3), fb: f(5), rB: f(7) };
    const F = (x: number[]) => [...Float32Array.from(x)];
    const { un, rn, step2 } = hiddenStep(a, { ...c, act }, norm);
    const want = expected(
      { u: F(a.u), r: F(a.r), below: F(a.below), fb: F(a.fb), rB: F(a.rB) },
      { ...c, act },
      hi,
    );
    assert.deepEqual([...un], want.u);
    assert.deepEqual([...rn], want.r);
    let d2 = 0;
    want.u.forEach((v, j) => d2 += (v - Math.fround(a.u[j]!)) ** 2);
    if (norm) assert.ok(Math.abs(step2! - d2) <= 1e-6 * d2); // the kernel squares u′ before rounding
    assert.ok(want.r.some((v) => v === 0) && want.r.some((v) => v > 0 && v < 1));
    if (act === "hardSigmoid") assert.ok(want.r.some((v) => v === 1));
  });

  Deno.test(`fused hidden step${tag}: ${act} of a non-finite voltage is that of min/max`, () => {
    // −∞, +∞ and NaN voltages: rates 0, hi and NaN (and a non-finite step).
    const zeros = [0, 0, 0, 0];
    const { rn, step2 } = hiddenStep(
      { u: [-Infinity, Infinity, NaN, 0.5], r: zeros, below: zeros, fb: zeros, rB: zeros },
      { ...c, act },
      norm,
    );
    if (norm) assert.ok(!Number.isFinite(step2));
    assert.deepEqual([...rn.slice(0, 2)], [0, hi]);
    assert.ok(Number.isNaN(rn[2]!));
    assert.equal(rn[3], Math.fround(0.15));
  });
}
