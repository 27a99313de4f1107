// conv2d and its gradients against a direct float64 loop over the definition, against central
// finite differences of that loop, and on blas against the js reference.
import assert from "node:assert/strict";
import type { Backend } from "./tensor.ts";
import { jsBackend } from "./js_backend.ts";
import { createBlasBackend } from "./blas_backend.ts";
import { createRng } from "./random.ts";
import { assertClose } from "./_test_utils.ts";
import {
  conv2d,
  conv2dBiasGrad,
  Conv2dColumns,
  conv2dInputGrad,
  conv2dWeightGrad,
} from "./conv2d.ts";
import { type Conv2dGeometry, conv2dOutputShape } from "./image_shape.ts";

function data(n: number, seed: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Math.fround(rng.next() * 2 - 1));
}

/**
 * y[n, j, u, v] = b[j] + Σ W[j, i, κ, λ]·x[n, i, u·s − p + κ, v·s − p + λ] in float64, straight
 * from the definition (independent of im2col).
 */
function naiveConv(
  x: number[],
  w: number[],
  bias: number[] | undefined,
  N: number,
  g: Conv2dGeometry,
): number[] {
  const { c, h, w: W } = g.input, k = g.kernel, s = g.stride ?? 1, p = g.padding ?? 0;
  const o = g.outChannels;
  const oh = Math.floor((h + 2 * p - k) / s) + 1, ow = Math.floor((W + 2 * p - k) / s) + 1;
  const y: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < o; j++) {
      for (let u = 0; u < oh; u++) {
        for (let v = 0; v < ow; v++) {
          let acc = bias ? bias[j]! : 0;
          for (let i = 0; i < c; i++) {
            for (let ky = 0; ky < k; ky++) {
              for (let kx = 0; kx < k; kx++) {
                const yy = u * s - p + ky, xx = v * s - p + kx;
                if (yy < 0 || yy >= h || xx < 0 || xx >= W) continue;
                acc += w[((j * c + i) * k + ky) * k + kx]! * x[((n * c + i) * h + yy) * W + xx]!;
              }
            }
          }
          y.push(acc);
        }
      }
    }
  }
  return y;
}

/** Geometries covering stride, padding, 1×1 kernels, several channels and non-square images. */
const GEOMETRIES: [string, number, Conv2dGeometry][] = [
  ["3×3, stride 1, no padding", 2, { input: { c: 2, h: 5, w: 6 }, outChannels: 3, kernel: 3 }],
  ["5×5, padding 2 (LeNet)", 2, {
    input: { c: 1, h: 7, w: 7 },
    outChannels: 2,
    kernel: 5,
    padding: 2,
  }],
  ["3×3, stride 2, padding 1 (Fig. 4i)", 3, {
    input: { c: 3, h: 8, w: 7 },
    outChannels: 4,
    kernel: 3,
    stride: 2,
    padding: 1,
  }],
  ["2×2, stride 3, padding 1", 2, {
    input: { c: 2, h: 7, w: 5 },
    outChannels: 2,
    kernel: 2,
    stride: 3,
    padding: 1,
  }],
  ["1×1", 2, { input: { c: 3, h: 3, w: 4 }, outChannels: 2, kernel: 1 }],
  ["1×1, stride 2, padding 1", 2, {
    input: { c: 2, h: 3, w: 4 },
    outChannels: 2,
    kernel: 1,
    stride: 2,
    padding: 1,
  }],
  // Unfolded wide (stride 1, padded width ≤ 1.5·ow): square with padding 2, non-square with 1.
  ["5×5, padding 2, wide (LeNet on 12×12)", 2, {
    input: { c: 1, h: 12, w: 12 },
    outChannels: 3,
    kernel: 5,
    padding: 2,
  }],
  ["3×3, padding 1, wide, non-square", 2, {
    input: { c: 2, h: 6, w: 9 },
    outChannels: 2,
    kernel: 3,
    padding: 1,
  }],
  ["kernel covering the image, one output (LeNet's third layer)", 3, {
    input: { c: 3, h: 4, w: 4 },
    outChannels: 5,
    kernel: 4,
  }],
  ["kernel as large as the padded image", 1, {
    input: { c: 1, h: 3, w: 3 },
    outChannels: 1,
    kernel: 5,
    padding: 1,
  }],
];

