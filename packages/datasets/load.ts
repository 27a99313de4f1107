/**
 * {@linkcode loadDataset}: one entry point for every dataset.
 *
 * @module
 */
import {
  type Activation,
  createRng,
  deriveSeed,
  type HyperValue,
  type InitSpec,
  NumpyRandomState,
  resolveHyper,
} from "@plasticity/core";
import { dataDir } from "./data_dir.ts";
import { loadImageDataset } from "./images.ts";
import { checkDatasetOptions, datasetSchema, unknownDataset } from "./schema.ts";
import { generateBars } from "./bars.ts";
import { generateSine } from "./sine.ts";
import { checkSource, generatedSource } from "./source.ts";
import { createTeacher, generateTeacherStudent, standardize } from "./teacher_student.ts";
import { oneHot } from "./transform.ts";
import type { Dataset, DatasetSource, Split } from "./types.ts";
import { generateYinYang } from "./yin_yang.ts";

/** Context of {@linkcode loadDataset}. */
export interface LoadContext {
  /** The run seed; every random choice derives from it (or from `data_seed`). */
  seed: number;
  /** Receives one-line notices (default: `console.error`). */
  log?: (line: string) => void;
  /** Data directory (default {@linkcode dataDir}). */
  dataDir?: string;
  /**
   * The source the data must come from (e.g. recorded by `datasetSource` when a sweep was
   * expanded): when given, a dataset whose `provenance` differs is refused with a
   * `DatasetError` (see `checkSource`).
   */
  expectSource?: DatasetSource;
}

function initSpec(kind: string, scale: number): InitSpec {
  switch (kind) {
    case "xavierUniform":
    case "xavierNormal":
      return { kind, gain: scale };
    case "lecunNormal":
      return { kind, scale };
    case "kaimingUniform":
      return { kind };
    case "uniform":
      return { kind, low: -scale, high: scale };
    case "normal":
      return { kind, std: scale };
    case "zeros":
      return { kind };
  }
  throw new Error(`dataset.teacher_init: unknown initialiser ${JSON.stringify(kind)}`);
}

/**
 * Loads a dataset by name, validating `options` against {@linkcode datasetSchema} (errors name
 * the key as `dataset.<key>`). A `name` key equal to `name` is ignored, so the YAML `dataset:`
 * mapping can be passed as is.
 *
 * @param name One of {@linkcode DATASET_NAMES}.
 * @param options Dataset options (snake_case).
 * @param ctx Seed, optional logger and data directory.
 * @returns The dataset.
 *
 * @example
 * ```ts
 * import { loadDataset } from "@plasticity/datasets";
 * const d = await loadDataset("yin-yang", { train_size: 30, validation_size: 0, test_size: 9 }, { seed: 1 });
 * console.assert(d.train.inputDim === 4 && d.train.targetDim === 3 && d.validation === undefined);
 * ```
 */
export async function loadDataset(
  name: string,
  options: Record<string, unknown> | undefined,
  ctx: LoadContext,
): Promise<Dataset> {
  const schema = datasetSchema(name);
  let given = options;
  if (given && typeof given === "object" && "name" in given) {
    if (given.name !== name) {
      throw new Error(
        `dataset.name: ${JSON.stringify(given.name)} differs from the dataset loaded, "${name}"`,
      );
    }
    const { name: _, ...rest } = given;
    given = rest;
  }
  return await openDataset(name, resolveHyper(schema, given, "dataset"), ctx);
}

/**
 * Loads a dataset from options already validated against its {@linkcode datasetSchema} (every
 * default filled, e.g. a resolved trial config's `dataset` section), without validating again.
 *
 * @param name One of {@linkcode DATASET_NAMES}.
 * @param o The resolved options.
 * @param ctx Seed, notice sink, data directory, and optionally the source the data must come from.
 * @returns The dataset; its `provenance` says where the data came from (for files, the hash of
 *   the bytes read).
 * @throws {DatasetError} On bad options or data files, or data other than `ctx.expectSource`.
 *
 * @example
 * ```ts
 * import { datasetSchema, openDataset } from "@plasticity/datasets";
 * import { resolveHyper } from "@plasticity/core";
 * const o = resolveHyper(datasetSchema("sine"), { train_size: 8, validation_size: 0, test_size: 4 }, "dataset");
 * const d = await openDataset("sine", o, { seed: 0 });
 * console.assert(d.train.n === 8 && d.test.n === 4);
 * ```
 */
