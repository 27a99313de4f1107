/**
 * Reader of the IDX format of MNIST and Fashion-MNIST (optionally gzipped).
 *
 * @module
 */
import { gunzipSync } from "node:zlib";
import { DatasetError } from "./errors.ts";

/** A parsed IDX file of unsigned bytes. */
export interface IdxArray {
  /** Dimensions, e.g. `[60000, 28, 28]` or `[60000]`. */
  readonly dims: readonly number[];
  /** The bytes, row-major. */
  readonly data: Uint8Array;
}

/**
 * Gunzips `bytes` when they start with the gzip magic (1f 8b), else returns them unchanged.
 *
 * @param bytes File contents.
 * @param file File name, for messages.
 * @returns The plain bytes.
 *
 * @example
 * ```ts
 * import { maybeGunzip } from "@plasticity/datasets";
 * console.assert(maybeGunzip(Uint8Array.of(1, 2), "x").length === 2);
 * ```
 */
export function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    const out = gunzipSync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    throw new DatasetError(`Cannot gunzip "${file}": ${msg}; expected a whole gzip file`);
  }
}

/** The data types of the IDX format, by their magic-number byte. */
const IDX_TYPES: Readonly<Record<number, string>> = {
  0x08: "unsigned bytes",
  0x09: "signed bytes",
  0x0b: "int16",
  0x0c: "int32",
  0x0d: "float32",
  0x0e: "float64",
};

