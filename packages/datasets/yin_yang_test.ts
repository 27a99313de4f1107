import assert from "node:assert/strict";
import { createRng, NumpyRandomState } from "@plasticity/core";
import { generateYinYang, yinYangClass } from "./yin_yang.ts";

function counts(labels: Int32Array): number[] {
  const c = [0, 0, 0];
  for (const l of labels) c[l]!++;
  return c;
}

Deno.test("yin-yang with numpy seeds 9876543, +1, +2 gives Kriener et al.'s class counts", () => {
  // The counts of the original generator with these seeds (the yin-yang sets of Kriener et al. and
  // of PAL), regenerated with its Python code.
  assert.deepEqual(counts(generateYinYang(6000, new NumpyRandomState(9876543)).labels), [
    1983,
    2007,
    2010,
  ]);
  assert.deepEqual(counts(generateYinYang(900, new NumpyRandomState(9876544)).labels), [
    311,
    300,
    289,
  ]);
  assert.deepEqual(counts(generateYinYang(900, new NumpyRandomState(9876545)).labels), [
    300,
    307,
    293,
  ]);
});

Deno.test("yin-yang samples lie in the big circle, have their class, and mirror inputs", () => {
  const s = generateYinYang(3000, createRng(1));
  const c = counts(s.labels);
  // goal class is uniform over 3: binomial std ≈ 26
  for (const k of c) assert.ok(Math.abs(k - 1000) < 110, `counts ${c}`);
  for (let i = 0; i < 3000; i++) {
    const x = s.x[4 * i]!, y = s.x[4 * i + 1]!;
    assert.ok(Math.hypot(x - 0.5, y - 0.5) <= 0.5 + 1e-6);
    assert.equal(yinYangClass(x, y), s.labels[i]);
    assert.ok(
      Math.abs(s.x[4 * i + 2]! - (1 - x)) < 1e-6 && Math.abs(s.x[4 * i + 3]! - (1 - y)) < 1e-6,
    );
  }
});

Deno.test("yin-yang geometry: point symmetry swaps yin and yang, areas match the figure", () => {
  const rng = createRng(7);
  const area = [0, 0, 0];
  let inside = 0;
  for (let t = 0; t < 200000; t++) {
    const x = rng.next(), y = rng.next();
    if (Math.hypot(x - 0.5, y - 0.5) > 0.5) continue;
    inside++;
    const c = yinYangClass(x, y);
    area[c]!++;
    // rotation by 180° about the centre maps the figure to itself with yin ↔ yang
    const m = yinYangClass(1 - x, 1 - y);
    if (
      Math.hypot(x - 0.25, y - 0.5) > 0.1001 && Math.hypot(x - 0.75, y - 0.5) > 0.1001 &&
      Math.abs(y - 0.5) > 1e-9
    ) {
      assert.equal(m, c === 2 ? 2 : 1 - c, `(${x}, ${y})`);
    }
  }
  // dots: 2 π r_small² / (π r_big²) = 0.08; yin and yang share the rest equally
  const frac = area.map((a) => a / inside);
  assert.ok(Math.abs(frac[2]! - 0.08) < 0.005, `${frac}`);
  assert.ok(Math.abs(frac[0]! - 0.46) < 0.01 && Math.abs(frac[1]! - 0.46) < 0.01, `${frac}`);
  // the dots' centres
  assert.equal(yinYangClass(0.25, 0.5), 2);
  assert.equal(yinYangClass(0.75, 0.5), 2);
  // just outside the dots: right dot sits in yin (class 0) region, left dot in yang (class 1)
  assert.equal(yinYangClass(0.75, 0.5 + 0.15), 0);
  assert.equal(yinYangClass(0.25, 0.5 + 0.15), 1);
});

Deno.test("yin-yang is deterministic per seed and rejects bad sizes", () => {
  assert.deepEqual(
    generateYinYang(50, new NumpyRandomState(3)),
    generateYinYang(50, new NumpyRandomState(3)),
  );
  assert.notDeepEqual(
    generateYinYang(50, new NumpyRandomState(3)).x,
    generateYinYang(50, new NumpyRandomState(4)).x,
  );
  assert.throws(() => generateYinYang(-1, createRng(0)), /Invalid yin-yang size -1/);
});