function sizes(N: number, g: Conv2dGeometry) {
  const out = conv2dOutputShape(g), ckk = g.input.c * g.kernel * g.kernel;
  return {
    x: N * g.input.c * g.input.h * g.input.w,
    w: g.outChannels * ckk,
    y: N * out.c * out.h * out.w,
    ckk,
  };
}

Deno.test("js conv2d equals a direct float64 loop over the definition", () => {
  for (const [name, N, g] of GEOMETRIES) {
    const s = sizes(N, g), x = data(s.x, 1), w = data(s.w, 2), bias = data(g.outChannels, 3);
    const b = jsBackend;
    const xt = b.fromArray(x, N, s.x / N), wt = b.fromArray(w, g.outChannels, s.ckk);
    assertClose(b.read(conv2d(b, xt, wt, g)), naiveConv(x, w, undefined, N, g), 1e-5, name);
    assertClose(
      b.read(conv2d(b, xt, wt, g, b.fromArray(bias, 1, g.outChannels))),
      naiveConv(x, w, bias, N, g),
      1e-5,
      `${name} with bias`,
    );
  }
});

Deno.test("conv2d gradients equal central differences of the float64 loop", () => {
  // ℒ = Σ r ⊙ y with a fixed random r, so ∂ℒ/∂y = r; ℒ is linear in each of x, W and b, so
  // central differences of the float64 loop are exact up to rounding.
  const h = 1e-3, b = jsBackend;
  for (const [name, N, g] of GEOMETRIES) {
    const s = sizes(N, g);
    const x = data(s.x, 4), w = data(s.w, 5), bias = data(g.outChannels, 6), r = data(s.y, 7);
    const loss = (xv: number[], wv: number[], bv: number[]) =>
      naiveConv(xv, wv, bv, N, g).reduce((acc, v, i) => acc + v * r[i]!, 0);
    const fd = (v: number[], f: (v: number[]) => number) =>
      v.map((_, i) => {
        const up = v.slice(), dn = v.slice();
        up[i]! += h;
        dn[i]! -= h;
        return (f(up) - f(dn)) / (2 * h);
      });
    const xt = b.fromArray(x, N, s.x / N), wt = b.fromArray(w, g.outChannels, s.ckk);
    const dy = b.fromArray(r, N, s.y / N);
    assertClose(
      b.read(conv2dInputGrad(b, dy, wt, g)),
      fd(x, (v) => loss(v, w, bias)),
      1e-5,
      `${name} ∂x`,
    );
    assertClose(
      b.read(conv2dWeightGrad(b, xt, dy, g)),
      fd(w, (v) => loss(x, v, bias)),
      1e-5,
      `${name} ∂W`,
    );
    assertClose(
      b.read(conv2dBiasGrad(b, dy, g)),
      fd(bias, (v) => loss(x, w, v)),
      1e-5,
      `${name} ∂b`,
    );
  }
});

let blas: Backend | undefined;
try {
  blas = createBlasBackend();
} catch (e) {
  console.error(`conv2d tests: skipping blas: ${(e as Error).message}`);
}

Deno.test({
  name: "blas conv2d and its gradients agree with the js reference up to float32 rounding",
  ignore: blas === undefined,
  fn() {
    const j = jsBackend, k = blas!;
    const run = (b: Backend, N: number, g: Conv2dGeometry, seed: number) => {
      const s = sizes(N, g);
      const x = b.fromArray(data(s.x, seed), N, s.x / N);
      const w = b.fromArray(data(s.w, seed + 1), g.outChannels, s.ckk);
      const bias = b.fromArray(data(g.outChannels, seed + 2), 1, g.outChannels);
      const dy = b.fromArray(data(s.y, seed + 3), N, s.y / N);
      return [
        b.read(conv2d(b, x, w, g, bias)),
        b.read(conv2dInputGrad(b, dy, w, g)),
        b.read(conv2dWeightGrad(b, x, dy, g)),
        b.read(conv2dBiasGrad(b, dy, g)),
      ];
    };
    // The test geometries, and the two networks' first layers at a small batch.
    const cases: [string, number, Conv2dGeometry][] = [
      ...GEOMETRIES,
      ["LeNet conv1", 3, { input: { c: 1, h: 28, w: 28 }, outChannels: 6, kernel: 5, padding: 2 }],
      ["Fig. 4i conv2", 2, {
        input: { c: 64, h: 16, w: 16 },
        outChannels: 128,
        kernel: 3,
        stride: 2,
        padding: 1,
      }],
    ];
    for (const [name, N, g] of cases) {
      const got = run(k, N, g, 10), want = run(j, N, g, 10);
      // The network layers' ∂W sum 2352 and 1152 float32 products in another order on each
      // backend: 1e-4 relative there (about √K·2⁻²⁴ times the sum of |terms|), 1e-5 elsewhere.
      const tol = name.includes("LeNet") || name.includes("Fig.") ? 1e-4 : 1e-5;
      ["conv2d", "∂x", "∂W", "∂b"].forEach((op, i) =>
        assertClose(got[i]!, want[i]!, tol, `${name} ${op}`)
      );
    }
  },
});