function hex32(bytes: Uint8Array): string {
  return "0x" + Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join("");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function expectedMagic(dims: number | undefined): string {
  if (dims === undefined) return "0x000008NN (IDX unsigned bytes, NN ≥ 1 dimensions)";
  const what = dims === 3 ? "IDX images: " : dims === 1 ? "IDX labels: " : "IDX ";
  return `0x000008${dims.toString(16).padStart(2, "0")} (${what}unsigned bytes, ${
    plural(dims, "dimension")
  })`;
}

/**
 * Parses an IDX file of unsigned bytes: magic `00 00 08 d` (d dimensions), d big-endian 32-bit
 * sizes, then the data.
 *
 * @param bytes The (already gunzipped) file contents.
 * @param file File name, for messages.
 * @param expectDims Required number of dimensions (3 for images, 1 for labels).
 * @returns Dimensions and data (a view of `bytes`).
 * @throws {DatasetError} On a wrong magic number (shown in hex, expected and found), a truncated
 *   file or trailing bytes.
 *
 * @example
 * ```ts
 * import { parseIdx } from "@plasticity/datasets";
 * const f = parseIdx(Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 2, 7, 9), "labels", 1);
 * console.assert(f.dims[0] === 2 && f.data[1] === 9);
 * ```
 */
export function parseIdx(bytes: Uint8Array, file: string, expectDims?: number): IdxArray {
  if (bytes.length < 4) {
    throw new DatasetError(
      `File "${file}" is truncated: ${bytes.length} bytes, expected at least the 4 bytes of an IDX magic number`,
    );
  }
  const d = bytes[3]!;
  if (
    bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08 || d < 1 ||
    (expectDims !== undefined && d !== expectDims)
  ) {
    const got = hex32(bytes), known = bytes[0] === 0 && bytes[1] === 0 && IDX_TYPES[bytes[2]!];
    throw new DatasetError(
      `File "${file}" has magic number ${got}${
        known ? ` (IDX ${known}, ${plural(d, "dimension")})` : ""
      }: expected ${expectedMagic(expectDims)}`,
    );
  }
  const header = 4 + 4 * d;
  if (bytes.length < header) {
    throw new DatasetError(
      `File "${file}" is truncated: ${bytes.length} bytes, shorter than its ${header}-byte header`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let size = 1;
  for (let i = 0; i < d; i++) {
    const s = view.getUint32(4 + 4 * i, false);
    dims.push(s);
    size *= s;
  }
  const have = bytes.length - header;
  if (have < size) {
    throw new DatasetError(
      `File "${file}" is truncated: header says ${
        dims.join(" × ")
      } = ${size} bytes of data, found ${have}`,
    );
  }
  if (have > size) {
    throw new DatasetError(
      `File "${file}" has ${have - size} trailing bytes after ${
        dims.join(" × ")
      } = ${size} bytes of data`,
    );
  }
  return { dims, data: bytes.subarray(header) };
}

/**
 * Reads an IDX file (gzipped or not) from disk.
 *
 * @param path The file.
 * @param expectDims Required number of dimensions.
 * @returns Dimensions and data.
 *
 * @example
 * ```ts ignore
 * import { readIdxFile } from "@plasticity/datasets";
 * const labels = await readIdxFile("train-labels-idx1-ubyte.gz", 1);
 * ```
 */
export async function readIdxFile(path: string, expectDims?: number): Promise<IdxArray> {
  const bytes = maybeGunzip(await Deno.readFile(path), path);
  return parseIdx(bytes, path, expectDims);
}

/** Images and labels of one split of an image dataset, as raw bytes. */
export interface RawImages {
  /** `n × channels × height × width` bytes. */
  readonly images: Uint8Array;
  /** Class per sample. */
  readonly labels: Uint8Array;
  /** Number of samples. */
  readonly n: number;
  /** Colour channels. */
  readonly channels: number;
  /** Height in pixels. */
  readonly height: number;
  /** Width in pixels. */
  readonly width: number;
}

/**
 * Reads a pair of IDX files (images `n × h × w`, labels `n`) and checks that they agree and that
 * every label is below `classes`.
 *
 * @param imagesPath Image file.
 * @param labelsPath Label file.
 * @param classes Number of classes.
 * @returns The raw split.
 *
 * @example
 * ```ts ignore
 * import { readIdxPair } from "@plasticity/datasets";
 * const s = await readIdxPair("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 10);
 * ```
 */
export async function readIdxPair(
  imagesPath: string,
  labelsPath: string,
  classes = 10,
): Promise<RawImages> {
  const im = await readIdxFile(imagesPath, 3);
  const lb = await readIdxFile(labelsPath, 1);
  return idxPair(im, lb, imagesPath, labelsPath, classes);
}

/**
 * Checks and combines parsed image and label IDX arrays.
 *
 * @param im Parsed images (3 dimensions).
 * @param lb Parsed labels (1 dimension).
 * @param imagesPath Image file name, for messages.
 * @param labelsPath Label file name, for messages.
 * @param classes Number of classes.
 * @returns The raw split.
 * @throws {DatasetError} When there are no images, the counts differ, or a label is too large.
 *
 * @example
 * ```ts
 * import { idxPair } from "@plasticity/datasets";
 * const s = idxPair({ dims: [1, 1, 2], data: Uint8Array.of(0, 255) }, { dims: [1], data: Uint8Array.of(3) }, "i", "l", 10);
 * console.assert(s.n === 1 && s.width === 2);
 * ```
 */
export function idxPair(
  im: IdxArray,
  lb: IdxArray,
  imagesPath: string,
  labelsPath: string,
  classes = 10,
): RawImages {
  checkCounts(im.dims, lb.dims, imagesPath, labelsPath);
  const n = im.dims[0]!;
  for (let i = 0; i < n; i++) {
    if (lb.data[i]! >= classes) {
      throw new DatasetError(
        `File "${labelsPath}" has label ${lb.data[i]} at index ${i}: expected 0..${classes - 1}`,
      );
    }
  }
  return {
    images: im.data,
    labels: lb.data,
    n,
    channels: 1,
    height: im.dims[1]!,
    width: im.dims[2]!,
  };
}

function checkCounts(
  im: readonly number[],
  lb: readonly number[],
  imagesPath: string,
  labelsPath: string,
): void {
  if (im[0] === 0) {
    throw new DatasetError(`File "${imagesPath}" holds 0 images: expected at least 1`);
  }
  if (lb[0] !== im[0]) {
    throw new DatasetError(
      `File "${labelsPath}" holds ${lb[0]} labels: expected ${
        im[0]
      }, one per image in "${imagesPath}"`,
    );
  }
}

/**
 * Checks the dimensions of the four IDX files of a dataset (train images, train labels, test
 * images, test labels) against each other: each image file holds at least one image, each label
 * file one label per image, and the test images have the shape of the training images.
 *
 * @param paths The four files, for messages.
 * @param dims Their dimensions (as parsed by {@linkcode parseIdx}).
 * @throws {DatasetError} Naming the file at fault and what was expected.
 *
 * @example
 * ```ts
 * import { checkIdxSplits } from "@plasticity/datasets";
 * const paths = ["ti", "tl", "si", "sl"];
 * checkIdxSplits(paths, [[60000, 28, 28], [60000], [10000, 28, 28], [10000]]);
 * let msg = "";
 * try {
 *   checkIdxSplits(paths, [[60000, 28, 28], [60000], [10000, 27, 27], [10000]]);
 * } catch (e) {
 *   msg = (e as Error).message;
 * }
 * console.assert(msg === 'File "si" holds 27 × 27 images: expected 28 × 28 like the training images in "ti"');
 * ```
 */
export function checkIdxSplits(
  paths: readonly string[],
  dims: readonly (readonly number[])[],
): void {
  const [ti, tl, si, sl] = dims as [number[], number[], number[], number[]];
  checkCounts(ti, tl, paths[0]!, paths[1]!);
  checkCounts(si, sl, paths[2]!, paths[3]!);
  if (si[1] !== ti[1] || si[2] !== ti[2]) {
    throw new DatasetError(
      `File "${paths[2]}" holds ${si[1]} × ${si[2]} images: expected ${ti[1]} × ${
        ti[2]
      } like the training images in "${paths[0]}"`,
    );
  }
}
