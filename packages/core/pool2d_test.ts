// Max and average pooling and their gradients against direct loops over their definitions,
// finite differences, and blas against js.
import assert from "node:assert/strict";
import type { Backend } from "./tensor.ts";
import { jsBackend } from "./js_backend.ts";
import { createBlasBackend } from "./blas_backend.ts";
import { createRng } from "./random.ts";
import { assertClose } from "./_test_utils.ts";
import { avgPool2d, avgPool2dGrad, maxPool2d, maxPool2dGrad, MaxPoolIndices } from "./pool2d.ts";
import type { Pool2dGeometry } from "./image_shape.ts";

function data(n: number, seed: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Math.fround(rng.next() * 2 - 1));
}

/** Every window as the list of its input indices, in output order (from the definition). */
function windowsOf(N: number, g: Pool2dGeometry): number[][] {
  const { c, h, w } = g.input, k = g.size, s = g.stride ?? k;
  const oh = Math.floor((h - k) / s) + 1, ow = Math.floor((w - k) / s) + 1;
  const out: number[][] = [];
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < c; i++) {
      for (let u = 0; u < oh; u++) {
        for (let v = 0; v < ow; v++) {
          const idx: number[] = [];
          for (let a = 0; a < k; a++) {
            for (let bb = 0; bb < k; bb++) idx.push(((n * c + i) * h + u * s + a) * w + v * s + bb);
          }
          out.push(idx);
        }
      }
    }
  }
  return out;
}

const GEOMETRIES: [string, number, Pool2dGeometry][] = [
  ["2×2 stride 2", 2, { input: { c: 3, h: 6, w: 4 }, size: 2 }],
  ["2×2 stride 2, odd size (floor)", 2, { input: { c: 2, h: 5, w: 7 }, size: 2 }],
  ["2×2 stride 2, odd width", 3, { input: { c: 2, h: 4, w: 11 }, size: 2 }],
  ["2×2 stride 2, LeNet's first pooling", 2, { input: { c: 6, h: 28, w: 28 }, size: 2 }],
  ["3×3 stride 2 (overlapping)", 2, { input: { c: 2, h: 7, w: 6 }, size: 3, stride: 2 }],
  ["2×2 stride 1 (overlapping)", 1, { input: { c: 1, h: 4, w: 5 }, size: 2, stride: 1 }],
  ["3×3 stride 3", 2, { input: { c: 2, h: 6, w: 9 }, size: 3 }],
];

function tensors(b: Backend, N: number, g: Pool2dGeometry, seed: number) {
  const size = g.input.c * g.input.h * g.input.w, wins = windowsOf(N, g);
  const x = data(N * size, seed), dy = data(wins.length, seed + 1);
  return {
    x,
    dy,
    wins,
    xt: b.fromArray(x, N, size),
    dyt: b.fromArray(dy, N, wins.length / N),
  };
}

Deno.test("maxPool2d and avgPool2d equal each window's max and mean", () => {
  const b = jsBackend;
  for (const [name, N, g] of GEOMETRIES) {
    const { x, wins, xt } = tensors(b, N, g, 1);
    assertClose(
      b.read(maxPool2d(b, xt, g)),
      wins.map((ix) => Math.max(...ix.map((i) => x[i]!))),
      0,
      `${name} max`,
    );
    assertClose(
      b.read(avgPool2d(b, xt, g)),
      wins.map((ix) => ix.reduce((s, i) => s + x[i]!, 0) / ix.length),
      1e-6,
      `${name} avg`,
    );
  }
});

Deno.test("maxPool2dGrad routes each gradient to its window's first maximum", () => {
  const b = jsBackend;
  for (const [name, N, g] of GEOMETRIES) {
    const { x, dy, wins, xt, dyt } = tensors(b, N, g, 2);
    const want = new Array(x.length).fill(0);
    wins.forEach((ix, q) => {
      let best = ix[0]!;
      for (const i of ix) if (x[i]! > x[best]!) best = i;
      want[best] += dy[q]!;
    });
    assertClose(b.read(maxPool2dGrad(b, xt, dyt, g)), want, 1e-6, name);
  }
  // Ties go to the first maximum in row-major window order, as PyTorch's CPU kernel does.
  const g: Pool2dGeometry = { input: { c: 1, h: 2, w: 2 }, size: 2 };
  const dx = maxPool2dGrad(b, b.fromArray([1, 4, 4, 4], 1, 4), b.fill(1, 1, 1), g);
  assert.deepEqual(Array.from(b.read(dx)), [0, 1, 0, 0]);
});

