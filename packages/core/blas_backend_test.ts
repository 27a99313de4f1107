import assert from "node:assert/strict";
import { type BlasBackend, createBlasBackend } from "./blas_backend.ts";
import { columnBlock, SMALL_KERNEL_CORES, SMALL_KERNEL_MNK } from "./_gemm_blocks.ts";
import { createRng } from "./random.ts";
import { assertClose } from "./_test_utils.ts";
import { jsBackend } from "./js_backend.ts";

function data(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.next() - 0.5);
}

/** op(a)·op(b) in float64 from row-major storage (an independent triple loop). */
function product64(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        s += a[transA ? p * m + i : i * k + p]! * b[transB ? j * k + p : p * n + j]!;
      }
      c[i * n + j] = s;
    }
  }
  return c;
}

Deno.test("columnBlock: the widest multiple of 64 (else 32) that fits the small kernel, where blocks help", () => {
  assert.equal(columnBlock(20, 500, 500, false, false), 64); // 10⁶ / 10⁴ = 100 → 64
  assert.equal(columnBlock(20, 784, 500, false, false), 32); // 63.8 → 32
  assert.equal(columnBlock(8, 500, 500, false, false), 192); // 250 → 192
  assert.equal(columnBlock(6, 25, 50176, false, false), 6656); // 6666.7 → 6656
  for (const [m, k, n] of [[20, 500, 500], [20, 784, 500], [8, 500, 500], [48, 256, 512]]) {
    const w = columnBlock(m!, k!, n!, false, false);
    assert.ok(w > 0 && w < n! && m! * k! * w <= SMALL_KERNEL_MNK, `${m}x${k}x${n}`);
    assert.ok(w === 32 || (w % 64 === 0 && m! * k! * (w + 64) > SMALL_KERNEL_MNK));
  }
  assert.equal(columnBlock(20, 500, 100, false, false), 0, "fits the small kernel whole");
  assert.equal(columnBlock(64, 500, 500, false, false), 0, "too many rows");
  assert.equal(columnBlock(2, 5000, 500, false, false), 0, "too few rows");
  assert.equal(columnBlock(20, 500, 500, true, false), 0, "transposed a");
  assert.equal(columnBlock(20, 500, 500, false, true), 0, "transposed b");
  assert.equal(columnBlock(48, 1000, 500, false, false), 0, "not even 32 columns fit");
});

Deno.test("blas: column blocks give the float64 product, matmul and gemmInto the same numbers", () => {
  const split = createBlasBackend(undefined, { splitColumns: true });
  const whole = createBlasBackend(undefined, { splitColumns: false });
  assert.equal(split.splitColumns, true);
  assert.equal(whole.splitColumns, false);
  assert.equal(createBlasBackend().splitColumns, SMALL_KERNEL_CORES.has(split.coreName));
  const shapes = [
    [20, 500, 500],
    [20, 784, 500],
    [8, 500, 300],
    [48, 256, 512],
    [20, 300, 37],
    [20, 1000, 90],
    [6, 25, 20000],
  ];
  for (const [m, k, n] of shapes as [number, number, number][]) {
    assert.ok(columnBlock(m, k, n, false, false) > 0 || m * k * n <= SMALL_KERNEL_MNK);
    const a = data(m * k, m + k), b = data(k * n, n), c0 = data(m * n, 7);
    const want = product64(a, b, m, k, n, false, false);
    for (const be of [split, whole] as BlasBackend[]) {
      const got = be.read(be.matmul(be.raw.wrap(a, m, k), be.raw.wrap(b, k, n)));
      assertClose(got, want, 1e-5, `${be.splitColumns} ${m}x${k}x${n} matmul`);
      // gemmInto accumulates onto c
      const c = c0.slice();
      be.raw.gemmInto(a, b, c, { m, k, n });
      assertClose(c, want.map((v, i) => v + c0[i]!), 1e-5, `${m}x${k}x${n} gemmInto`);
      // onto zeros it is matmul, bit for bit (the fused relaxations rely on it)
      const z = new Float32Array(m * n);
      be.raw.gemmInto(a, b, z, { m, k, n });
      assert.deepEqual(z, got);
    }
  }
  split.close();
  whole.close();
});

Deno.test("gemmInto with α adds α·op(a)·op(b) on js and blas, with and without transposes", () => {
  const backends = [
    jsBackend,
    createBlasBackend(undefined, { splitColumns: true }),
    createBlasBackend(undefined, { splitColumns: false }),
  ];
  const alpha = -0.37;
  for (
    const [m, k, n] of [[20, 500, 500], [7, 13, 5], [784, 20, 30]] as [number, number, number][]
  ) {
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
      const a = data(m * k, 3 + m), b = data(k * n, 5 + n), c0 = data(m * n, 9);
      const want = product64(a, b, m, k, n, transA!, transB!).map((v, i) => c0[i]! + alpha * v);
      for (const be of backends) {
        const c = c0.slice(), a0 = a.slice();
        be.raw!.gemmInto(a, b, c, { m, k, n, transA: transA!, transB: transB!, alpha });
        assertClose(c, want, 1e-5, `${be.name} ${m}x${k}x${n} ${transA} ${transB}`);
        assert.deepEqual(a, a0, "a is not written");
      }
    }
  }
});
