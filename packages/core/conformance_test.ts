// The shared conformance suite: every backend gives the js reference's outputs within 1e-5
// relative, and the js reference itself agrees with independent float64 definitions.
import assert from "node:assert/strict";
import { ACTIVATIONS, type Backend } from "./tensor.ts";
import { jsBackend } from "./js_backend.ts";
import { createBlasBackend } from "./blas_backend.ts";
import { loadTfjsBackend } from "@plasticity/tfjs";
import { createRng } from "./random.ts";
import { assertClose } from "./_test_utils.ts";
import { assertConformance } from "./testing.ts";

function data(n: number, seed: number, scale = 2): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => (rng.next() - 0.5) * scale);
}

const A = data(7 * 13, 1), C = data(7 * 13, 3);
const LA = data(70 * 130, 11), LC = data(70 * 130, 12);

// TF.js engines are process-global, so each backend is loaded just before it is used.
async function* backends(): AsyncGenerator<Backend> {
  try {
    yield createBlasBackend();
  } catch (e) {
    console.error(`conformance: skipping blas: ${(e as Error).message}`);
  }
  for (const f of ["wasm", "cpu"] as const) {
    let b: Backend;
    try {
      b = await loadTfjsBackend(f);
    } catch (e) {
      console.error(`conformance: skipping tfjs-${f}: ${(e as Error).message}`);
      continue;
    }
    yield b;
  }
}

Deno.test("js backend matmul equals a float64 triple loop", () => {
  for (const [m, k, n] of [[7, 13, 5], [1, 100, 100], [9, 3, 1], [4, 4, 4], [0, 3, 2]] as const) {
    const a = data(m * k, m + k), b = data(k * n, k + n);
    const want = new Array(m * n).fill(0);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        for (let p = 0; p < k; p++) {
          want[i * n + j] += Math.fround(a[i * k + p]!) * Math.fround(b[p * n + j]!);
        }
      }
    }
    const got = jsBackend.read(
      jsBackend.matmul(jsBackend.fromArray(a, m, k), jsBackend.fromArray(b, k, n)),
    );
    assertClose(got, want, 1e-5, `${m}×${k}×${n}`);
  }
});

Deno.test("js backend activations equal their definitions", () => {
  const xs = [-2, -0.5, 0.25, 0.75, 3];
  const b = jsBackend, x = b.fromArray(xs, 1, 5);
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  assertClose(b.read(b.activate(x, "sigmoid")), xs.map(sig));
  assertClose(b.read(b.activateGrad(x, "sigmoid")), xs.map((v) => sig(v) * (1 - sig(v))));
  assertClose(b.read(b.activate(x, "hardSigmoid")), [0, 0, 0.25, 0.75, 1]);
  assertClose(b.read(b.activateGrad(x, "hardSigmoid")), [0, 0, 1, 1, 0]);
  assertClose(b.read(b.activate(x, "leakyRelu")), [-0.02, -0.005, 0.25, 0.75, 3]);
  assertClose(b.read(b.activateGrad(x, "tanh")), xs.map((v) => 1 - Math.tanh(v) ** 2));
  // Derivatives agree with central finite differences away from kinks.
  for (const f of ACTIVATIONS) {
    const h = 1e-3;
    const up = b.read(b.activate(b.fromArray(xs.map((v) => v + h), 1, 5), f));
    const dn = b.read(b.activate(b.fromArray(xs.map((v) => v - h), 1, 5), f));
    const fd = Array.from(up, (u, i) => (u - dn[i]!) / (2 * h));
    assertClose(b.read(b.activateGrad(x, f)), fd, 2e-3, f);
  }
});

Deno.test("js backend softmax rows sum to 1 and are shift invariant", () => {
  const b = jsBackend;
  const x = b.fromArray([1, 2, 3, 1000, 1001, 1002], 2, 3);
  const s = b.read(b.softmax(x));
  assertClose([s[0]! + s[1]! + s[2]!, s[3]! + s[4]! + s[5]!], [1, 1]);
  assertClose(s.slice(0, 3), s.slice(3, 6));
});

Deno.test("every backend agrees with the js reference within 1e-5 relative", async () => {
  let tested = 0;
  for await (const b of backends()) {
    tested++;
    assertConformance(b);
  }
  assert.ok(tested > 0, "no backend besides js loaded");
});

