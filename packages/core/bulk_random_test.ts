import assert from "node:assert/strict";
import { createRng, type Rng, Xoshiro128 } from "./random.ts";
import { fillHalfNormal, fillNormal, fillUniform } from "./bulk_random.ts";

/** erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7). */
function erf(x: number): number {
  const s = Math.sign(x), a = Math.abs(x), t = 1 / (1 + 0.3275911 * a);
  const p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 +
                t * 1.061405429))));
  return s * (1 - p * Math.exp(-a * a));
}
const Phi = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

/** The Kolmogorov–Smirnov distance between the sample and the CDF `F`. */
function ks(sample: Float32Array, F: (x: number) => number): number {
  const s = Float64Array.from(sample).sort(), n = s.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = F(s[i]!);
    d = Math.max(d, Math.abs(f - i / n), Math.abs((i + 1) / n - f));
  }
  return d;
}

/**
 * Pearson's χ² of |z| over 70 bins of width 0.05 on [0, 3.5) plus one beyond (every expected
 * count above 180 at n = 400 000), against the CDF `F` of |z|: 70 degrees of freedom, above 112.3
 * with probability 0.001. Finer than KS at the layers' edges, where a ziggurat goes wrong.
 */
function chi2(sample: Float32Array, F: (x: number) => number): number {
  const counts = new Float64Array(71);
  for (const v of sample) counts[Math.min(70, Math.floor(Math.abs(v) / 0.05))]!++;
  let c = 0;
  for (let k = 0; k < 71; k++) {
    const p = (k === 70 ? 1 : F((k + 1) * 0.05)) - F(k * 0.05), e = p * sample.length;
    c += (counts[k]! - e) ** 2 / e;
  }
  return c;
}
const CHI2_LIMIT = 112.3;
const halfCdf = (x: number) => 2 * Phi(x) - 1;

// At n = 400 000 the KS distance exceeds 1.95/√n ≈ 0.0031 with probability 0.001.
const N = 400_000, KS_LIMIT = 1.95 / Math.sqrt(N);

Deno.test("fillNormal() draws N(0, 1): KS distance to Φ, moments, symmetry", () => {
  const z = fillNormal(new Float32Array(N), createRng(1));
  const d = ks(z, Phi);
  assert.ok(d < KS_LIMIT, `KS distance ${d}`);
  const c = chi2(z, halfCdf);
  assert.ok(c < CHI2_LIMIT, `χ² ${c}`);
  let s = 0, s2 = 0, s4 = 0, pos = 0;
  for (const v of z) {
    s += v;
    s2 += v * v;
    s4 += v ** 4;
    if (v > 0) pos++;
  }
  // Standard errors: 1/√N ≈ 0.0016 for the mean, √(2/N) ≈ 0.0022 for E z², √(96/N) ≈ 0.015 for E z⁴.
  assert.ok(Math.abs(s / N) < 0.008, `mean ${s / N}`);
  assert.ok(Math.abs(s2 / N - 1) < 0.011, `E z² ${s2 / N}`);
  assert.ok(Math.abs(s4 / N - 3) < 0.08, `E z⁴ ${s4 / N}`);
  assert.ok(Math.abs(pos / N - 0.5) < 0.004, `P(z > 0) ${pos / N}`);
});

Deno.test("fillNormal() samples the tail beyond the base strip (r ≈ 3.4426) at the normal rate", () => {
  // Draws beyond r come from the exponential tail method, beyond 4 mostly so.
  const n = 2_000_000, z = fillNormal(new Float32Array(n), createRng(2));
  for (const [t, limit] of [[3.4426, 5], [4, 5]] as const) {
    let count = 0;
    for (const v of z) if (Math.abs(v) > t) count++;
    const expected = 2 * (1 - Phi(t)) * n, sd = Math.sqrt(expected);
    assert.ok(Math.abs(count - expected) < limit * sd, `P(|z| > ${t}): ${count} vs ${expected}`);
  }
});

Deno.test("fillNormal() applies std and mean", () => {
  const z = fillNormal(new Float32Array(N), createRng(3), 0.1, -2);
  const d = ks(z, (x) => Phi((x + 2) / 0.1));
  assert.ok(d < KS_LIMIT, `KS distance ${d}`);
});

Deno.test("fillNormal() with a bound draws the normal truncated to |x − mean| ≤ bound·std", () => {
  const z = fillNormal(new Float32Array(N), createRng(9), 0.5, 1, 2), mass = 2 * Phi(2) - 1;
  assert.ok(z.every((v) => v >= 0 && v <= 2));
  const d = ks(z, (x) => (Phi((x - 1) / 0.5) - Phi(-2)) / mass);
  assert.ok(d < KS_LIMIT, `KS distance ${d}`);
});

