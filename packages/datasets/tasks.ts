/**
 * Class tasks, label maps and per-class subsets of a classification {@linkcode Split}: the
 * building blocks of continual learning (two tasks of classes sharing one output head, labels mod
 * the head size), concept drift (the labels of chosen classes permuted, subsets re-drawn) and
 * few-data learning (`k` samples per class) in the prospective-configuration experiments
 * (Song et al. 2024, Fig. 4d–h). Pure functions: each returns a new split and leaves its input
 * alone; randomness comes only from the `Rng` passed in.
 *
 * @example Two 5-class tasks sharing a 5-unit head, with ±1 targets
 * ```ts
 * import { mapLabels, selectClasses } from "@plasticity/datasets";
 * const split = {
 *   x: Float32Array.of(0, 1, 2, 3), y: new Float32Array(40), labels: Int32Array.of(2, 7, 4, 9),
 *   n: 4, inputDim: 1, targetDim: 10,
 * };
 * const task1 = mapLabels(selectClasses(split, [5, 6, 7, 8, 9]), (l) => l % 5, 5, [-1, 1]);
 * console.assert(task1.n === 2 && task1.labels!.join() === "2,4" && task1.targetDim === 5);
 * console.assert(task1.y.join() === "-1,-1,1,-1,-1,-1,-1,-1,-1,1");
 * ```
 *
 * @module
 */
import { type Rng, shuffle } from "@plasticity/core";
import { DatasetError } from "./errors.ts";
import { oneHot, perClassIndices } from "./transform.ts";
import type { Split } from "./types.ts";

/**
 * A relabelling: a function of the label, or a table from labels to labels in which a label that
 * is not a key keeps its value (like `map_dataset_targets` of the Song et al. 2024 code, and what
 * {@linkcode permuteClassLabels} returns).
 *
 * @example
 * ```ts
 * import type { LabelMap } from "@plasticity/datasets";
 * const mod5: LabelMap = (l) => l % 5;
 * const swap: LabelMap = { 5: 6, 6: 5 };
 * console.assert(typeof mod5 === "function" && swap[5] === 6);
 * ```
 */
export type LabelMap = ((label: number) => number) | Readonly<Record<number, number>>;

function labelsOf(split: Split, fn: string): Int32Array {
  if (!split.labels) {
    throw new DatasetError(
      `${fn}: the split has no labels: expected a classification split (with labels)`,
    );
  }
  if (split.labels.length !== split.n) {
    throw new DatasetError(
      `${fn}: the split has ${split.labels.length} labels for ${split.n} samples: expected one label per sample`,
    );
  }
  return split.labels;
}

/**
 * The samples at `indices` of a split, in that order (rows of `x`, `y` and `labels` copied).
 *
 * @param split The split.
 * @param indices Sample indices, each in `[0, split.n)`; repeats are allowed.
 * @returns A new split of `indices.length` samples.
 *
 * @example
 * ```ts
 * import { takeSamples } from "@plasticity/datasets";
 * const s = { x: Float32Array.of(10, 11, 12), y: Float32Array.of(0, 1, 2), n: 3, inputDim: 1, targetDim: 1 };
 * const t = takeSamples(s, [2, 0]);
 * console.assert(t.n === 2 && t.x.join() === "12,10" && t.y.join() === "2,0" && t.labels === undefined);
 * ```
 */
export function takeSamples(split: Split, indices: ArrayLike<number>): Split {
  const { n, inputDim: dx, targetDim: dy } = split;
  if (split.x.length !== n * dx || split.y.length !== n * dy) {
    throw new DatasetError(
      `Invalid split: x has ${split.x.length} values and y ${split.y.length}, expected ${n} × ${dx} and ${n} × ${dy}`,
    );
  }
  const m = indices.length;
  const x = new Float32Array(m * dx), y = new Float32Array(m * dy);
  const labels = split.labels ? new Int32Array(m) : undefined;
  for (let r = 0; r < m; r++) {
    const i = indices[r]!;
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new DatasetError(
        `takeSamples: index ${
          JSON.stringify(i)
        } at position ${r}: expected an integer in [0, ${n})`,
      );
    }
    x.set(split.x.subarray(i * dx, (i + 1) * dx), r * dx);
    y.set(split.y.subarray(i * dy, (i + 1) * dy), r * dy);
    if (labels) labels[r] = split.labels![i]!;
  }
  return { x, y, ...(labels ? { labels } : {}), n: m, inputDim: dx, targetDim: dy };
}