Deno.test("axpyInPlace overwrites y with exactly axpy's result and leaves x alone", async () => {
  const list: Backend[] = [jsBackend];
  for await (const b of backends()) list.push(b);
  let tested = 0;
  for (const b of list) {
    if (!b.axpyInPlace) continue;
    tested++;
    // small (the js loop) and large (the blas backend's saxpy path)
    for (const [xs, ys, r, c] of [[A, C, 7, 13], [LA, LC, 70, 130]] as const) {
      const x = b.fromArray(xs, r, c), y = b.fromArray(ys, r, c);
      const want = b.read(b.axpy(-0.02, x, y));
      b.axpyInPlace(-0.02, x, y);
      assert.deepEqual(b.read(y), want, `${b.name} ${r}×${c}`);
      assert.deepEqual(b.read(x), Float32Array.from(xs), `${b.name} ${r}×${c}: x changed`);
      // and it is y + αx, computed independently
      assertClose(b.read(y), ys.map((v, i) => v - 0.02 * xs[i]!), 1e-6, `${b.name} ${r}×${c}`);
    }
    assert.throws(() => b.axpyInPlace!(1, b.zeros(2, 3), b.zeros(3, 2)), /axpyInPlace.*2×3/);
  }
  assert.ok(tested >= 1, "no backend has axpyInPlace");
});

Deno.test("raw buffers: data is the tensor's storage, wrap does not copy, tfjs has none", async () => {
  const list: Backend[] = [jsBackend];
  for await (const b of backends()) list.push(b);
  let tested = 0;
  for (const b of list) {
    const raw = b.raw;
    if (b.name.startsWith("tfjs")) {
      assert.equal(raw, undefined, `${b.name} has no raw buffers`);
      continue;
    }
    assert.ok(raw, `${b.name} has raw buffers`);
    tested++;
    const t = b.fromArray(A, 7, 13);
    const d = raw.data(t);
    assert.deepEqual(d, Float32Array.from(A), `${b.name} data is row-major`);
    d[3] = 42;
    assert.equal(b.read(t)[3], 42, `${b.name} data is shared with the tensor`);
    const buf = new Float32Array([1, 2, 3, 4, 5, 6]);
    const w = raw.wrap(buf, 2, 3);
    assert.equal(w.rows, 2);
    assert.equal(w.cols, 3);
    assert.equal(w.backend, b.name);
    buf[5] = -1;
    assert.deepEqual(b.read(w), new Float32Array([1, 2, 3, 4, 5, -1]), `${b.name} wrap copied`);
    assert.equal(raw.data(w), buf);
    // a wrapped tensor is an ordinary tensor of the backend
    assert.deepEqual(b.read(b.add(w, w)), new Float32Array([2, 4, 6, 8, 10, -2]));
    assert.throws(
      () => raw.wrap(new Float32Array(5), 2, 3),
      /Cannot wrap a buffer of 5 values as a 2×3 tensor: expected 6/,
    );
    if (b !== jsBackend) {
      assert.throws(() => raw.data(jsBackend.zeros(1, 1)), /Cannot use a tensor of backend "js"/);
    }
    // js copies a transposed operand before its loop; BLAS reads it in place
    assert.equal(raw.copiesTransposes, b.name !== "blas", `${b.name} copiesTransposes`);
  }
  assert.ok(tested >= 1, "no backend has raw buffers");
});

Deno.test("raw gemmInto adds op(a)·op(b) to its buffer, as the js matmul computes it", async () => {
  const list: Backend[] = [jsBackend];
  for await (const b of backends()) list.push(b);
  const j = jsBackend;
  // (m, k, n): a general product, a row vector (blas's matmul takes gemv there) and k = 1
  const shapes = [[7, 13, 5], [1, 13, 5], [4, 1, 3]] as const;
  let tested = 0;
  for (const b of list) {
    const raw = b.raw;
    if (!raw) continue;
    tested++;
    for (const [m, k, n] of shapes) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const what = `${b.name} ${m}×${k}·${k}×${n} transA ${transA} transB ${transB}`;
          const av = data(m * k, m + k + 30), bv = data(k * n, k + n + 40);
          const aT = transA ? j.fromArray(av, k, m) : j.fromArray(av, m, k);
          const bT = transB ? j.fromArray(bv, n, k) : j.fromArray(bv, k, n);
          const want = j.read(j.matmul(aT, bT, transA, transB));
          const c0 = data(m * n, 21);
          const c = Float32Array.from(c0);
          const shape = { m, k, n, transA, transB };
          raw.gemmInto(Float32Array.from(av), Float32Array.from(bv), c, shape);
          assertClose(c, c0.map((v, i) => v + want[i]!), 1e-5, what);
          // from zero: the js backend's own product, bit for bit on js
          const z = new Float32Array(m * n);
          raw.gemmInto(Float32Array.from(av), Float32Array.from(bv), z, shape);
          if (b === j) assert.deepEqual(z, want, what);
          else assertClose(z, want, 1e-5, what);
        }
      }
    }
    // and against a float64 triple loop, independently of matmul
    const av = data(3 * 4, 50), bv = data(4 * 2, 51), c = new Float32Array(6);
    raw.gemmInto(Float32Array.from(av), Float32Array.from(bv), c, { m: 3, k: 4, n: 2 });
    const loop = Array.from({ length: 6 }, (_, ij) => {
      const i = Math.floor(ij / 2), jj = ij % 2;
      let s = 0;
      for (let p = 0; p < 4; p++) s += Math.fround(av[i * 4 + p]!) * Math.fround(bv[p * 2 + jj]!);
      return s;
    });
    assertClose(c, loop, 1e-5, `${b.name} triple loop`);
    // empty products leave c alone
    const keep = new Float32Array([7, 8]);
    raw.gemmInto(new Float32Array(0), new Float32Array(0), keep, { m: 1, k: 0, n: 2 });
    assert.deepEqual(keep, new Float32Array([7, 8]));
    const f32 = (n: number) => new Float32Array(n), dims = { m: 7, k: 13, n: 5 };
    assert.throws(
      () => raw.gemmInto(f32(3), f32(65), f32(35), dims),
      /Cannot gemmInto with buffers of 3, 65 and 35 values: expected at least 91, 65 and 35/,
    );
    assert.throws(
      () => raw.gemmInto(f32(91), f32(65), f32(34), { ...dims, transA: true, transB: true }),
      /Cannot gemmInto with buffers of 91, 65 and 34 values: expected at least 91, 65 and 35/,
    );
  }
  assert.ok(tested >= 1, "no backend has raw buffers");
});

