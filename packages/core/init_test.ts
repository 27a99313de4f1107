import assert from "node:assert/strict";
import { fillInit, initSampler, type InitSpec, initWeights } from "./init.ts";
import { jsBackend } from "./js_backend.ts";
import { createRng } from "./random.ts";

function moments(
  xs: Float32Array | number[],
): { mean: number; std: number; min: number; max: number } {
  let s = 0, s2 = 0, min = Infinity, max = -Infinity;
  for (const x of xs) {
    s += x;
    s2 += x * x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = s / xs.length;
  return { mean, std: Math.sqrt(s2 / xs.length - mean * mean), min, max };
}

Deno.test("xavierUniform draws U(-a, a) with a = gain·sqrt(6/(fanIn+fanOut))", () => {
  const w = jsBackend.read(
    initWeights(jsBackend, 300, 200, { kind: "xavierUniform", gain: 2 }, createRng(0)),
  );
  const a = 2 * Math.sqrt(6 / 500), m = moments(w);
  assert.ok(m.max <= a && m.min >= -a);
  assert.ok(m.max > 0.99 * a && m.min < -0.99 * a);
  assert.ok(Math.abs(m.std - a / Math.sqrt(3)) < 0.01 * a);
});

Deno.test("xavierNormal has std gain·sqrt(2/(fanIn+fanOut))", () => {
  const w = jsBackend.read(
    initWeights(jsBackend, 300, 200, { kind: "xavierNormal" }, createRng(1)),
  );
  assert.ok(Math.abs(moments(w).std - Math.sqrt(2 / 500)) < 0.01 * Math.sqrt(2 / 500));
});

Deno.test("lecunNormal is truncated at ±2σ and has variance 1/fanIn", () => {
  const fanIn = 400,
    w = jsBackend.read(initWeights(jsBackend, fanIn, 250, { kind: "lecunNormal" }, createRng(2)));
  const m = moments(w), sigma = Math.sqrt(1 / fanIn) / 0.87962566103423978;
  assert.ok(m.max <= 2 * sigma + 1e-7 && m.min >= -2 * sigma - 1e-7);
  assert.ok(Math.abs(m.std - Math.sqrt(1 / fanIn)) < 0.01 * Math.sqrt(1 / fanIn), `std ${m.std}`);
});

Deno.test("varianceScaling is an untruncated normal with variance scale/fanIn", () => {
  const fanIn = 400, scale = 0.25;
  const w = jsBackend.read(
    initWeights(jsBackend, fanIn, 250, { kind: "varianceScaling", scale }, createRng(6)),
  );
  const m = moments(w), sigma = Math.sqrt(scale / fanIn);
  assert.ok(Math.abs(m.mean) < 0.01 * sigma, `mean ${m.mean}`);
  assert.ok(Math.abs(m.std - sigma) < 0.01 * sigma, `std ${m.std}`);
  // Untruncated: about 4.55 % of a normal's mass lies beyond ±2σ (100 000 draws).
  const beyond = w.filter((v) => Math.abs(v) > 2 * sigma).length / w.length;
  assert.ok(Math.abs(beyond - 0.0455) < 0.003, `fraction beyond 2σ ${beyond}`);
});

Deno.test("kaimingUniform with a = sqrt(5) is PyTorch's Linear default U(-1/sqrt(fanIn), 1/sqrt(fanIn))", () => {
  const draw = initSampler({ kind: "kaimingUniform" }, 100, 10, createRng(3));
  const xs = Array.from({ length: 20000 }, draw), m = moments(xs);
  assert.ok(m.max <= 0.1 + 1e-12 && m.min >= -0.1 - 1e-12 && m.max > 0.099);
});

Deno.test("uniform, normal and zeros follow their parameters", () => {
  const u = Array.from(
    { length: 20000 },
    initSampler({ kind: "uniform", low: 2, high: 3 }, 1, 1, createRng(4)),
  );
  assert.ok(moments(u).min >= 2 && moments(u).max < 3 && Math.abs(moments(u).mean - 2.5) < 0.01);
  const n = Array.from(
    { length: 20000 },
    initSampler({ kind: "normal", std: 0.5, mean: 1 }, 1, 1, createRng(5)),
  );
  assert.ok(Math.abs(moments(n).mean - 1) < 0.02 && Math.abs(moments(n).std - 0.5) < 0.01);
  assert.deepEqual(
    Array.from(jsBackend.read(initWeights(jsBackend, 2, 2, { kind: "zeros" }, createRng(0)))),
    [0, 0, 0, 0],
  );
});

Deno.test("an unknown initialiser is named in the error", () => {
  assert.throws(
    () => initSampler({ kind: "glorot" } as never, 1, 1, createRng(0)),
    /Unknown initialiser "glorot": expected one of xavierUniform/,
  );
});

Deno.test("fillInit() draws each initialiser's distribution in bulk", () => {
  const n = 200_000, rng = createRng(7), buf = new Float32Array(n);
  const fanIn = 400, fanOut = 100;
  // [spec, expected mean, expected std, bounds]
  const cases: [InitSpec, number, number, number][] = [
    [
      { kind: "xavierUniform", gain: 2 },
      0,
      2 * Math.sqrt(6 / 500) / Math.sqrt(3),
      2 * Math.sqrt(6 / 500),
    ],
    [{ kind: "kaimingUniform" }, 0, 0.05 / Math.sqrt(3), 0.05],
    [{ kind: "xavierNormal" }, 0, Math.sqrt(2 / 500), Infinity],
    [
      { kind: "lecunNormal", scale: 2 },
      0,
      Math.sqrt(2 / fanIn),
      2 * Math.sqrt(2 / fanIn) / 0.87962566103423978,
    ],
    [{ kind: "varianceScaling", scale: 0.25 }, 0, Math.sqrt(0.25 / fanIn), Infinity],
    [{ kind: "normal", std: 0.5, mean: 1 }, 1, 0.5, Infinity],
  ];
  for (const [spec, mean, std, bound] of cases) {
    const m = moments(fillInit(buf, spec, fanIn, fanOut, rng));
    // Standard errors: std/√n ≈ 0.0022·std for the mean, about half that for the std.
    assert.ok(Math.abs(m.mean - mean) < 0.01 * std, `${spec.kind} mean ${m.mean}`);
    assert.ok(Math.abs(m.std - std) < 0.01 * std, `${spec.kind} std ${m.std} vs ${std}`);
    assert.ok(m.min >= mean - bound - 1e-7 && m.max <= mean + bound + 1e-7, `${spec.kind} bounds`);
  }
  // lecunNormal is truncated at exactly ±2σ: some draws come close to the bound.
  const l = moments(fillInit(buf, { kind: "lecunNormal" }, fanIn, fanOut, rng));
  const sigma = Math.sqrt(1 / fanIn) / 0.87962566103423978;
  assert.ok(l.max > 1.99 * sigma && l.max <= 2 * sigma + 1e-7);
  const u = moments(fillInit(buf, { kind: "uniform", low: 2, high: 3 }, 1, 1, rng));
  assert.ok(u.min >= 2 && u.max < 3 && Math.abs(u.mean - 2.5) < 0.003);
  assert.ok(fillInit(buf, { kind: "zeros" }, 1, 1, rng).every((v) => v === 0));
  // Seeded: the same generator state gives the same matrix.
  const a = fillInit(new Float32Array(100), { kind: "lecunNormal" }, 10, 10, createRng(8));
  assert.deepEqual(
    a,
    fillInit(new Float32Array(100), { kind: "lecunNormal" }, 10, 10, createRng(8)),
  );
});