export async function openDataset(
  name: string,
  o: Readonly<Record<string, HyperValue>>,
  ctx: LoadContext,
): Promise<Dataset> {
  const d = await open(name, o, ctx);
  if (ctx.expectSource) checkSource(name, ctx.expectSource, d.provenance);
  return d;
}

async function open(
  name: string,
  o: Readonly<Record<string, HyperValue>>,
  ctx: LoadContext,
): Promise<Dataset> {
  const log = ctx.log ?? ((line: string) => console.error(line));
  checkDatasetOptions(name, o);
  if (!Number.isFinite(ctx.seed)) {
    throw new Error(`Invalid seed ${JSON.stringify(ctx.seed)}: expected a finite number`);
  }
  const base = o.data_seed !== undefined && (o.data_seed as number) >= 0
    ? o.data_seed as number
    : ctx.seed;
  const sizes = [o.train_size, o.validation_size, o.test_size] as number[];
  switch (name) {
    case "mnist":
    case "fashion-mnist":
    case "cifar10":
      return await loadImageDataset(name, o, {
        seed: ctx.seed,
        data: ctx.dataDir ?? dataDir(),
        log,
      });
    case "yin-yang": {
      const values = o.target_values as readonly number[];
      const make = (n: number, offset: number): Split => {
        const s = generateYinYang(
          n,
          new NumpyRandomState((base + offset) >>> 0),
          o.r_small as number,
          o.r_big as number,
        );
        return {
          x: s.x,
          y: oneHot(s.labels, 3, values),
          labels: s.labels,
          n,
          inputDim: 4,
          targetDim: 3,
        };
      };
      return withValidation(
        {
          name,
          task: "classification",
          train: make(sizes[0]!, 0),
          test: make(sizes[2]!, 2),
          source: `generated (numpy seed ${base})`,
          provenance: generatedSource(name),
        },
        sizes[1]! > 0 ? make(sizes[1]!, 1) : undefined,
      );
    }
    case "teacher-student": {
      const teacherSizes = o.teacher_sizes as readonly number[];
      const teacher = createTeacher(
        teacherSizes,
        o.teacher_activation as Activation,
        initSpec(o.teacher_init as string, o.teacher_init_scale as number),
        createRng(deriveSeed(base, "teacher")),
      );
      const inputs = o.input_distribution as "uniform" | "normal";
      const make = (n: number, label: string): Split => {
        const s = generateTeacherStudent(teacher, n, inputs, createRng(deriveSeed(base, label)));
        if (o.standardize && n > 0) {
          standardize(s.x);
          standardize(s.y);
        }
        return s;
      };
      return withValidation(
        {
          name,
          task: "regression",
          train: make(sizes[0]!, "train"),
          test: make(sizes[2]!, "test"),
          source: `generated (seed ${base})`,
          provenance: generatedSource(name),
        },
        sizes[1]! > 0 ? make(sizes[1]!, "validation") : undefined,
      );
    }
    case "sine": {
      const make = (n: number, label: string) =>
        generateSine(n, createRng(deriveSeed(base, label)));
      return withValidation(
        {
          name,
          task: "regression",
          train: make(sizes[0]!, "train"),
          test: make(sizes[2]!, "test"),
          source: `generated (seed ${base})`,
          provenance: generatedSource(name),
        },
        sizes[1]! > 0 ? make(sizes[1]!, "validation") : undefined,
      );
    }
    case "bars": {
      const s = o.square_size as number, values = o.target_values as readonly number[];
      const make = (perClass: number, offset: number): Split => {
        const b = generateBars({
          squareSize: s,
          samplesPerClass: perClass,
          low: o.bottom_left as number,
          high: o.top_right as number,
          noise: o.noise_level as number,
        }, new NumpyRandomState((base + offset) >>> 0));
        return {
          x: b.x,
          y: oneHot(b.labels, 3, values),
          labels: b.labels,
          n: 3 * perClass,
          inputDim: s * s,
          targetDim: 3,
        };
      };
      const valid = o.validation_per_class as number;
      return withValidation(
        {
          name,
          task: "classification",
          train: make(o.per_class as number, 0),
          test: make(o.test_per_class as number, 2),
          source: `generated (numpy seed ${base})`,
          provenance: generatedSource(name),
        },
        valid > 0 ? make(valid, 1) : undefined,
      );
    }
  }
  throw unknownDataset(name);
}

function withValidation(d: Dataset, validation: Split | undefined): Dataset {
  return validation ? { ...d, validation } : d;
}
