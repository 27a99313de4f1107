/**
 * Test helpers for rule authors: check that a learner gives the js reference's results on another
 * backend ({@linkcode assertBackendsAgree}), that it frees every tensor it makes on backends that
 * manage memory ({@linkcode assertNoTensorLeaks}), on deterministic batches
 * ({@linkcode syntheticBatch}), and that a backend conforms to the `Backend` interface
 * ({@linkcode assertConformance}).
 *
 * The helpers fail with `node:assert` errors, so they work in `Deno.test` and any other runner.
 * This module is not re-exported by the main entry point: import it from
 * `@plasticity/core/testing`.
 *
 * @example Check a rule on every backend that loads
 * ```ts ignore
 * import { createBlasBackend } from "@plasticity/core";
 * import { loadTfjsBackend } from "@plasticity/tfjs";
 * import {
 *   assertBackendsAgree,
 *   assertNoTensorLeaks,
 *   syntheticBatch,
 * } from "@plasticity/core/testing";
 * import "./mod.ts"; // registers "my-rule"
 *
 * const setup = { network: { sizes: [8, 16, 4], activation: "tanh" }, seed: 0 } as const;
 * Deno.test("my-rule: blas gives the js results", () => {
 *   assertBackendsAgree("my-rule", setup, createBlasBackend());
 * });
 * Deno.test("my-rule: tfjs gives the js results and leaks no tensors", async () => {
 *   const got = assertBackendsAgree("my-rule", setup, await loadTfjsBackend("cpu"));
 *   const batch = syntheticBatch({ rows: 16, inputs: 8, classes: 4, seed: 0 });
 *   await assertNoTensorLeaks(got.learner, batch);
 *   got.learner.dispose();
 * });
 * ```
 *
 * @module
 */
import assert from "node:assert/strict";
import { jsBackend } from "./js_backend.ts";
import {
  createLearner,
  getLearner,
  type Learner,
  type LearnerOptions,
  resolveLearnerConfig,
  type RuleOptions,
  type WeightArray,
} from "./learner.ts";
import { createRng } from "./random.ts";
import { ACTIVATIONS as ACTIVATION_NAMES, type Backend } from "./tensor.ts";
import { conv2d, conv2dBiasGrad, conv2dInputGrad, conv2dWeightGrad } from "./conv2d.ts";
import {
  type Conv2dGeometry,
  conv2dOutputShape,
  imageSize,
  type Pool2dGeometry,
  pool2dOutputShape,
} from "./image_shape.ts";
import { avgPool2d, avgPool2dGrad, maxPool2d, maxPool2dGrad } from "./pool2d.ts";

// The core types this module's signatures mention, re-exported so that its documentation is
// complete on its own (`deno doc --lint`).
export { ACTIVATIONS } from "./tensor.ts";
export type { Activation, Axis, Backend, Tensor } from "./tensor.ts";
export type { Learner, LearnerOptions, NetworkSpec, StepStats, WeightArray } from "./learner.ts";
export type { InitSpec } from "./init.ts";
export type { LossSpec } from "./loss.ts";
export type { OptimizerSpec } from "./optimizer.ts";

/**
 * A batch as plain numbers, so that the same data can be put on any backend.
 *
 * @example Two examples with three inputs and two targets
 * ```ts
 * import type { Batch } from "@plasticity/core/testing";
 * const batch: Batch = { rows: 2, x: [0, 1, 2, 3, 4, 5], y: [1, 0, 0, 1] };
 * console.assert(batch.x.length === batch.rows * 3);
 * ```
 */
export interface Batch {
  /** Number of examples. */
  readonly rows: number;
  /** Inputs, row-major: `rows × network.sizes[0]`. */
  readonly x: readonly number[];
  /** Targets, row-major: `rows × network.sizes.at(-1)`. */
  readonly y: readonly number[];
}

/**
 * Everything {@linkcode createLearner} needs except the backend, which the helpers supply.
 *
 * @example
 * ```ts
 * import type { LearnerSetup } from "@plasticity/core/testing";
 * const setup: LearnerSetup = { network: { sizes: [4, 3, 2], activation: "tanh" }, seed: 0 };
 * console.assert(setup.network.sizes.length === 3);
 * ```
 */
export type LearnerSetup = Omit<LearnerOptions, "backend">;

/**
 * Options of {@linkcode syntheticBatch}.
 *
 * @example
 * ```ts
 * import type { SyntheticBatchOptions } from "@plasticity/core/testing";
 * const o: SyntheticBatchOptions = { rows: 16, inputs: 8, classes: 4, seed: 0 };
 * console.assert(o.classes === 4);
 * ```
 */
export interface SyntheticBatchOptions {
  /** Number of examples. */
  rows: number;
  /** Inputs per example. */
  inputs: number;
  /** Number of classes, i.e. targets per example. */
  classes: number;
  /** Seed of the generator; the same seed always gives the same batch. */
  seed: number;
}

