/**
 * MNIST, Fashion-MNIST and CIFAR-10 from the data directory (or the embedded fallbacks), turned
 * into {@linkcode Dataset}s with the seeds' pre-processing.
 *
 * Files looked for, in order (`<data>` is {@linkcode dataDir}):
 * - MNIST: `<data>/mnist/`, then torchvision's `<data>/MNIST/raw/`;
 * - Fashion-MNIST: `<data>/fashion-mnist/`, then `<data>/FashionMNIST/raw/`;
 *   each holding `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
 *   `t10k-labels-idx1-ubyte`, each optionally with `.gz`;
 * - CIFAR-10: `<data>/cifar10/cifar-10-batches-bin/`, then `<data>/cifar10/`, holding
 *   `data_batch_1..5.bin` and `test_batch.bin`.
 *
 * @module
 */
import { createRng, deriveSeed, type HyperValue } from "@plasticity/core";
import { join } from "node:path";
import { readCifar10 } from "./cifar.ts";
import { EMBEDDED_PACKAGES, type EmbeddedName, loadEmbedded } from "./embedded.ts";
import { type RawImages, readIdxPair } from "./idx.ts";
import {
  grayscale,
  type Normalization,
  oneHot,
  perClassIndices,
  pixelsToFloat,
  randomSubset,
} from "./transform.ts";
import type { Dataset, Split } from "./types.ts";
import { IDX_FILES } from "./_idx_names.ts";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Finds the four IDX files of MNIST or Fashion-MNIST in `dir` (plain or `.gz`).
 *
 * @param dir The folder.
 * @returns The four paths (train images, train labels, test images, test labels), or
 *   `undefined` when none is there. Throws when only some are.
 *
 * @example
 * ```ts
 * import { findIdxFiles } from "@plasticity/datasets";
 * console.assert(await findIdxFiles("/nonexistent") === undefined);
 * ```
 */
export async function findIdxFiles(dir: string): Promise<string[] | undefined> {
  const found: (string | undefined)[] = [];
  for (const f of IDX_FILES) {
    const plain = join(dir, f), gz = `${plain}.gz`;
    found.push(await exists(plain) ? plain : await exists(gz) ? gz : undefined);
  }
  if (found.every((p) => p === undefined)) return undefined;
  const missing = IDX_FILES.filter((_, i) => found[i] === undefined);
  if (missing.length) {
    throw new Error(`Incomplete dataset in "${dir}": missing ${missing.join(", ")} (plain or .gz)`);
  }
  return found as string[];
}

const announced = new Set<string>();

/** Where the raw images came from. */
interface RawSource {
  train: RawImages;
  test: RawImages;
  source: string;
}

