/**
 * The data a learner trial trains and tests on, epoch by epoch, when its protocol changes the data
 * during training (Song et al. 2024, Fig. 4d–4g):
 *
 * - **`tasks`** (continual learning): a sequence of tasks, each a subset of classes; the trial
 *   trains on one task for `switch_every` epochs, then the next (cyclically). Labels map onto a
 *   shared head of `head` output units as `label mod head` — or, with `shuffle_labels`, as
 *   `π(label) mod head` for a random permutation π of all labels drawn once per seed. Every
 *   logged row holds the current task (`task`), its test metrics (`test_loss`, `test_accuracy`)
 *   and each task's (`task<i>_test_loss`, `task<i>_test_accuracy`).
 * - **`drift`** (concept drift): at the start and every `every` epochs the training and test sets
 *   are re-drawn (`per_class` and `test_per_class` samples of each class), and at every drift after
 *   the start the labels of `classes` get a fresh random permutation (the other labels stay). Rows
 *   hold the number of drifts so far (`drift`).
 *
 * Randomness comes from the trial's seed (`deriveSeed(seed, "tasks" | "drift")`).
 *
 * @module
 */
import {
  createRng,
  deriveSeed,
  type HyperSchema,
  resolveHyper,
  type Rng,
  SchemaError,
  showValue,
} from "@plasticity/core";
import {
  drawSubset,
  mapLabels,
  permuteClassLabels,
  selectClasses,
  type Split,
} from "@plasticity/datasets";

/** Resolved `tasks` section. */
export interface TasksConfig {
  /** The classes of each task. */
  classes: number[][];
  /** Epochs on a task before the next. */
  "switch_every": number;
  /** Output units shared by the tasks (labels map to label mod head). */
  head: number;
  /** Map labels through a per-seed random permutation before the mod. */
  "shuffle_labels": boolean;
}

/** Resolved `drift` section. */
export interface DriftConfig {
  /** Epochs between drifts. */
  every: number;
  /** Classes whose labels are permuted at each drift. */
  classes: number[];
  /** Training samples per class drawn at each drift (−1: all). */
  "per_class": number;
  /** Test samples per class drawn at each drift (−1: all). */
  "test_per_class": number;
}

/** The `tasks` section's schema. */
export const TASKS_SCHEMA: HyperSchema = {
  "switch_every": {
    type: "number",
    integer: true,
    min: 1,
    max: 1_000_000,
    doc: "epochs on a task before switching to the next (cyclically)",
  },
  head: {
    type: "number",
    integer: true,
    min: 1,
    max: 100_000,
    doc: "output units shared by the tasks: labels map to label mod head",
  },
  "shuffle_labels": {
    type: "boolean",
    default: false,
    doc: "map labels through a random permutation (one per seed) before the mod",
  },
};

/** The `drift` section's schema. */
export const DRIFT_SCHEMA: HyperSchema = {
  every: {
    type: "number",
    integer: true,
    min: 1,
    max: 1_000_000,
    doc: "epochs between drifts",
  },
  classes: { type: "numbers", integer: true, min: 0, doc: "classes whose labels are permuted" },
  "per_class": {
    type: "number",
    integer: true,
    min: -1,
    max: 1_000_000,
    default: -1,
    doc: "training samples per class drawn at each drift (-1: all)",
  },
  "test_per_class": {
    type: "number",
    integer: true,
    min: -1,
    max: 1_000_000,
    default: -1,
    doc: "test samples per class drawn at each drift (-1: all)",
  },
};

/**
 * Validates a `tasks` section (`classes`, a list of class lists, checked here; the rest by
 * {@linkcode TASKS_SCHEMA}).
 *
 * @param raw The section as given.
 * @returns The resolved section.
 * @throws {SchemaError} Naming the key and what was expected.
 *
 * @example
 * ```ts
 * import { resolveTasks } from "@plasticity/runner";
 * const t = resolveTasks({ classes: [[0, 1], [2, 3]], switch_every: 4, head: 2 });
 * console.assert(t.shuffle_labels === false && t.classes.length === 2);
 * ```
 */
export function resolveTasks(raw: unknown): TasksConfig {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new SchemaError(`tasks: expected a mapping, got ${showValue(raw)}`);
  }
  const { classes, ...rest } = raw as Record<string, unknown>;
  const ok = Array.isArray(classes) && classes.length > 0 &&
    classes.every((c) =>
      Array.isArray(c) && c.length > 0 && c.every((k) => Number.isInteger(k) && k >= 0)
    );
  if (!ok) {
    throw new SchemaError(
      `tasks.classes: expected a list of non-empty lists of class indices, got ${
        showValue(classes)
      }`,
    );
  }
  return {
    classes: (classes as number[][]).map((c) => [...c]),
    ...resolveHyper(TASKS_SCHEMA, rest, "tasks"),
  } as unknown as TasksConfig;
}

