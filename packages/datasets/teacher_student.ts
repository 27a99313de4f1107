/**
 * The teacher–student regression task of bioflax: targets are the outputs of a fixed random
 * teacher MLP.
 *
 * @module
 */
import {
  type Activation,
  initSampler,
  type InitSpec,
  type Rng,
  scalarActivation,
} from "@plasticity/core";
import type { Split } from "./types.ts";

/** A random teacher MLP: weights `W_l` (fanIn × fanOut, row-major), no biases. */
export interface Teacher {
  /** Layer sizes, input first. */
  readonly sizes: readonly number[];
  /**
   * Activation after every hidden layer (`hardSigmoid` is Keras 2's clamp(0.2x + 0.5, 0, 1) here);
   * the output layer is linear.
   */
  readonly activation: Activation;
  /** Weight matrices, `sizes[l] × sizes[l + 1]`, row-major. */
  readonly weights: readonly Float64Array[];
}

/**
 * Draws a teacher MLP. Biases are zero (Flax's default bias initialiser), so the teacher has none.
 *
 * @param sizes Layer sizes, input first, e.g. `[1, 64, 32, 10]`.
 * @param activation Hidden activation (`identity` skips it, as the bioflax companion does).
 * @param init Weight initialiser.
 * @param rng The generator.
 * @returns The teacher.
 *
 * @example
 * ```ts
 * import { createRng } from "@plasticity/core";
 * import { createTeacher } from "@plasticity/datasets";
 * const t = createTeacher([2, 3, 1], "tanh", { kind: "lecunNormal" }, createRng(0));
 * console.assert(t.weights.length === 2 && t.weights[0]!.length === 6);
 * ```
 */
export function createTeacher(
  sizes: readonly number[],
  activation: Activation,
  init: InitSpec,
  rng: Rng,
): Teacher {
  if (sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s >= 1)) {
    throw new Error(
      `Invalid teacher_sizes ${JSON.stringify(sizes)}: expected at least two positive integers`,
    );
  }
  const weights: Float64Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l]!, fanOut = sizes[l + 1]!;
    const draw = initSampler(init, fanIn, fanOut, rng);
    const w = new Float64Array(fanIn * fanOut);
    for (let i = 0; i < w.length; i++) w[i] = draw();
    weights.push(w);
  }
  return { sizes: [...sizes], activation, weights };
}

/**
 * The teacher's hidden activation φ from core's scalar table. `hardSigmoid` here is Keras 2's
 * clamp(0.2x + 0.5, 0, 1) (`hardSigmoidKeras`), not the clamp(x, 0, 1) that `hardSigmoid` means
 * for a network's activation.
 */
function teacherPhi(f: Activation): (v: number) => number {
  return scalarActivation(f === "hardSigmoid" ? "hardSigmoidKeras" : f).phi;
}

/**
 * The teacher's output `W_L f(… f(x W_1) …)` for one input.
 *
 * @param teacher The teacher.
 * @param x One input of length `sizes[0]`.
 * @returns The output, length `sizes[last]`.
 *
 * @example
 * ```ts
 * import { teacherForward } from "@plasticity/datasets";
 * const t = { sizes: [2, 1], activation: "identity" as const, weights: [Float64Array.of(2, 3)] };
 * console.assert(teacherForward(t, [1, 1])[0] === 5);
 * ```
 */
export function teacherForward(teacher: Teacher, x: ArrayLike<number>): Float64Array {
  let h = Float64Array.from(x);
  const L = teacher.weights.length, phi = teacherPhi(teacher.activation);
  for (let l = 0; l < L; l++) {
    const fanIn = teacher.sizes[l]!, fanOut = teacher.sizes[l + 1]!, w = teacher.weights[l]!;
    const out = new Float64Array(fanOut);
    for (let i = 0; i < fanIn; i++) {
      const hi = h[i]!;
      if (hi === 0) continue;
      for (let j = 0; j < fanOut; j++) out[j] = out[j]! + hi * w[i * fanOut + j]!;
    }
    if (l + 1 < L) { for (let j = 0; j < fanOut; j++) out[j] = phi(out[j]!); }
    h = out;
  }
  return h;
}

/**
 * `n` teacher–student samples: inputs x ~ U[−1, 1) (upstream bioflax) or N(0, 1) (the companion),
 * targets y = teacher(x), noiseless.
 *
 * @param teacher The teacher.
 * @param n Number of samples.
 * @param inputs Input distribution.
 * @param rng The generator for the inputs.
 * @returns A split with `inputDim = sizes[0]`, `targetDim = sizes[last]`.
 *
 * @example
 * ```ts
 * import { createRng } from "@plasticity/core";
 * import { createTeacher, generateTeacherStudent } from "@plasticity/datasets";
 * const rng = createRng(0);
 * const t = createTeacher([3, 2], "identity", { kind: "normal", std: 1 }, rng);
 * const s = generateTeacherStudent(t, 5, "uniform", rng);
 * console.assert(s.x.length === 15 && s.y.length === 10);
 * ```
 */
export function generateTeacherStudent(
  teacher: Teacher,
  n: number,
  inputs: "uniform" | "normal",
  rng: Rng,
): Split {
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(
      `Invalid teacher-student size ${JSON.stringify(n)}: expected a non-negative integer`,
    );
  }
  const dIn = teacher.sizes[0]!, dOut = teacher.sizes[teacher.sizes.length - 1]!;
  const x = new Float32Array(n * dIn), y = new Float32Array(n * dOut);
  const row = new Float64Array(dIn);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dIn; k++) {
      row[k] = Math.fround(inputs === "uniform" ? 2 * rng.next() - 1 : rng.normal());
      x[i * dIn + k] = row[k]!;
    }
    y.set(teacherForward(teacher, row), i * dOut);
  }
  return { x, y, n, inputDim: dIn, targetDim: dOut };
}

/**
 * Standardises a whole array by its global mean and (population) std, in place: `(v − μ) / σ`,
 * as the bioflax companion does for inputs and targets of each split separately.
 *
 * @param a The array.
 * @returns `a`.
 *
 * @example
 * ```ts
 * import { standardize } from "@plasticity/datasets";
 * const a = standardize(Float32Array.of(1, 3));
 * console.assert(a[0] === -1 && a[1] === 1);
 * ```
 */
export function standardize(a: Float32Array): Float32Array {
  if (a.length === 0) return a;
  let mean = 0;
  for (let i = 0; i < a.length; i++) mean += a[i]!;
  mean /= a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i]! - mean) ** 2;
  const std = Math.sqrt(v / a.length);
  if (!(std > 0)) throw new Error(`Cannot standardise: the values are constant (${mean})`);
  for (let i = 0; i < a.length; i++) a[i] = (a[i]! - mean) / std;
  return a;
}