Deno.test("fillUniform() draws U[low, high)", () => {
  const u = fillUniform(new Float32Array(N), createRng(10), -3, 1);
  assert.ok(u.every((v) => v >= -3 && v < 1));
  const d = ks(u, (x) => (x + 3) / 4);
  assert.ok(d < KS_LIMIT, `KS distance ${d}`);
  assert.deepEqual(
    fillUniform(new Float32Array(5), createRng(11)),
    fillUniform(new Float32Array(5), createRng(11)),
  );
});

Deno.test("fillHalfNormal() draws |z|, and |z| given |z| ≤ bound when truncated", () => {
  const h = fillHalfNormal(new Float32Array(N), createRng(4), 1);
  assert.ok(h.every((v) => v >= 0));
  const d = ks(h, halfCdf), c = chi2(h, halfCdf);
  assert.ok(d < KS_LIMIT && c < CHI2_LIMIT, `KS distance ${d}, χ² ${c}`);
  // Truncated at 2 and scaled by 0.5: CDF (2Φ(x/0.5) − 1)/(2Φ(2) − 1) on [0, 1]; the untruncated
  // moments E|z| = (φ(0) − φ(2))/(Φ(2) − ½), E z² = 1 − 2φ(2)/(Φ(2) − ½).
  const t = fillHalfNormal(new Float32Array(N), createRng(5), 0.5, 2), mass = 2 * Phi(2) - 1;
  assert.ok(t.every((v) => v >= 0 && v <= 1));
  const dt = ks(t, (x) => (2 * Phi(x / 0.5) - 1) / mass);
  assert.ok(dt < KS_LIMIT, `KS distance ${dt}`);
  let s = 0, s2 = 0;
  for (const v of t) {
    s += v / 0.5;
    s2 += (v / 0.5) ** 2;
  }
  const mean = (phi(0) - phi(2)) / (Phi(2) - 0.5), second = 1 - (2 * phi(2)) / (Phi(2) - 0.5);
  assert.ok(Math.abs(s / N - mean) < 0.004, `E|z| ${s / N} vs ${mean}`);
  assert.ok(Math.abs(s2 / N - second) < 0.005, `E z² ${s2 / N} vs ${second}`);
  assert.throws(
    () => fillHalfNormal(new Float32Array(1), createRng(0), 1, 0),
    /Invalid truncation bound 0/,
  );
});

Deno.test("the fills are seed-deterministic, and work from a generator without raw words", () => {
  const a = fillNormal(new Float32Array(1000), createRng(6));
  assert.deepEqual(a, fillNormal(new Float32Array(1000), createRng(6)));
  assert.notDeepEqual(a, fillNormal(new Float32Array(1000), createRng(7)));
  const inner = createRng(8);
  const doubles: Rng = {
    next: () => inner.next(),
    normal: () => inner.normal(),
    int: (n) => inner.int(n),
  };
  const z = fillNormal(new Float32Array(N), doubles);
  assert.ok(ks(z, Phi) < KS_LIMIT);
});

Deno.test("Xoshiro128 is xoshiro128** (reference outputs) seeded by splitmix32", () => {
  // The first outputs of the reference implementation (Blackman & Vigna) from state {1, 2, 3, 4}.
  const r = new Xoshiro128([1, 2, 3, 4]);
  assert.deepEqual(
    Array.from({ length: 6 }, () => r.nextUint32()),
    [11520, 0, 5927040, 70819200, 2031721883, 1637235492],
  );
  // A number seed is the state that splitmix32 makes from it.
  let s = 12345;
  const splitmix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const a = new Xoshiro128(12345),
    b = new Xoshiro128([splitmix(), splitmix(), splitmix(), splitmix()]);
  for (let i = 0; i < 100; i++) assert.equal(a.nextUint32(), b.nextUint32());
  // fillWords continues the same stream, as int32 bit patterns.
  const words = new Int32Array(50);
  a.fillWords(words, 40);
  for (let i = 0; i < 40; i++) assert.equal(words[i]! >>> 0, b.nextUint32());
  assert.equal(a.nextUint32(), b.nextUint32());
  assert.throws(
    () => a.fillWords(words, 51),
    /Invalid word count 51: expected an integer in \[0, 50\]/,
  );
  assert.throws(() => new Xoshiro128([0, 0, 0, 0]), /Invalid xoshiro128 state \[0,0,0,0\]/);
  assert.throws(() => new Xoshiro128([1, 2]), /Invalid xoshiro128 state \[1,2\]: expected four/);
});