/**
 * Validates a `drift` section.
 *
 * @param raw The section as given.
 * @returns The resolved section.
 * @throws {SchemaError} Naming the key and what was expected.
 *
 * @example
 * ```ts
 * import { resolveDrift } from "@plasticity/runner";
 * const d = resolveDrift({ every: 64, classes: [5, 6, 7, 8, 9], per_class: 120 });
 * console.assert(d.test_per_class === -1);
 * ```
 */
export function resolveDrift(raw: unknown): DriftConfig {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new SchemaError(`drift: expected a mapping, got ${showValue(raw)}`);
  }
  return resolveHyper(
    DRIFT_SCHEMA,
    raw as Record<string, unknown>,
    "drift",
  ) as unknown as DriftConfig;
}

/** The data of one stretch of training. */
export interface DataPhase {
  /** Training set. */
  train: Split;
  /** Test set of the logged `test_*` metrics. */
  test: Split;
  /** Further test sets, logged as `<name>_test_loss` and `<name>_test_accuracy`. */
  tests: Record<string, Split>;
  /** Numbers added to each logged row (`task`, `drift`). */
  marks: Record<string, number>;
}

/** The data for the epochs after `done` epochs: the same phase object while nothing changes. */
export type Protocol = (done: number) => DataPhase;

/**
 * The protocol of a `tasks` section.
 *
 * @param c The section.
 * @param full The dataset's training and test sets.
 * @param values The target values `[off, on]` (the dataset's `target_values`).
 * @param seed The trial's seed.
 * @returns The data after each number of epochs.
 *
 * @example Two tasks of one class each on a shared 1-unit head, switching every 2 epochs
 * ```ts
 * import { taskProtocol } from "@plasticity/runner";
 * const split = { x: new Float32Array(2), y: new Float32Array([1, 0, 0, 1]),
 *   labels: new Int32Array([0, 1]), n: 2, inputDim: 1, targetDim: 2 };
 * const at = taskProtocol({ classes: [[0], [1]], switch_every: 2, head: 1, shuffle_labels: false },
 *   { train: split, test: split }, [0, 1], 0);
 * console.assert(at(0).marks.task === 0 && at(2).marks.task === 1 && at(4).marks.task === 0);
 * ```
 */
export function taskProtocol(
  c: TasksConfig,
  full: { train: Split; test: Split },
  values: readonly number[],
  seed: number,
): Protocol {
  const rng = createRng(deriveSeed(seed, "tasks"));
  const labels = full.train.targetDim;
  const pi = c.shuffle_labels ? permuteClassLabels(range(labels), rng) : undefined;
  const map = (l: number) => (pi ? pi[l]! : l) % c.head;
  const phases = c.classes.map((classes, i) => {
    const key = `tasks.classes[${i}]`;
    return {
      train: mapLabels(selectClasses(full.train, classes, key), map, c.head, values),
      test: mapLabels(selectClasses(full.test, classes, key), map, c.head, values),
    };
  });
  const tests = Object.fromEntries(phases.map((p, i) => [`task${i}`, p.test]));
  const out = phases.map((p, i): DataPhase => ({ ...p, tests, marks: { task: i } }));
  return (done) => out[Math.floor(done / c.switch_every) % out.length]!;
}

/**
 * The protocol of a `drift` section.
 *
 * @param c The section.
 * @param full The dataset's training and test sets.
 * @param values The target values `[off, on]`.
 * @param seed The trial's seed.
 * @returns The data after each number of epochs.
 *
 * @example A drift every 3 epochs permutes the labels of classes 0 and 1
 * ```ts
 * import { driftProtocol } from "@plasticity/runner";
 * const split = { x: new Float32Array(2), y: new Float32Array([1, 0, 0, 1]),
 *   labels: new Int32Array([0, 1]), n: 2, inputDim: 1, targetDim: 2 };
 * const at = driftProtocol({ every: 3, classes: [0, 1], per_class: -1, test_per_class: -1 },
 *   { train: split, test: split }, [0, 1], 0);
 * console.assert(at(0).marks.drift === 0 && at(2) === at(0) && at(3).marks.drift === 1);
 * ```
 */
export function driftProtocol(
  c: DriftConfig,
  full: { train: Split; test: Split },
  values: readonly number[],
  seed: number,
): Protocol {
  const rng: Rng = createRng(deriveSeed(seed, "drift"));
  const dim = full.train.targetDim;
  for (const k of c.classes) {
    if (k >= dim) {
      throw new Error(`drift.classes: class ${k}: expected classes below ${dim}`);
    }
  }
  let current: DataPhase | undefined;
  let drifts = -1;
  return (done) => {
    const due = Math.floor(done / c.every);
    while (drifts < due) {
      drifts++;
      // The start draws subsets only; each later drift also permutes the chosen labels.
      const mapping = drifts === 0 ? {} : permuteClassLabels(c.classes, rng, "drift.classes");
      const train = drawSubset(full.train, c.per_class, rng, "drift.per_class");
      const test = drawSubset(full.test, c.test_per_class, rng, "drift.test_per_class");
      current = {
        train: mapLabels(train, mapping, dim, values),
        test: mapLabels(test, mapping, dim, values),
        tests: {},
        marks: { drift: drifts },
      };
    }
    return current!;
  };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