/**
 * The samples of the given classes (a task of a continual-learning run, `partial_targets` of the
 * Song et al. 2024 code), in their original order, with their targets and labels unchanged.
 *
 * @param split A classification split (with `labels`).
 * @param classes The classes to keep: integers in `[0, split.targetDim)`, in any order; a class
 *   with no sample in the split adds none.
 * @param key The config key that gave `classes`, for error messages.
 * @returns A new split.
 * @throws {DatasetError} When the split has no labels or a class is out of range.
 *
 * @example
 * ```ts
 * import { selectClasses } from "@plasticity/datasets";
 * const s = { x: Float32Array.of(0, 1, 2), y: new Float32Array(9), labels: Int32Array.of(0, 2, 1), n: 3, inputDim: 1, targetDim: 3 };
 * const t = selectClasses(s, [2, 1]);
 * console.assert(t.n === 2 && t.x.join() === "1,2" && t.labels!.join() === "2,1");
 * ```
 */
export function selectClasses(
  split: Split,
  classes: readonly number[],
  key = "classes",
): Split {
  const labels = labelsOf(split, "selectClasses");
  const keep = new Uint8Array(split.targetDim);
  for (const c of classes) {
    if (!Number.isInteger(c) || c < 0 || c >= split.targetDim) {
      throw new DatasetError(
        `${key}: class ${JSON.stringify(c)} in ${
          JSON.stringify(classes)
        }: expected integers in [0, ${split.targetDim})`,
      );
    }
    keep[c] = 1;
  }
  const idx: number[] = [];
  for (let i = 0; i < split.n; i++) if (keep[labels[i]!]) idx.push(i);
  return takeSamples(split, idx);
}

/**
 * Relabels a classification split and rebuilds its targets: each label `l` becomes `mapping(l)`
 * (or `mapping[l]`, `l` itself when not a key), and `y` becomes the one-hot encoding of the new
 * labels over `targetDim` units with the values `[off, on]` (the `dataset.target_values` of the
 * image sets: `[0, 1]`, or `[-1, 1]` for ±1 targets). E.g. `(l) => l % 5` onto a 5-unit head
 * shared by two tasks, or a table from {@linkcode permuteClassLabels} for concept drift (applied
 * to the original labels, not composed with an earlier drift).
 *
 * @param split A classification split (with `labels`).
 * @param mapping The relabelling (see {@linkcode LabelMap}).
 * @param targetDim Units of the new targets (the new labels must lie in `[0, targetDim)`).
 * @param values `[off, on]` target values.
 * @returns A new split with the same inputs (copied), new labels and new targets.
 * @throws {DatasetError} When the split has no labels, `values` is not two numbers, or a label
 *   maps outside `[0, targetDim)`.
 *
 * @example
 * ```ts
 * import { mapLabels } from "@plasticity/datasets";
 * const s = { x: Float32Array.of(0, 1), y: new Float32Array(20), labels: Int32Array.of(7, 3), n: 2, inputDim: 1, targetDim: 10 };
 * const t = mapLabels(s, (l) => l % 5, 5, [0, 1]);
 * console.assert(t.labels!.join() === "2,3" && t.y.join() === "0,0,1,0,0,0,0,0,1,0");
 * console.assert(mapLabels(s, { 7: 8 }, 10, [-1, 1]).labels!.join() === "8,3");
 * ```
 */
export function mapLabels(
  split: Split,
  mapping: LabelMap,
  targetDim: number,
  values: readonly number[],
): Split {
  const labels = labelsOf(split, "mapLabels");
  if (!Number.isInteger(targetDim) || targetDim < 1) {
    throw new DatasetError(
      `mapLabels: targetDim ${JSON.stringify(targetDim)}: expected an integer ≥ 1`,
    );
  }
  if (values.length !== 2 || !values.every(Number.isFinite)) {
    throw new DatasetError(
      `mapLabels: target values ${JSON.stringify(values)}: expected two numbers [off, on]`,
    );
  }
  const f = typeof mapping === "function"
    ? mapping
    : (l: number) => (Object.hasOwn(mapping, l) ? mapping[l]! : l);
  const out = new Int32Array(split.n);
  for (let i = 0; i < split.n; i++) {
    const l = labels[i]!, m = f(l);
    if (!Number.isInteger(m) || m < 0 || m >= targetDim) {
      throw new DatasetError(
        `mapLabels: label ${l} maps to ${
          JSON.stringify(m)
        }: expected an integer in [0, ${targetDim})`,
      );
    }
    out[i] = m;
  }
  return {
    x: split.x.slice(),
    y: oneHot(out, targetDim, values),
    labels: out,
    n: split.n,
    inputDim: split.inputDim,
    targetDim,
  };
}

