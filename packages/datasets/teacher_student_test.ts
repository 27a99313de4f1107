import assert from "node:assert/strict";
import { createRng } from "@plasticity/core";
import {
  createTeacher,
  generateTeacherStudent,
  standardize,
  teacherForward,
} from "./teacher_student.ts";
import { generateSine } from "./sine.ts";

Deno.test("teacherForward computes W2ᵀ f(W1ᵀ x) by hand", () => {
  // x (2) → 2 hidden (sigmoid) → 1, weights fanIn × fanOut row-major
  const t = {
    sizes: [2, 2, 1],
    activation: "sigmoid" as const,
    weights: [Float64Array.of(1, -1, 2, 0.5), Float64Array.of(3, -2)],
  };
  const x = [0.5, -1];
  const h0 = 1 / (1 + Math.exp(-(0.5 * 1 + -1 * 2))),
    h1 = 1 / (1 + Math.exp(-(0.5 * -1 + -1 * 0.5)));
  assert.ok(Math.abs(teacherForward(t, x)[0]! - (3 * h0 - 2 * h1)) < 1e-12);
});

Deno.test("teacher-student inputs follow the chosen distribution and targets are the teacher's outputs", () => {
  const rng = createRng(0);
  const t = createTeacher([3, 4, 2], "tanh", { kind: "lecunNormal" }, rng);
  const u = generateTeacherStudent(t, 2000, "uniform", createRng(1));
  assert.ok(u.x.every((v) => v >= -1 && v < 1));
  const meanU = u.x.reduce((s, v) => s + v, 0) / u.x.length;
  assert.ok(Math.abs(meanU) < 0.03); // std of the mean ≈ 0.58 / √6000
  const nrm = generateTeacherStudent(t, 2000, "normal", createRng(1));
  const varN = nrm.x.reduce((s, v) => s + v * v, 0) / nrm.x.length;
  assert.ok(Math.abs(varN - 1) < 0.06, `${varN}`);
  for (let i = 0; i < 5; i++) {
    const y = teacherForward(t, u.x.subarray(3 * i, 3 * i + 3));
    assert.ok(Math.abs(u.y[2 * i]! - y[0]!) < 1e-6 && Math.abs(u.y[2 * i + 1]! - y[1]!) < 1e-6);
  }
  // lecunNormal: weight variance 1 / fanIn
  const big = createTeacher([400, 300], "identity", { kind: "lecunNormal" }, createRng(2));
  const w = big.weights[0]!;
  const v = w.reduce((s, x) => s + x * x, 0) / w.length;
  assert.ok(Math.abs(v - 1 / 400) < 0.0001, `${v}`);
});

Deno.test("standardize gives zero mean and unit population std", () => {
  const a = standardize(Float32Array.of(1, 2, 3, 4, 10));
  const mean = a.reduce((s, v) => s + v, 0) / a.length;
  const std = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
  assert.ok(Math.abs(mean) < 1e-6 && Math.abs(std - 1) < 1e-6);
  assert.throws(() => standardize(Float32Array.of(2, 2)), /constant/);
});

Deno.test("sine: x in [-π, π), y = sin x, deterministic per seed", () => {
  const s = generateSine(1000, createRng(4));
  for (let i = 0; i < s.n; i++) {
    assert.ok(s.x[i]! >= -Math.PI && s.x[i]! < Math.PI);
    assert.ok(Math.abs(s.y[i]! - Math.sin(s.x[i]!)) < 1e-6);
  }
  assert.deepEqual(s, generateSine(1000, createRng(4)));
  assert.notDeepEqual(s.x, generateSine(1000, createRng(5)).x);
});