/**
 * A deterministic classification batch: standard-normal inputs, then one-hot targets of uniformly
 * drawn classes, all from `createRng(seed)` in that order.
 *
 * @param options Shape and seed.
 * @returns The batch.
 *
 * @example
 * ```ts
 * import { syntheticBatch } from "@plasticity/core/testing";
 * const a = syntheticBatch({ rows: 4, inputs: 3, classes: 2, seed: 7 });
 * console.assert(a.x.length === 12 && a.y.length === 8);
 * console.assert(a.y.reduce((s, v) => s + v, 0) === 4); // one 1 per row
 * console.assert(syntheticBatch({ rows: 4, inputs: 3, classes: 2, seed: 7 }).x[5] === a.x[5]);
 * ```
 */
export function syntheticBatch(options: SyntheticBatchOptions): Batch {
  const { rows, inputs, classes, seed } = options;
  const rng = createRng(seed);
  const x = Array.from({ length: rows * inputs }, () => rng.normal());
  const y = Array.from({ length: rows }, () => rng.int(classes)).flatMap((c) =>
    Array.from({ length: classes }, (_, j) => (j === c ? 1 : 0))
  );
  return { rows, x, y };
}

/**
 * What {@linkcode trainOnBackend} gives: the learner and everything it produced, as plain numbers.
 *
 * @example
 * ```ts
 * import type { TrainResult } from "@plasticity/core/testing";
 * const lossOf = (r: TrainResult) => r.losses.at(-1);
 * console.assert(typeof lossOf === "function");
 * ```
 */
export interface TrainResult {
  /** The trained learner, still alive: dispose it when done. */
  learner: Learner;
  /** The loss `trainBatch` reported at each step. */
  losses: number[];
  /** `exportWeights()` after the last step. */
  weights: Record<string, WeightArray>;
  /** `predict` on the probe batch, row-major. */
  predictions: number[];
  /** `diagnostics` on the probe batch. */
  diagnostics: Record<string, number>;
}

/** ` (label)` for failure messages, or nothing. */
function labelled(label: string | undefined): string {
  return label ? ` (${label})` : "";
}

/** Whether `got` is within `limit` of `want`; identical values (two NaNs too) always are. */
function near(got: number, want: number, limit: number): boolean {
  return Object.is(got, want) || Math.abs(got - want) <= limit;
}

/** The index of the element farthest from `want` among those not within `limit`, or -1. */
function worstOff(
  got: readonly number[],
  want: readonly number[],
  limit: (want: number) => number,
): number {
  let worst = -1, dev = -1;
  want.forEach((w, i) => {
    const d = Math.abs(got[i]! - w);
    if (!near(got[i]!, w, limit(w)) && !(d <= dev)) [worst, dev] = [i, d];
  });
  return worst;
}

/** Puts a batch on a backend, checking its shape against the network. */
function toTensors(b: Backend, batch: Batch, sizes: readonly number[]) {
  const inputs = sizes[0]!, outputs = sizes.at(-1)!;
  if (batch.x.length !== batch.rows * inputs || batch.y.length !== batch.rows * outputs) {
    throw new Error(
      `Batch of ${batch.rows} rows has ${batch.x.length} inputs and ${batch.y.length} targets: expected ${
        batch.rows * inputs
      } and ${batch.rows * outputs} for network sizes ${JSON.stringify(sizes)}`,
    );
  }
  return {
    x: b.fromArray(batch.x, batch.rows, inputs),
    y: b.fromArray(batch.y, batch.rows, outputs),
  };
}

/**
 * Builds a learner of `rule` on `backend` with {@linkcode createLearner}, runs `trainBatch` on each
 * batch in order, then predicts on and measures diagnostics of `probe`. Every batch is put on the
 * backend freshly and freed after use.
 *
 * @param rule The registered rule name.
 * @param setup Network, hyper-parameters, optimiser, loss and seed.
 * @param backend The backend to build the learner on.
 * @param batches The training batches, in order.
 * @param probe The batch for `predict` and `diagnostics` (default: the last training batch).
 * @returns The learner, still alive, and what it produced.
 *
 * @example Train a tiny least-squares learner
 * ```ts
 * import { createRng, exportTensor, jsBackend, registerLearner } from "@plasticity/core";
 * import { syntheticBatch, trainOnBackend } from "@plasticity/core/testing";
 * registerLearner({
 *   name: "test-doc-linear", family: "docs", description: "x @ W by least squares", hyper: {}, optimizer: false,
 *   create: ({ network: { sizes }, backend: b, seed }) => {
 *     const rng = createRng(seed);
 *     let w = b.random(sizes[0]!, sizes.at(-1)!, () => 0.1 * rng.normal());
 *     return {
 *       rule: "test-doc-linear", backend: b,
 *       trainBatch(x, y) {
 *         const e = b.sub(b.matmul(x, w), y), loss = b.sumSquares(e) / (2 * x.rows);
 *         w = b.axpy(-0.1 / x.rows, b.matmul(x, e, true), w);
 *         return { loss };
 *       },
 *       predict: (x) => b.matmul(x, w),
 *       diagnostics: () => ({ w_norm: Math.sqrt(b.sumSquares(w)) }),
 *       exportWeights: () => ({ W: exportTensor(b, w) }),
 *       importWeights: () => {},
 *       dispose: () => b.dispose(w),
 *     };
 *   },
 * });
 * const batch = syntheticBatch({ rows: 8, inputs: 3, classes: 2, seed: 0 });
 * const setup = { network: { sizes: [3, 2], activation: "identity" }, seed: 1 } as const;
 * const r = trainOnBackend("test-doc-linear", setup, jsBackend, [batch, batch, batch]);
 * console.assert(r.losses.length === 3 && r.losses[2]! < r.losses[0]!);
 * console.assert(r.predictions.length === 8 * 2 && r.weights["W"]!.rows === 3);
 * r.learner.dispose();
 * ```
 */
