// The wide unfolding against the plain one: the same entries at the kept columns, and col2imWide
// the adjoint of im2colWide on blocks that are zero at the dropped columns.
import assert from "node:assert/strict";
import {
  col2im,
  col2imWide,
  im2col,
  im2colWide,
  padBuffer,
  padLength,
  type Unfold,
  unfoldWidth,
} from "./_im2col.ts";
import { createRng } from "./random.ts";

function geometry(c: number, h: number, w: number, k: number, p: number): Unfold {
  return { c, h, w, k, s: 1, p, oh: h + 2 * p - k + 1, ow: w + 2 * p - k + 1 };
}

/** Stride-1 geometries that unfold wide: padding 2 and 0, one and several channels, non-square. */
const WIDE: [string, Unfold][] = [
  ["LeNet conv1 on 12×12", geometry(1, 12, 12, 5, 2)],
  ["LeNet conv2", geometry(6, 14, 14, 5, 0)],
  ["3×3 padding 1 on 6×9", geometry(2, 6, 9, 3, 1)],
];

function data(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
}

Deno.test("unfoldWidth is w + 2p for stride 1 up to 1.5·ow, else ow", () => {
  for (const [name, g] of WIDE) assert.equal(unfoldWidth(g), g.w + 2 * g.p, name);
  // LeNet's third layer: 5 columns for 1 output would cost 5× the product.
  assert.equal(unfoldWidth(geometry(16, 5, 5, 5, 0)), 1);
  assert.equal(unfoldWidth({ ...geometry(3, 8, 8, 3, 1), s: 2, oh: 4, ow: 4 }), 4);
});

Deno.test("im2colWide holds im2col's entries at the kept columns of each wide row", () => {
  for (const [name, g] of WIDE) {
    const lw = g.w + 2 * g.p, rows = g.c * g.k * g.k, plane = g.oh * g.ow, lplane = g.oh * lw;
    // Two images side by side, the second one's block from column lplane on.
    const x = data(2 * g.c * g.h * g.w, 1), size = g.c * g.h * g.w;
    // The padded channel is staged after the block, in the same buffer.
    const plain = new Float32Array(rows * 2 * plane);
    const wide = new Float32Array(rows * 2 * lplane + padLength(g));
    for (let n = 0; n < 2; n++) {
      im2col(x, n * size, g, plain, 2 * plane, n * plane);
      im2colWide(x, n * size, g, wide, 2 * lplane, n * lplane, rows * 2 * lplane);
    }
    for (let r = 0; r < rows; r++) {
      for (let n = 0; n < 2; n++) {
        for (let oy = 0; oy < g.oh; oy++) {
          for (let ox = 0; ox < g.ow; ox++) {
            assert.equal(
              wide[r * 2 * lplane + n * lplane + oy * lw + ox],
              plain[r * 2 * plane + n * plane + oy * g.ow + ox],
              `${name} row ${r} image ${n} at ${oy},${ox}`,
            );
          }
        }
      }
    }
  }
});

Deno.test("col2imWide is col2im on blocks zero at the dropped columns", () => {
  for (const [name, g] of WIDE) {
    const lw = g.w + 2 * g.p, rows = g.c * g.k * g.k, plane = g.oh * g.ow, lplane = g.oh * lw;
    const plain = data(rows * plane, 2), wide = new Float32Array(rows * lplane);
    for (let r = 0; r < rows; r++) {
      for (let oy = 0; oy < g.oh; oy++) {
        for (let ox = 0; ox < g.ow; ox++) {
          wide[r * lplane + oy * lw + ox] = plain[r * plane + oy * g.ow + ox]!;
        }
      }
    }
    const size = g.c * g.h * g.w, a = new Float32Array(size), b = new Float32Array(size);
    col2im(plain, g, a, 0);
    // The pad buffer is overwritten: start it dirty.
    col2imWide(wide, g, padBuffer(g).fill(7), b, 0, lplane, 0);
    // Each pixel's terms are added in the same order: equal to the bit.
    assert.deepEqual(Array.from(b), Array.from(a), name);
  }
});