Deno.test("every backend reports shape mismatches naming the operation and both shapes", async () => {
  const list: Backend[] = [jsBackend];
  for await (const b of backends()) list.push(b);
  for (const b of list) {
    if (b.name.startsWith("tfjs")) await loadTfjsBackend(b.name.slice(5) as "wasm" | "cpu");
    assert.throws(
      () => b.add(b.zeros(2, 3), b.zeros(3, 2)),
      /Cannot add tensors of shapes 2×3 and 3×2/,
    );
    assert.throws(
      () => b.matmul(b.zeros(2, 3), b.zeros(2, 3)),
      /Cannot matmul shapes 2×3 and 2×3: inner dimensions 3 and 2 differ/,
    );
    assert.throws(() => b.addRow(b.zeros(2, 3), b.zeros(1, 2)), /expected 1×3/);
    assert.throws(() => b.fromArray([1, 2, 3], 2, 2), /from 3 values: expected 4/);
    assert.throws(
      () => b.fromArray([1, NaN], 1, 2),
      /non-finite value NaN at index 1: expected finite numbers/,
    );
  }
});

Deno.test("a tensor of one backend is refused by another", async () => {
  for await (const b of backends()) {
    assert.throws(
      () => b.add(jsBackend.zeros(1, 1), jsBackend.zeros(1, 1)),
      /Cannot use a tensor of backend "js"/,
    );
  }
});

Deno.test("tfjs tidy frees intermediates and keeps what it returns", async () => {
  let b;
  try {
    b = await loadTfjsBackend("wasm");
  } catch (e) {
    console.error(`skipping: ${(e as Error).message}`);
    return;
  }
  const tf = await import("@tensorflow/tfjs-core");
  const x = b.fill(10, 10, 1);
  const before = tf.memory().numTensors;
  const kept = b.tidy(() => {
    const y = b.add(x, x);
    const z = b.mul(y, y);
    return { z, n: 3 };
  });
  assert.equal(tf.memory().numTensors, before + 1);
  assertClose(b.read(kept.z).slice(0, 1), [4]);
  b.dispose(kept.z, x);
  assert.equal(tf.memory().numTensors, before - 1);
});

Deno.test("a tfjs backend refuses to run once another TF.js engine is active", async () => {
  let wasm, cpu;
  try {
    wasm = await loadTfjsBackend("wasm");
    cpu = await loadTfjsBackend("cpu");
  } catch (e) {
    console.error(`skipping: ${(e as Error).message}`);
    return;
  }
  assert.equal(cpu.read(cpu.fill(1, 1, 2))[0], 2);
  const t = cpu.fill(1, 1, 1);
  assert.throws(
    () => wasm.add(t as never, t as never),
    /Cannot use a tensor of backend "tfjs-cpu"/,
  );
  await loadTfjsBackend("cpu");
  const w = (await loadTfjsBackend("wasm")).fill(1, 1, 1);
  await loadTfjsBackend("cpu");
  assert.throws(() => wasm.read(w), /TF.js now runs its "cpu" engine/);
});