export function trainOnBackend(
  rule: string,
  setup: LearnerSetup,
  backend: Backend,
  batches: readonly Batch[],
  probe: Batch | undefined = batches.at(-1),
): TrainResult {
  if (probe === undefined) throw new Error("trainOnBackend: expected a probe batch or a batch");
  const sizes = setup.network.sizes;
  const learner = createLearner(rule, { ...setup, backend });
  const losses: number[] = [];
  for (const batch of batches) {
    const { x, y } = toTensors(backend, batch, sizes);
    losses.push(learner.trainBatch(x, y).loss);
    backend.dispose(x, y);
  }
  const { x, y } = toTensors(backend, probe, sizes);
  const out = learner.predict(x);
  const predictions = Array.from(backend.read(out));
  const diagnostics = learner.diagnostics(x, y);
  backend.dispose(out, x, y);
  return { learner, losses, weights: learner.exportWeights(), predictions, diagnostics };
}

/**
 * Options of {@linkcode assertBackendsAgree}.
 *
 * @example
 * ```ts
 * import type { AgreeOptions } from "@plasticity/core/testing";
 * const o: AgreeOptions = { steps: 3, tol: 1e-5 };
 * console.assert(o.steps === 3);
 * ```
 */
export interface AgreeOptions {
  /**
   * Training batches, in order (default: `steps` batches from {@linkcode syntheticBatch} of 16
   * rows with seeds 0, 1, …).
   */
  batches?: readonly Batch[];
  /** Number of default training batches (default 4; ignored when `batches` is given). */
  steps?: number;
  /** Batch for `predict` and `diagnostics` (default: a synthetic batch of 32 rows, seed 99). */
  probe?: Batch;
  /** Tolerance of losses, weights, predictions and diagnostics (default 1e-4). */
  tol?: number;
  /** Tolerance of diagnostics whose name starts with `angle` (default 1e-2). */
  angleTol?: number;
  /** The backend that gives the expected results (default: `jsBackend`). */
  reference?: Backend;
  /** Words added to the failure message, e.g. the optimiser's name. */
  label?: string;
}