Deno.test("kept argmaxes route the gradient as a fresh search does, only for their input", () => {
  const b = jsBackend;
  for (const [name, N, g] of GEOMETRIES) {
    const { x, wins, xt, dyt } = tensors(b, N, g, 4);
    const keep = new MaxPoolIndices(), want = Array.from(b.read(maxPool2dGrad(b, xt, dyt, g)));
    maxPool2d(b, xt, g, keep);
    assert.deepEqual(Array.from(b.read(maxPool2dGrad(b, xt, dyt, g, keep))), want, name);
    // Kept for another input (the negated one, whose maxima sit elsewhere): searched again.
    const other = b.fromArray(x.map((v) => -v), N, x.length / N);
    maxPool2d(b, other, g, keep);
    assert.deepEqual(Array.from(b.read(maxPool2dGrad(b, xt, dyt, g, keep))), want, `${name} stale`);
    // ... and the negated input's own gradient comes from its kept argmaxes.
    const negWant = new Array(x.length).fill(0);
    const dy = Array.from(b.read(dyt));
    wins.forEach((ix, q) => {
      let best = ix[0]!;
      for (const i of ix) if (-x[i]! > -x[best]!) best = i;
      negWant[best] += dy[q]!;
    });
    maxPool2d(b, other, g, keep);
    assertClose(b.read(maxPool2dGrad(b, other, dyt, g, keep)), negWant, 1e-6, `${name} negated`);
    keep.clear();
    assert.deepEqual(
      Array.from(b.read(maxPool2dGrad(b, xt, dyt, g, keep))),
      want,
      `${name} cleared`,
    );
  }
});

Deno.test("maxPool2dGrad with a relu gate is relu'(a) times the gradient", () => {
  const b = jsBackend;
  for (const [name, N, g] of GEOMETRIES) {
    // a with both signs, x = relu(a): ties at 0 where a ≤ 0 across a window.
    const { xt: at, dyt } = tensors(b, N, g, 5), xt = b.activate(at, "relu");
    const want = b.mul(maxPool2dGrad(b, xt, dyt, g), b.activateGrad(at, "relu"));
    const keep = new MaxPoolIndices();
    maxPool2d(b, xt, g, keep);
    for (const idx of [undefined, keep]) {
      assert.deepEqual(
        Array.from(b.read(maxPool2dGrad(b, xt, dyt, g, idx, at))),
        Array.from(b.read(want)),
        `${name}${idx ? " kept" : ""}`,
      );
    }
  }
  const g: Pool2dGeometry = { input: { c: 1, h: 2, w: 2 }, size: 2 };
  assert.throws(
    () => maxPool2dGrad(b, b.zeros(1, 4), b.zeros(1, 1), g, undefined, b.zeros(1, 3)),
    /^Error: maxPool2dGrad: relu gate has shape 1×3: expected 1×4, the input's$/,
  );
});

Deno.test("pooling gradients equal central differences of the pooled sum", () => {
  // ℒ = Σ r ⊙ pool(x): exact for average pooling, and for max pooling away from ties (random
  // inputs have none), with a step smaller than the gap between a window's two largest values.
  const b = jsBackend, h = 1e-4;
  // Every geometry but LeNet's (9408 inputs, two sums each): the small ones take the same paths.
  for (const [name, N, g] of GEOMETRIES.filter(([, , g]) => g.input.h < 28)) {
    const { x, dy, wins, dyt, xt } = tensors(b, N, g, 3);
    for (const kind of ["max", "avg"] as const) {
      const f = (v: number[]) =>
        wins.reduce((acc, ix, q) => {
          const vals = ix.map((i) => v[i]!);
          const p = kind === "max"
            ? Math.max(...vals)
            : vals.reduce((s, a) => s + a, 0) / vals.length;
          return acc + dy[q]! * p;
        }, 0);
      const fd = x.map((_, i) => {
        const up = x.slice(), dn = x.slice();
        up[i]! += h;
        dn[i]! -= h;
        return (f(up) - f(dn)) / (2 * h);
      });
      const got = kind === "max" ? maxPool2dGrad(b, xt, dyt, g) : avgPool2dGrad(b, dyt, g);
      assertClose(b.read(got), fd, 1e-5, `${name} ${kind}`);
    }
  }
});

let blas: Backend | undefined;
try {
  blas = createBlasBackend();
} catch (e) {
  console.error(`pool2d tests: skipping blas: ${(e as Error).message}`);
}

Deno.test({
  name: "blas pooling equals the js reference bit for bit",
  ignore: blas === undefined,
  fn() {
    for (const [name, N, g] of GEOMETRIES) {
      const run = (b: Backend) => {
        const { xt, dyt } = tensors(b, N, g, 4);
        return [maxPool2d(b, xt, g), maxPool2dGrad(b, xt, dyt, g), avgPool2d(b, xt, g)]
          .concat(avgPool2dGrad(b, dyt, g)).map((t) => Array.from(b.read(t)));
      };
      assert.deepEqual(run(blas!), run(jsBackend), name);
    }
  },
});

Deno.test("pooling reports bad shapes in one line", () => {
  const b = jsBackend, g: Pool2dGeometry = { input: { c: 2, h: 4, w: 4 }, size: 2 };
  assert.throws(
    () => maxPool2d(b, b.zeros(1, 31), g),
    /^Error: maxPool2d: input has shape 1×31: expected batch×32 \(2×4×4 images\)$/,
  );
  assert.throws(
    () => avgPool2dGrad(b, b.zeros(1, 32), g),
    /^Error: avgPool2dGrad: output gradient has shape 1×32: expected batch×8 \(2×2×2 images\)$/,
  );
  assert.throws(
    () => maxPool2d(b, b.zeros(1, 32), { ...g, size: 5 }),
    /^Error: pool2d: window 5 does not fit the 4×4 image: expected size ≤ 4$/,
  );
  assert.throws(
    () => maxPool2dGrad(b, b.zeros(2, 32), b.zeros(1, 8), g),
    /^Error: maxPool2dGrad: output gradient has 1 rows: expected 2, the batch of the input$/,
  );
});
