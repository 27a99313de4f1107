import assert from "node:assert/strict";
import { createRng } from "@plasticity/core";
import {
  CIFAR_MEAN,
  CIFAR_STD,
  grayscale,
  oneHot,
  perClassIndices,
  pixelsToFloat,
  randomSubset,
} from "./transform.ts";

Deno.test("oneHot puts the on value at the label and off elsewhere", () => {
  for (const values of [[0, 1], [-1, 1], [0.03, 0.97], [0.1, 1]]) {
    const y = oneHot(Int32Array.of(0, 2, 1), 3, values);
    const f = (v: number) => Math.fround(v);
    const off = f(values[0]!), on = f(values[1]!);
    assert.deepEqual(Array.from(y), [on, off, off, off, off, on, off, on, off]);
  }
  assert.throws(() => oneHot(Int32Array.of(3), 3, [0, 1]), /Invalid label 3 at sample 0/);
  assert.throws(() => oneHot(Int32Array.of(0), 3, [1]), /target_values/);
});

Deno.test("pixelsToFloat implements each normalisation's formula", () => {
  const b = Uint8Array.of(0, 51, 128, 255);
  const close = (a: ArrayLike<number>, e: number[]) =>
    e.forEach((v, i) => assert.ok(Math.abs(a[i]! - v) < 1e-6, `${a[i]} vs ${v}`));
  close(pixelsToFloat(b, "none"), [0, 51, 128, 255]);
  close(pixelsToFloat(b, "unit"), [0, 0.2, 128 / 255, 1]);
  close(pixelsToFloat(b, "div256"), [0, 51 / 256, 0.5, 255 / 256]);
  close(pixelsToFloat(b, "mnist"), [0, 0.2, 128 / 255, 1].map((v) => (v - 0.1307) / 0.3081));
  // BioTorch's Fashion MNIST statistics (biotorch/datasets/fashion_mnist.py)
  close(
    pixelsToFloat(b, "fashion-mnist"),
    [0, 0.2, 128 / 255, 1].map((v) => (v - 0.2859) / 0.353),
  );
});

Deno.test("pixelsToFloat applies CIFAR statistics per channel, and 3x std for CorInfoMax", () => {
  // two samples, 3 channels of 2 pixels each, all equal to 255
  const b = new Uint8Array(12).fill(255);
  const x = pixelsToFloat(b, "cifar", 3, 2);
  const z = pixelsToFloat(b, "cifar-corinfomax", 3, 2);
  for (let s = 0; s < 2; s++) {
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 2; p++) {
        const i = s * 6 + c * 2 + p;
        const want = (1 - CIFAR_MEAN[c]!) / CIFAR_STD[c]!;
        assert.ok(Math.abs(x[i]! - want) < 1e-5);
        assert.ok(Math.abs(z[i]! - want / 3) < 1e-5);
      }
    }
  }
  assert.throws(() => pixelsToFloat(b, "cifar", 1), /needs 3 colour channels/);
});

Deno.test("grayscale matches the luma 0.299 R + 0.587 G + 0.114 B within rounding", () => {
  const rng = createRng(3);
  const plane = 50;
  const rgb = new Uint8Array(2 * 3 * plane).map(() => rng.int(256));
  const g = grayscale(rgb, plane);
  assert.equal(g.length, 2 * plane);
  for (let s = 0; s < 2; s++) {
    for (let i = 0; i < plane; i++) {
      const o = s * 3 * plane;
      const l = 0.299 * rgb[o + i]! + 0.587 * rgb[o + plane + i]! + 0.114 * rgb[o + 2 * plane + i]!;
      assert.ok(Math.abs(g[s * plane + i]! - l) <= 0.5 + 1e-3, `${g[s * plane + i]} vs ${l}`);
    }
  }
  assert.deepEqual(Array.from(grayscale(Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255), 3)), [
    76,
    150,
    29,
  ]);
});

Deno.test("perClassIndices keeps k distinct samples of every class, reproducibly", () => {
  const labels = Int32Array.from({ length: 300 }, (_, i) => i % 3);
  const a = perClassIndices(labels, 7, createRng(1));
  assert.equal(a.length, 21);
  assert.equal(new Set(a).size, 21);
  for (let c = 0; c < 3; c++) assert.equal(Array.from(a).filter((i) => labels[i] === c).length, 7);
  assert.deepEqual(a, perClassIndices(labels, 7, createRng(1)));
  assert.notDeepEqual(a, perClassIndices(labels, 7, createRng(2)));
  assert.equal(perClassIndices(labels, 500, createRng(1)).length, 300);
});

Deno.test("randomSubset is uniform over elements", () => {
  const rng = createRng(5);
  const counts = new Array(10).fill(0);
  const trials = 4000;
  for (let t = 0; t < trials; t++) {
    for (const v of randomSubset([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3, rng)) {
      counts[v]++;
    }
  }
  // each element is kept with probability 3/10; binomial std ≈ 29
  for (const c of counts) assert.ok(Math.abs(c - trials * 0.3) < 120, `count ${c}`);
});