/**
 * Trains `rule` the same way on the reference backend (js) and on `backend`, and asserts that they
 * agree. Values are compared as follows; identical values (including two NaNs) always agree:
 *
 * - each step's loss: |got − want| ≤ tol · |want| + 1e-6;
 * - every exported matrix: same names and shapes, and every element within tol × the largest
 *   magnitude of that matrix on the reference;
 * - predictions on the probe batch: within tol · max(1, |want|);
 * - diagnostics on the probe batch: same names, each within tol · max(1, |want|), or
 *   angleTol · max(1, |want|) for names starting with `angle` (angles in degrees amplify
 *   rounding).
 *
 * A failure lists every disagreement (the worst element per matrix) with the rule, the backend,
 * the matrix and element, the deviation and the tolerance.
 *
 * @param rule The registered rule name.
 * @param setup Network, hyper-parameters, optimiser, loss and seed.
 * @param backend The backend under test.
 * @param options Data and tolerances.
 * @returns The results on `backend`; its learner is still alive (dispose it, or check it further
 * with {@linkcode assertNoTensorLeaks}). The reference learner is disposed.
 *
 * @example A backend agrees with itself; a proxy of js stands in for another backend
 * ```ts
 * import { createRng, exportTensor, jsBackend, registerLearner } from "@plasticity/core";
 * import { JsBackend, type Tensor } from "@plasticity/core";
 * import { assertBackendsAgree } from "@plasticity/core/testing";
 * registerLearner({
 *   name: "test-doc-linear", family: "docs", description: "x @ W by least squares", hyper: {}, optimizer: false,
 *   create: ({ network: { sizes }, backend: b, seed }) => {
 *     const rng = createRng(seed);
 *     let w = b.random(sizes[0]!, sizes.at(-1)!, () => 0.1 * rng.normal());
 *     return {
 *       rule: "test-doc-linear", backend: b,
 *       trainBatch(x, y) {
 *         const e = b.sub(b.matmul(x, w), y), loss = b.sumSquares(e) / (2 * x.rows);
 *         w = b.axpy(-0.1 / x.rows, b.matmul(x, e, true), w);
 *         return { loss };
 *       },
 *       predict: (x) => b.matmul(x, w),
 *       diagnostics: () => ({ w_norm: Math.sqrt(b.sumSquares(w)) }),
 *       exportWeights: () => ({ W: exportTensor(b, w) }),
 *       importWeights: () => {},
 *       dispose: () => b.dispose(w),
 *     };
 *   },
 * });
 * const setup = { network: { sizes: [8, 4], activation: "identity" }, seed: 1 } as const;
 * const got = assertBackendsAgree("test-doc-linear", setup, jsBackend);
 * console.assert(got.losses.length === 4);
 * got.learner.dispose();
 *
 * // A backend whose products are off by 1e-3 is caught, naming the matrix.
 * class Off extends JsBackend {
 *   override matmul(a: Tensor, b: Tensor, ta?: boolean, tb?: boolean): Tensor {
 *     return this.addScalar(super.matmul(a, b, ta, tb), 1e-3);
 *   }
 * }
 * const off = new Off("js-off");
 * try {
 *   assertBackendsAgree("test-doc-linear", setup, off);
 *   console.assert(false, "expected a disagreement");
 * } catch (e) {
 *   console.assert(String(e).includes("weight W["));
 * }
 * ```
 */
export function assertBackendsAgree(
  rule: string,
  setup: LearnerSetup,
  backend: Backend,
  options: AgreeOptions = {},
): TrainResult {
  const sizes = setup.network.sizes;
  const shape = { inputs: sizes[0]!, classes: sizes.at(-1)! };
  const batches = options.batches ??
    Array.from(
      { length: options.steps ?? 4 },
      (_, t) => syntheticBatch({ rows: 16, ...shape, seed: t }),
    );
  const probe = options.probe ?? syntheticBatch({ rows: 32, ...shape, seed: 99 });
  const tol = options.tol ?? 1e-4, angleTol = options.angleTol ?? 1e-2;
  const reference = options.reference ?? jsBackend;

  const want = trainOnBackend(rule, setup, reference, batches, probe);
  want.learner.dispose();
  const got = trainOnBackend(rule, setup, backend, batches, probe);

  const problems: string[] = [];
  const off = (what: string, g: number, w: number, limit: string) =>
    problems.push(
      `${what} is ${g}, ${reference.name} gives ${w}: deviation ${
        Math.abs(g - w)
      } > tolerance ${limit}`,
    );
  const sameKeys = (what: string, g: object, w: object) => {
    const gk = Object.keys(g).sort().join(", "), wk = Object.keys(w).sort().join(", ");
    if (gk !== wk) problems.push(`${what} are [${gk}], ${reference.name} gives [${wk}]`);
  };

  const lossLimit = (w: number) => tol * Math.abs(w) + 1e-6;
  const steps = want.losses.filter((w, i) => !near(got.losses[i]!, w, lossLimit(w))).length;
  const first = want.losses.findIndex((w, i) => !near(got.losses[i]!, w, lossLimit(w)));
  if (first >= 0) {
    const w = want.losses[first]!;
    off(`loss at step ${first}`, got.losses[first]!, w, `${lossLimit(w)} (${steps} steps off)`);
  }

  sameKeys("weight names", got.weights, want.weights);
  for (const [k, w] of Object.entries(want.weights)) {
    const g = got.weights[k];
    if (!g) continue;
    if (g.rows !== w.rows || g.cols !== w.cols || g.data.length !== w.data.length) {
      problems.push(
        `weight ${k} is ${g.rows}×${g.cols}, ${reference.name} gives ${w.rows}×${w.cols}`,
      );
      continue;
    }
    const scale = w.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const i = worstOff(g.data, w.data, () => tol * scale);
    if (i >= 0) {
      off(
        `weight ${k}[${i}]`,
        g.data[i]!,
        w.data[i]!,
        `${tol} × ${scale} (largest |${k}| on ${reference.name})`,
      );
    }
  }

  const predLimit = (w: number) => tol * Math.max(1, Math.abs(w));
  const p = worstOff(got.predictions, want.predictions, predLimit);
  if (p >= 0) {
    const w = want.predictions[p]!;
    off(`prediction [${p}]`, got.predictions[p]!, w, `${predLimit(w)}`);
  }

  sameKeys("diagnostic names", got.diagnostics, want.diagnostics);
  for (const [k, w] of Object.entries(want.diagnostics)) {
    const g = got.diagnostics[k];
    const limit = (k.startsWith("angle") ? angleTol : tol) * Math.max(1, Math.abs(w));
    if (g !== undefined && !near(g, w, limit)) off(`diagnostic ${k}`, g, w, `${limit}`);
  }

  if (problems.length > 0) {
    got.learner.dispose();
    assert.fail(
      `${rule}${
        labelled(options.label)
      } on ${backend.name} disagrees with ${reference.name} after ${batches.length} steps:\n  ${
        problems.join("\n  ")
      }`,
    );
  }
  return got;
}

