// Max pooling's forward search at LeNet's two pooling layers (batch 64; BioTorch's benchmark):
// maxPool2d, whose 2 × 2 stride-2 search runs in the WebAssembly SIMD kernel, against the same
// search written as a plain JavaScript loop (the baseline: branches on every comparison, which
// mispredict on random activations), and the gradient from the kept argmaxes.
import { createRng, jsBackend as b, maxPool2d, maxPool2dGrad, MaxPoolIndices } from "./mod.ts";
import type { Pool2dGeometry } from "./image_shape.ts";

// Each window's first maximum, row-major, by comparisons and branches: the search before the kernel.
function scalarArgmax(x: Float32Array, planes: number, h: number, w: number, best: Int32Array) {
  const oh = h >> 1, ow = w >> 1;
  let q = 0;
  for (let p = 0; p < planes; p++) {
    for (let u = 0; u < oh; u++) {
      for (let v = 0; v < ow; v++, q++) {
        const off = p * h * w + 2 * u * w + 2 * v;
        let i = off, m = x[off]!;
        if (x[off + 1]! > m) m = x[i = off + 1]!;
        if (x[off + w]! > m) m = x[i = off + w]!;
        if (x[off + w + 1]! > m) i = off + w + 1;
        best[q] = i;
      }
    }
  }
}

const LAYERS: [string, Pool2dGeometry][] = [
  ["LeNet pool1", { input: { c: 6, h: 28, w: 28 }, size: 2 }],
  ["LeNet pool2", { input: { c: 16, h: 10, w: 10 }, size: 2 }],
];
const rng = createRng(7);
for (const [name, g] of LAYERS) {
  const { c, h, w } = g.input, rows = 64, n = rows * c * (h >> 1) * (w >> 1);
  const x = b.random(rows, c * h * w, () => rng.normal());
  const dy = b.random(rows, n / rows, () => rng.normal());
  const xd = b.read(x), best = new Int32Array(n), keep = new MaxPoolIndices();
  const group = `maxPool2d ${name}`;
  Deno.bench(`${name}: search as a JavaScript loop`, { group, baseline: true }, () => {
    scalarArgmax(xd, rows * c, h, w, best);
  });
  Deno.bench(`${name}: maxPool2d (SIMD search)`, { group }, () => {
    maxPool2d(b, x, g, keep);
  });
  Deno.bench(`${name}: maxPool2dGrad from the kept argmaxes`, { group }, () => {
    maxPool2dGrad(b, x, dy, g, keep);
  });
}