async function readRaw(
  name: "mnist" | "fashion-mnist" | "cifar10",
  data: string,
  log: (line: string) => void,
): Promise<RawSource> {
  if (name === "cifar10") {
    for (const dir of [join(data, "cifar10", "cifar-10-batches-bin"), join(data, "cifar10")]) {
      if (
        await exists(join(dir, "test_batch.bin")) || await exists(join(dir, "data_batch_1.bin"))
      ) {
        try {
          return { ...await readCifar10(dir), source: dir };
        } catch (e) {
          if (e instanceof Deno.errors.NotFound) {
            throw new Error(`Incomplete CIFAR-10 in "${dir}": ${e.message.split("\n")[0]}`);
          }
          throw e;
        }
      }
    }
    throw new Error(
      `CIFAR-10 not found in "${
        join(data, "cifar10")
      }" (no embedded copy exists): run \`deno task data download cifar10\``,
    );
  }
  const torchName = name === "mnist" ? "MNIST" : "FashionMNIST";
  for (const dir of [join(data, name), join(data, torchName, "raw")]) {
    const files = await findIdxFiles(dir);
    if (files) {
      return {
        train: await readIdxPair(files[0]!, files[1]!),
        test: await readIdxPair(files[2]!, files[3]!),
        source: dir,
      };
    }
  }
  const pkg = EMBEDDED_PACKAGES[name as EmbeddedName];
  const { train, test, cached } = await loadEmbedded(data, name as EmbeddedName);
  if (!announced.has(name)) {
    announced.add(name);
    const official = name === "mnist";
    log(
      `${name}: no IDX files in "${
        join(data, name)
      }"; using the embedded npm ${pkg} (${train.n} train / ${test.n} test, ${
        official ? "the official files" : "not the official split"
      }${cached ? "" : "; converted and cached"})${
        official ? "" : `. Run \`deno task data download ${name}\` for the official files`
      }`,
    );
  }
  return { train, test, source: `embedded npm ${pkg}` };
}

function subset(raw: RawImages, idx: ArrayLike<number>): RawImages {
  const size = raw.channels * raw.height * raw.width;
  const images = new Uint8Array(idx.length * size), labels = new Uint8Array(idx.length);
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r]!;
    images.set(raw.images.subarray(i * size, (i + 1) * size), r * size);
    labels[r] = raw.labels[i]!;
  }
  return { ...raw, images, labels, n: idx.length };
}

function range(a: number, b: number): number[] {
  return Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
}

function toSplit(
  raw: RawImages,
  normalize: Normalization,
  gray: boolean,
  values: readonly number[],
  classes: number,
): Split {
  const plane = raw.height * raw.width;
  let bytes = raw.images, channels = raw.channels;
  if (gray && channels === 3) {
    bytes = grayscale(bytes, plane);
    channels = 1;
  }
  const x = pixelsToFloat(bytes, normalize, channels, plane);
  const labels = Int32Array.from(raw.labels);
  return {
    x,
    y: oneHot(labels, classes, values),
    labels,
    n: raw.n,
    inputDim: channels * plane,
    targetDim: classes,
  };
}

/**
 * Loads an image dataset with resolved options (see `datasetSchema`). Order of the steps:
 * class filter (`classes`), validation split from the training set, `per_class` / `test_per_class` subsets,
 * `train_size` / `test_size` subsets, grayscale, normalisation, one-hot targets. Every random
 * choice uses its own stream derived from `seed`.
 *
 * @param name `mnist`, `fashion-mnist` or `cifar10`.
 * @param o Resolved options.
 * @param ctx Seed, data directory and logger.
 * @returns The dataset.
 *
 * @example
 * ```ts ignore
 * import { loadImageDataset } from "@plasticity/datasets";
 * const d = await loadImageDataset("cifar10", { ...resolved }, { seed: 0, data: "/data", log: console.error });
 * ```
 */
export async function loadImageDataset(
  name: "mnist" | "fashion-mnist" | "cifar10",
  o: Record<string, HyperValue>,
  ctx: { seed: number; data: string; log: (line: string) => void },
): Promise<Dataset> {
  const values = o.target_values as readonly number[];
  if (values.length !== 2) {
    throw new Error(
      `dataset.target_values: expected two numbers [off, on], got ${JSON.stringify(values)}`,
    );
  }
  for (const key of ["per_class", "test_per_class"]) {
    if (o[key] === 0) throw new Error(`dataset.${key}: expected -1 (all) or an integer ≥ 1, got 0`);
  }
  const raw = await readRaw(name, ctx.data, ctx.log);
  let train = raw.train, test = raw.test;
  let validation: RawImages | undefined;
  const classes = o.classes as number;
  if (classes < 10) {
    const keep = (r: RawImages) => subset(r, range(0, r.n).filter((i) => r.labels[i]! < classes));
    train = keep(train);
    test = keep(test);
  }

  const v = o.validation_size as number;
  if (v > 0) {
    if (v >= train.n) {
      throw new Error(`dataset.validation_size: ${v} leaves no training samples out of ${train.n}`);
    }
    let valIdx: number[];
    if (o.validation_split === "tail") valIdx = range(train.n - v, train.n);
    else valIdx = randomSubset(range(0, train.n), v, createRng(deriveSeed(ctx.seed, "validation")));
    const isVal = new Uint8Array(train.n);
    for (const i of valIdx) isVal[i] = 1;
    validation = subset(train, valIdx);
    train = subset(train, range(0, train.n).filter((i) => !isVal[i]));
  }
  const k = o.per_class as number, kt = o.test_per_class as number;
  if (k > 0) {
    train = subset(
      train,
      perClassIndices(train.labels, k, createRng(deriveSeed(ctx.seed, "per_class"))),
    );
  }
  if (kt > 0) {
    test = subset(
      test,
      perClassIndices(test.labels, kt, createRng(deriveSeed(ctx.seed, "test_per_class"))),
    );
  }
  for (const [key, which] of [["train_size", "train"], ["test_size", "test"]] as const) {
    const size = o[key] as number;
    const split = which === "train" ? train : test;
    if (size < 0 || size === split.n) continue;
    if (size > split.n) {
      throw new Error(
        `dataset.${key}: ${size} exceeds the ${split.n} ${which} samples available from ${raw.source}`,
      );
    }
    const idx = randomSubset(range(0, split.n), size, createRng(deriveSeed(ctx.seed, key)));
    if (which === "train") train = subset(train, idx);
    else test = subset(test, idx);
  }
  const normalize = o.normalize as Normalization;
  const gray = o.grayscale === true;
  return {
    name,
    task: "classification",
    train: toSplit(train, normalize, gray, values, classes),
    test: toSplit(test, normalize, gray, values, classes),
    ...(validation ? { validation: toSplit(validation, normalize, gray, values, classes) } : {}),
    source: raw.source,
  };
}