/**
 * Options of {@linkcode assertNoTensorLeaks}.
 *
 * @example
 * ```ts
 * import type { LeakOptions } from "@plasticity/core/testing";
 * const o: LeakOptions = { warmup: 0, steps: 2 };
 * console.assert(o.steps === 2);
 * ```
 */
export interface LeakOptions {
  /**
   * Rounds run before counting, so that state a learner makes once (e.g. optimiser moments) is
   * not taken for a leak (default 1).
   */
  warmup?: number;
  /** Rounds run between the two counts (default 3). */
  steps?: number;
  /** Words added to the failure message, e.g. the optimiser's name. */
  label?: string;
}

/**
 * Asserts that a learner on a backend that manages memory (TF.js, webgpu) frees every tensor it
 * makes: the backend's {@linkcode Backend.liveTensors} is the same before and after `steps` rounds
 * of `trainBatch(x, y)`, `diagnostics(x, y)` and `predict(x)` (whose result is disposed) on
 * `batch`. The batch's tensors are made before and freed after the count.
 *
 * @param learner A learner whose backend counts its live tensors (TF.js, webgpu).
 * @param batch The batch to train on.
 * @param options Rounds before and between the counts.
 * @returns Resolves when no tensor leaked; rejects with an `AssertionError` naming the count
 * otherwise.
 *
 * @example A learner that frees its intermediates passes, one that keeps one fails
 * ```ts
 * import { createLearner, createRng, exportTensor, registerLearner } from "@plasticity/core";
 * import { loadTfjsBackend } from "@plasticity/tfjs";
 * import { assertNoTensorLeaks, syntheticBatch } from "@plasticity/core/testing";
 * registerLearner({
 *   name: "test-doc-linear", family: "docs", description: "x @ W by least squares", optimizer: false,
 *   hyper: { leak: { type: "boolean", default: false, doc: "keeps one tensor per step" } },
 *   create: ({ network: { sizes }, backend: b, seed, hyper }) => {
 *     const rng = createRng(seed);
 *     let w = b.random(sizes[0]!, sizes.at(-1)!, () => 0.1 * rng.normal());
 *     return {
 *       rule: "test-doc-linear", backend: b,
 *       trainBatch(x, y) {
 *         if (hyper?.["leak"]) b.zeros(1, 1);
 *         const next = b.tidy(() => {
 *           const e = b.sub(b.matmul(x, w), y);
 *           return b.axpy(-0.1 / x.rows, b.matmul(x, e, true), w);
 *         });
 *         b.dispose(w);
 *         w = next;
 *         return { loss: 0 };
 *       },
 *       predict: (x) => b.matmul(x, w),
 *       diagnostics: () => ({}),
 *       exportWeights: () => ({ W: exportTensor(b, w) }),
 *       importWeights: () => {},
 *       dispose: () => b.dispose(w),
 *     };
 *   },
 * });
 * const b = await loadTfjsBackend("cpu");
 * const batch = syntheticBatch({ rows: 4, inputs: 3, classes: 2, seed: 0 });
 * const network = { sizes: [3, 2], activation: "identity" } as const;
 * const clean = createLearner("test-doc-linear", { network, backend: b, seed: 0 });
 * await assertNoTensorLeaks(clean, batch);
 * const leaky = createLearner("test-doc-linear", {
 *   network, hyper: { leak: true }, backend: b, seed: 0,
 * });
 * try {
 *   await assertNoTensorLeaks(leaky, batch);
 *   console.assert(false, "expected a leak");
 * } catch (e) {
 *   console.assert(String(e).includes("3 tensors leaked"));
 * }
 * ```
 */
export async function assertNoTensorLeaks(
  learner: Learner,
  batch: Batch,
  options: LeakOptions = {},
): Promise<void> {
  const b = learner.backend;
  const live = b.liveTensors?.bind(b);
  if (!live) {
    throw new Error(
      `assertNoTensorLeaks: ${learner.rule} runs on backend "${b.name}": expected a backend that counts its live tensors (TF.js, webgpu)`,
    );
  }
  await Promise.resolve();
  const x = b.fromArray(batch.x, batch.rows, batch.x.length / batch.rows);
  const y = b.fromArray(batch.y, batch.rows, batch.y.length / batch.rows);
  const round = () => {
    learner.trainBatch(x, y);
    learner.diagnostics(x, y);
    b.dispose(learner.predict(x));
  };
  const warmup = options.warmup ?? 1, steps = options.steps ?? 3;
  for (let i = 0; i < warmup; i++) round();
  const before = live();
  for (let i = 0; i < steps; i++) round();
  const after = live();
  b.dispose(x, y);
  assert.ok(
    after === before,
    `${learner.rule}${labelled(options.label)} on ${b.name}: ${
      after - before
    } tensors leaked over ${steps} rounds of trainBatch, diagnostics and predict (live tensors ${before} → ${after})`,
  );
}