/**
 * A random permutation of the labels of the chosen classes, as a table for
 * {@linkcode mapLabels}: each chosen class maps to a chosen class, bijectively; a class not
 * chosen is not a key and keeps its label. Concept drift (Fig. 4f/g) draws a fresh one for
 * classes 5–9 at every drift (`np.random.shuffle(targets[5:])`). The permutation is uniform and
 * may leave some classes, or all, in place.
 *
 * @param classes Distinct non-negative integers.
 * @param rng The generator (same seed, same permutation).
 * @param key The config key that gave `classes`, for error messages.
 * @returns `{ [class]: newLabel }` for every chosen class.
 * @throws {DatasetError} When a class is not a non-negative integer or appears twice.
 *
 * @example
 * ```ts
 * import { createRng } from "@plasticity/core";
 * import { permuteClassLabels } from "@plasticity/datasets";
 * const p = permuteClassLabels([5, 6, 7, 8, 9], createRng(1));
 * console.assert(Object.keys(p).join() === "5,6,7,8,9");
 * console.assert(Object.values(p).sort().join() === "5,6,7,8,9");
 * ```
 */
export function permuteClassLabels(
  classes: readonly number[],
  rng: Rng,
  key = "classes",
): Record<number, number> {
  const seen = new Set<number>();
  for (const c of classes) {
    if (!Number.isInteger(c) || c < 0 || seen.has(c)) {
      throw new DatasetError(
        `${key}: ${JSON.stringify(c)} in ${
          JSON.stringify(classes)
        }: expected distinct integers ≥ 0`,
      );
    }
    seen.add(c);
  }
  const targets = shuffle([...classes], rng);
  const map: Record<number, number> = {};
  classes.forEach((c, i) => map[c] = targets[i]!);
  return map;
}

/**
 * A fresh random subset of `perClass` samples of every class of a split (all of a class that has
 * fewer), in their original order: `partial_num` of the Song et al. 2024 code, i.e. the
 * `per_class` / `test_per_class` dataset options applied to a split in hand — concept drift
 * re-draws its train and test subsets from the full splits at every drift. Draws without
 * repeats.
 *
 * @param split A classification split (with `labels`).
 * @param perClass Samples per class: an integer ≥ 1, or -1 for all (a copy of the split).
 * @param rng The generator (same seed, same subset).
 * @param key The config key that gave `perClass`, for error messages.
 * @returns A new split.
 * @throws {DatasetError} When the split has no labels or `perClass` is not -1 or an integer ≥ 1.
 *
 * @example
 * ```ts
 * import { createRng } from "@plasticity/core";
 * import { drawSubset } from "@plasticity/datasets";
 * const s = { x: Float32Array.of(0, 1, 2, 3, 4), y: new Float32Array(10), labels: Int32Array.of(0, 1, 0, 1, 0), n: 5, inputDim: 1, targetDim: 2 };
 * const t = drawSubset(s, 2, createRng(0));
 * console.assert(t.n === 4 && t.labels!.filter((l) => l === 0).length === 2);
 * ```
 */
export function drawSubset(split: Split, perClass: number, rng: Rng, key = "per_class"): Split {
  const labels = labelsOf(split, "drawSubset");
  if (perClass === -1) return takeSamples(split, Array.from({ length: split.n }, (_, i) => i));
  if (!Number.isInteger(perClass) || perClass < 1) {
    throw new DatasetError(
      `${key}: expected -1 (all) or an integer ≥ 1, got ${JSON.stringify(perClass)}`,
    );
  }
  return takeSamples(split, perClassIndices(labels, perClass, rng));
}