Deno.test("conv2d reports bad shapes and backends in one line", () => {
  const b = jsBackend,
    g: Conv2dGeometry = { input: { c: 1, h: 4, w: 4 }, outChannels: 2, kernel: 3 };
  assert.throws(
    () => conv2d(b, b.zeros(2, 15), b.zeros(2, 9), g),
    /^Error: conv2d: input has shape 2×15: expected batch×16 \(1×4×4 images\)$/,
  );
  assert.throws(
    () => conv2d(b, b.zeros(2, 16), b.zeros(9, 2), g),
    /^Error: conv2d: weights have shape 9×2: expected 2×9 \(out × in·k·k\)$/,
  );
  assert.throws(
    () => conv2d(b, b.zeros(2, 16), b.zeros(2, 9), g, b.zeros(2, 1)),
    /^Error: conv2d: bias has shape 2×1: expected 1×2$/,
  );
  assert.throws(
    () => conv2d(b, b.zeros(1, 16), b.zeros(2, 9), { ...g, kernel: 7 }),
    /^Error: conv2d: kernel 7 does not fit the 4×4 image with padding 0: expected kernel ≤ 4$/,
  );
  assert.throws(
    () => conv2d(b, b.zeros(1, 16), b.zeros(2, 9), { ...g, stride: 0 }),
    /^Error: conv2d: stride 0 is invalid: expected an integer ≥ 1$/,
  );
  assert.throws(
    () => conv2dWeightGrad(b, b.zeros(2, 16), b.zeros(3, 8), g),
    /^Error: conv2dWeightGrad: output gradient has 3 rows: expected 2, the batch of the input$/,
  );
  const noRaw = { ...b, name: "tfjs-wasm", raw: undefined } as unknown as Backend;
  assert.throws(
    () => conv2d(noRaw, b.zeros(1, 16), b.zeros(2, 9), g),
    /^Error: conv2d needs a backend with raw buffers or image kernels: got backend "tfjs-wasm", expected js, blas or webgpu$/,
  );
});

Deno.test("images unfolded side by side give each image's own results (several chunks)", () => {
  // 36 × 100 values per unfolded image: 72 images per product, so 150 images take 72 + 72 + 6.
  const g: Conv2dGeometry = {
    input: { c: 4, h: 12, w: 12 },
    outChannels: 3,
    kernel: 3,
    padding: 1,
  };
  const N = 150, s = sizes(N, g), b = jsBackend;
  const xs = data(s.x, 50), ws = data(s.w, 51), bs = data(3, 52), dys = data(s.y, 53);
  const w = b.fromArray(ws, 3, s.ckk), bias = b.fromArray(bs, 1, 3);
  const x = b.fromArray(xs, N, s.x / N), dy = b.fromArray(dys, N, s.y / N);
  const batch = [
    b.read(conv2d(b, x, w, g, bias)),
    b.read(conv2dInputGrad(b, dy, w, g)),
  ];
  const inSize = s.x / N, outSize = s.y / N;
  const dW = new Float64Array(s.w);
  for (let n = 0; n < N; n++) {
    const xn = b.fromArray(xs.slice(n * inSize, (n + 1) * inSize), 1, inSize);
    const dyn = b.fromArray(dys.slice(n * outSize, (n + 1) * outSize), 1, outSize);
    assert.deepEqual(
      Array.from(b.read(conv2d(b, xn, w, g, bias))),
      Array.from(batch[0]!.subarray(n * outSize, (n + 1) * outSize)),
      `image ${n}`,
    );
    assert.deepEqual(
      Array.from(b.read(conv2dInputGrad(b, dyn, w, g))),
      Array.from(batch[1]!.subarray(n * inSize, (n + 1) * inSize)),
      `∂x of image ${n}`,
    );
    b.read(conv2dWeightGrad(b, xn, dyn, g)).forEach((v, i) => (dW[i]! += v));
  }
  // ∂W sums 150 × 100 float32 products in another order than the per-image sums: 1e-4.
  assertClose(b.read(conv2dWeightGrad(b, x, dy, g)), dW, 1e-4, "∂W over the batch");
});