/**
 * One case of the backend conformance suite: a name and a function of a backend that makes a
 * tensor from fixed inputs and reads it back (or returns a scalar as a one-element list).
 */
export type ConformanceCase = readonly [name: string, run: (b: Backend) => ArrayLike<number>];

function conformanceData(n: number, seed: number, scale = 2): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => (rng.next() - 0.5) * scale);
}

const data = conformanceData;

const A = data(7 * 13, 1), B = data(13 * 5, 2), C = data(7 * 13, 3), R = data(13, 4);
const LA = data(70 * 130, 11), LC = data(70 * 130, 12);
const cases: ConformanceCase[] = [
  ["matmul", (b) => b.read(b.matmul(b.fromArray(A, 7, 13), b.fromArray(B, 13, 5)))],
  [
    "matmul transA",
    (b) => b.read(b.matmul(b.fromArray(A, 13, 7), b.fromArray(C, 13, 7), true, false)),
  ],
  [
    "matmul transB",
    (b) => b.read(b.matmul(b.fromArray(A, 7, 13), b.fromArray(C, 7, 13), false, true)),
  ],
  [
    "matmul transA transB",
    (b) => b.read(b.matmul(b.fromArray(A, 13, 7), b.fromArray(B, 5, 13), true, true)),
  ],
  [
    "matmul 1×100 @ 100×100",
    (b) =>
      b.read(b.matmul(b.fromArray(data(100, 5), 1, 100), b.fromArray(data(10000, 6), 100, 100))),
  ],
  ["matmul row vector", (b) => b.read(b.matmul(b.fromArray(R, 1, 13), b.fromArray(B, 13, 5)))],
  [
    "matmul row vector transB",
    (b) => b.read(b.matmul(b.fromArray(R, 1, 13), b.fromArray(B, 5, 13), false, true)),
  ],
  [
    "matmul column vector transA",
    (b) => b.read(b.matmul(b.fromArray(R, 13, 1), b.fromArray(B, 13, 5), true)),
  ],
  ["add", (b) => b.read(b.add(b.fromArray(A, 7, 13), b.fromArray(C, 7, 13)))],
  ["sub", (b) => b.read(b.sub(b.fromArray(A, 7, 13), b.fromArray(C, 7, 13)))],
  ["mul", (b) => b.read(b.mul(b.fromArray(A, 7, 13), b.fromArray(C, 7, 13)))],
  [
    "div",
    (b) =>
      b.read(
        b.div(b.fromArray(A, 7, 13), b.addScalar(b.clamp(b.fromArray(C, 7, 13), 0.1, 1), 0.5)),
      ),
  ],
  ["scale", (b) => b.read(b.scale(b.fromArray(A, 7, 13), -0.3))],
  ["addScalar", (b) => b.read(b.addScalar(b.fromArray(A, 7, 13), 0.7))],
  ["axpy", (b) => b.read(b.axpy(0.25, b.fromArray(A, 7, 13), b.fromArray(C, 7, 13)))],
  // large enough for the blas backend's BLAS path (≥ 4096 elements)
  ["axpy large", (b) => b.read(b.axpy(-0.02, b.fromArray(LA, 70, 130), b.fromArray(LC, 70, 130)))],
  ["addRow", (b) => b.read(b.addRow(b.fromArray(A, 7, 13), b.fromArray(R, 1, 13)))],
  ["mulRow", (b) => b.read(b.mulRow(b.fromArray(A, 7, 13), b.fromArray(R, 1, 13)))],
  ["sqrt", (b) => b.read(b.sqrt(b.clamp(b.fromArray(A, 7, 13), 0, 10)))],
  ["clamp", (b) => b.read(b.clamp(b.fromArray(A, 7, 13), -0.2, 0.3))],
  ["sum axis 0", (b) => b.read(b.sum(b.fromArray(A, 7, 13), 0))],
  ["sum axis 1", (b) => b.read(b.sum(b.fromArray(A, 7, 13), 1))],
  ["mean axis 0", (b) => b.read(b.mean(b.fromArray(A, 7, 13), 0))],
  ["mean axis 1", (b) => b.read(b.mean(b.fromArray(A, 7, 13), 1))],
  ["sumAll", (b) => [b.sumAll(b.fromArray(A, 7, 13))]],
  ["sumSquares", (b) => [b.sumSquares(b.fromArray(A, 7, 13))]],
  ["transpose", (b) => b.read(b.transpose(b.fromArray(A, 7, 13)))],
  ["softmax", (b) => b.read(b.softmax(b.fromArray(data(7 * 13, 8, 20), 7, 13)))],
  ["zeros", (b) => b.read(b.zeros(3, 4))],
  ["fill", (b) => b.read(b.fill(3, 4, 2.5))],
  ["random", (b) => {
    const rng = createRng(9);
    return b.read(b.random(3, 4, () => rng.next()));
  }],
];
for (const f of ACTIVATION_NAMES) {
  // Points exactly at kinks (0, 1) are left out: their one-sided derivatives are conventions.
  const x = data(7 * 13, 10, 6).map((v) => (v === 0 || v === 1 ? 0.5 : v));
  cases.push([`activate ${f}`, (b) => b.read(b.activate(b.fromArray(x, 7, 13), f))]);
  cases.push([`activateGrad ${f}`, (b) => b.read(b.activateGrad(b.fromArray(x, 7, 13), f))]);
}
cases.push([
  "activate leakyRelu slope 0.2",
  (b) => b.read(b.activate(b.fromArray(A, 7, 13), "leakyRelu", 0.2)),
]);
cases.push([
  "activateGrad leakyRelu slope 0.2",
  (b) => b.read(b.activateGrad(b.fromArray(A, 7, 13), "leakyRelu", 0.2)),
]);

const CONVS: [string, number, Conv2dGeometry][] = [
  ["3×3 stride 2 padding 1", 2, {
    input: { c: 3, h: 7, w: 6 },
    outChannels: 4,
    kernel: 3,
    stride: 2,
    padding: 1,
  }],
  ["1×1", 2, { input: { c: 3, h: 4, w: 5 }, outChannels: 2, kernel: 1 }],
  ["5×5 padding 2 (LeNet's first layer on 12×12)", 2, {
    input: { c: 1, h: 12, w: 12 },
    outChannels: 6,
    kernel: 5,
    padding: 2,
  }],
];
const POOLS: [string, number, Pool2dGeometry][] = [
  ["2×2", 2, { input: { c: 3, h: 6, w: 6 }, size: 2 }],
  ["3×3 stride 2 (overlapping)", 2, { input: { c: 2, h: 7, w: 7 }, size: 3, stride: 2 }],
];
const imageCases: ConformanceCase[] = [];
for (const [name, n, g] of CONVS) {
  const o = conv2dOutputShape(g), ckk = g.input.c * g.kernel * g.kernel;
  const x = data(n * imageSize(g.input), 21), w = data(g.outChannels * ckk, 22);
  const bias = data(g.outChannels, 23), dy = data(n * g.outChannels * o.h * o.w, 24);
  const t = (b: Backend) => ({
    x: b.fromArray(x, n, imageSize(g.input)),
    w: b.fromArray(w, g.outChannels, ckk),
    bias: b.fromArray(bias, 1, g.outChannels),
    dy: b.fromArray(dy, n, g.outChannels * o.h * o.w),
  });
  imageCases.push(
    [`conv2d ${name}`, (b) => {
      const v = t(b);
      return b.read(conv2d(b, v.x, v.w, g, v.bias));
    }],
    [`conv2dInputGrad ${name}`, (b) => {
      const v = t(b);
      return b.read(conv2dInputGrad(b, v.dy, v.w, g));
    }],
    [`conv2dWeightGrad ${name}`, (b) => {
      const v = t(b);
      return b.read(conv2dWeightGrad(b, v.x, v.dy, g));
    }],
    [`conv2dBiasGrad ${name}`, (b) => b.read(conv2dBiasGrad(b, t(b).dy, g))],
  );
}
for (const [name, n, g] of POOLS) {
  const o = pool2dOutputShape(g);
  // Values on a grid of quarters, so that windows hold ties (the first maximum wins).
  const x = data(n * imageSize(g.input), 25).map((v) => Math.round(v * 4) / 4);
  const dy = data(n * imageSize(o), 26);
  const t = (b: Backend) => ({
    x: b.fromArray(x, n, imageSize(g.input)),
    dy: b.fromArray(dy, n, imageSize(o)),
  });
  imageCases.push(
    [`maxPool2d ${name}`, (b) => b.read(maxPool2d(b, t(b).x, g))],
    [`maxPool2dGrad ${name}`, (b) => {
      const v = t(b);
      return b.read(maxPool2dGrad(b, v.x, v.dy, g));
    }],
    [`avgPool2d ${name}`, (b) => b.read(avgPool2d(b, t(b).x, g))],
    [`avgPool2dGrad ${name}`, (b) => b.read(avgPool2dGrad(b, t(b).dy, g))],
  );
}