Deno.test("kept columns give the same results, and only for the input and geometry they came from", () => {
  const backends = blas ? [jsBackend, blas] : [jsBackend];
  for (const b of backends) {
    for (const [name, N, g] of GEOMETRIES) {
      const s = sizes(N, g), keep = new Conv2dColumns();
      const x = b.fromArray(data(s.x, 30), N, s.x / N),
        other = b.fromArray(data(s.x, 31), N, s.x / N);
      const w = b.fromArray(data(s.w, 32), g.outChannels, s.ckk);
      const dy = b.fromArray(data(s.y, 33), N, s.y / N);
      const want = Array.from(b.read(conv2dWeightGrad(b, x, dy, g)));
      const what = `${b.name} ${name}`;
      // The same chunks in the same order: equal to the bit.
      assert.deepEqual(
        Array.from(b.read(conv2d(b, x, w, g, undefined, keep))),
        Array.from(b.read(conv2d(b, x, w, g))),
        `${what} conv2d`,
      );
      assert.deepEqual(Array.from(b.read(conv2dWeightGrad(b, x, dy, g, keep))), want, `${what} ∂W`);
      // Kept for another input: x is unfolded again.
      conv2d(b, other, w, g, undefined, keep);
      assert.deepEqual(
        Array.from(b.read(conv2dWeightGrad(b, x, dy, g, keep))),
        want,
        `${what} stale`,
      );
      keep.clear();
      assert.deepEqual(
        Array.from(b.read(conv2dWeightGrad(b, x, dy, g, keep))),
        want,
        `${what} cleared`,
      );
    }
    // Kept for the same input under another geometry (another padding): unfolded again.
    const g1: Conv2dGeometry = { input: { c: 1, h: 6, w: 6 }, outChannels: 1, kernel: 3 };
    const g2: Conv2dGeometry = { ...g1, padding: 1 }, keep = new Conv2dColumns();
    const x = b.fromArray(data(72, 40), 2, 36), dy = b.fromArray(data(72, 41), 2, 36);
    conv2d(b, x, b.fromArray(data(9, 42), 1, 9), g1, undefined, keep);
    assert.deepEqual(
      Array.from(b.read(conv2dWeightGrad(b, x, dy, g2, keep))),
      Array.from(b.read(conv2dWeightGrad(b, x, dy, g2))),
      `${b.name} other geometry`,
    );
  }
});

Deno.test("kept columns of a gathering layer do not leak into a wide layer given the same place", () => {
  // A stride-2 layer's columns are kept (gathered, up to the buffer's end); padding 2 on 8×8 with
  // a 5×5 kernel then unfolds wide (not kept), staging its padded channel in zeros: the results
  // equal those without a place to keep columns.
  const g: Conv2dGeometry = { input: { c: 2, h: 8, w: 8 }, outChannels: 3, kernel: 5, padding: 2 };
  const g0: Conv2dGeometry = { ...g, stride: 2 };
  for (const b of blas ? [jsBackend, blas] : [jsBackend]) {
    const big = sizes(16, g0), small = sizes(2, g), keep = new Conv2dColumns();
    const w = b.fromArray(data(small.w, 60), 3, small.ckk);
    const x0 = b.fromArray(data(big.x, 61).map((v) => v + 5), 16, big.x / 16);
    conv2d(b, x0, w, g0, undefined, keep);
    const x = b.fromArray(data(small.x, 62), 2, small.x / 2);
    const dy = b.fromArray(data(small.y, 63), 2, small.y / 2);
    assert.deepEqual(
      Array.from(b.read(conv2d(b, x, w, g, undefined, keep))),
      Array.from(b.read(conv2d(b, x, w, g))),
      `${b.name} conv2d`,
    );
    assert.deepEqual(
      Array.from(b.read(conv2dWeightGrad(b, x, dy, g, keep))),
      Array.from(b.read(conv2dWeightGrad(b, x, dy, g))),
      `${b.name} ∂W`,
    );
  }
});