/**
 * The image part of the conformance suite: conv2d and its three gradients, max and average
 * pooling and their gradients, on a few geometries (stride, padding, 1×1 kernels, overlapping
 * windows, ties). Run by {@linkcode assertConformance} on backends that have image operations
 * (`raw` buffers or their own `images` kernels).
 *
 * @example
 * ```ts
 * import { IMAGE_CONFORMANCE_CASES } from "@plasticity/core/testing";
 * console.assert(IMAGE_CONFORMANCE_CASES.some(([name]) => name.startsWith("maxPool2dGrad")));
 * ```
 */
export const IMAGE_CONFORMANCE_CASES: readonly ConformanceCase[] = imageCases;

/**
 * The backend conformance suite: every operation of the `Backend` interface on fixed inputs
 * (matrix products with every transpose flag, vectors, the elementwise and row operations,
 * reductions, softmax, every activation and its derivative, construction). A backend conforms
 * when each case gives the `js` reference's values ({@linkcode assertConformance}).
 *
 * @example
 * ```ts
 * import { CONFORMANCE_CASES } from "@plasticity/core/testing";
 * console.assert(CONFORMANCE_CASES.some(([name]) => name === "matmul transA transB"));
 * ```
 */
export const CONFORMANCE_CASES: readonly ConformanceCase[] = cases;

/**
 * Asserts that `backend` conforms: every case of {@linkcode CONFORMANCE_CASES} (and of
 * {@linkcode IMAGE_CONFORMANCE_CASES} where the backend has image operations) within `tol` of
 * the `js` reference (|got − want| ≤ tol · max(1, |want|)), shape errors as one line naming the
 * operation and the shapes, non-finite input refused, and tensors of another backend refused.
 *
 * @param backend The backend under test.
 * @param tol Relative tolerance (default 1e-5).
 *
 * @example
 * ```ts
 * import { createBlasBackend, jsBackend } from "@plasticity/core";
 * import { assertConformance } from "@plasticity/core/testing";
 * assertConformance(jsBackend);
 * ```
 */
export function assertConformance(backend: Backend, tol = 1e-5): void {
  const b = backend;
  const images = b.raw || b.images ? imageCases : [];
  for (const [name, run] of [...cases, ...images]) {
    const got = b.tidy(() => Array.from(run(b))), want = Array.from(run(jsBackend));
    assert.equal(got.length, want.length, `${b.name} ${name}: length`);
    for (let i = 0; i < got.length; i++) {
      const g = got[i]!, w = want[i]!;
      if (!(Math.abs(g - w) <= tol * Math.max(1, Math.abs(w)))) {
        assert.fail(`${b.name} ${name}: element ${i} is ${g}, js gives ${w} (tol ${tol})`);
      }
    }
  }
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
  if (b.name !== jsBackend.name) {
    assert.throws(
      () => b.add(jsBackend.zeros(1, 1), jsBackend.zeros(1, 1)),
      /Cannot use a tensor of backend "js"/,
    );
  }
}

/**
 * Asserts that a rule's typed factory (such as `createFa`) builds what
 * `createLearner(name, options)` builds: a learner of rule `name`, the given settings resolved as
 * given, and the same loss and weights after one step on a synthetic batch (on the backend of
 * `options`).
 *
 * @param name The rule's registered name.
 * @param factory The typed factory.
 * @param options Options of an MLP (`network.sizes`) for both.
 *
 * @example
 * ```ts
 * import { createLearner, jsBackend, type RuleOptions } from "@plasticity/core";
 * import { assertFactoryMatches } from "@plasticity/core/testing";
 * import "@plasticity/backprop";
 * const createMyBp = (o: RuleOptions<Record<string, never>>) => createLearner("bp", o);
 * assertFactoryMatches("bp", createMyBp, {
 *   network: { sizes: [3, 4, 2], activation: "tanh" },
 *   backend: jsBackend,
 *   seed: 0,
 * });
 * ```
 */
export function assertFactoryMatches<H>(
  name: string,
  factory: (options: RuleOptions<H>) => Learner,
  options: RuleOptions<H>,
): void {
  const b = options.backend;
  const typed = factory(options), named = createLearner(name, options);
  assert.equal(typed.rule, name);
  const resolved = resolveLearnerConfig(getLearner(name), options).hyper;
  for (const [key, value] of Object.entries(options.hyper ?? {})) {
    assert.deepEqual(resolved[key], value, key);
  }
  const n = options.network.sizes[0]!, k = options.network.sizes.at(-1)!;
  const batch = syntheticBatch({ rows: 8, inputs: n, classes: k, seed: 3 });
  const x = b.fromArray(batch.x, batch.rows, n), y = b.fromArray(batch.y, batch.rows, k);
  const loss = typed.trainBatch(x, y).loss;
  assert.ok(Number.isFinite(loss));
  assert.equal(loss, named.trainBatch(x, y).loss);
  assert.deepEqual(typed.exportWeights(), named.exportWeights());
  typed.dispose();
  named.dispose();
}
