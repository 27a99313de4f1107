/**
 * A small parser for the bytes of numpy `.npy` files (format versions 1–3, little- or big-endian
 * float and integer dtypes, C or Fortran order), returning the values as a row-major
 * `Float64Array`. Reading the file is the caller's.
 *
 * @module
 */

/** An n-dimensional array read from a `.npy` file. */
export interface NpyArray {
  /** The shape, e.g. `[10, 1010, 3]`. */
  readonly shape: number[];
  /** The numpy dtype string, e.g. `<f8`. */
  readonly dtype: string;
  /** The values in row-major (C) order. */
  readonly data: Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/**
 * Parses the bytes of a `.npy` file.
 *
 * @param bytes The file's bytes.
 * @param name The file name, for error messages.
 * @returns Shape, dtype and values (row-major).
 *
 * @example
 * ```ts
 * import { parseNpy } from "@plasticity/microcircuit/read-npy";
 * const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
 * const pad = (64 - ((11 + header.length) % 64)) % 64;
 * const h = new TextEncoder().encode(header + " ".repeat(pad) + "\n");
 * const bytes = new Uint8Array(10 + h.length + 16);
 * bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length, 0]);
 * bytes.set(h, 10);
 * new DataView(bytes.buffer).setFloat64(10 + h.length, 1.5, true);
 * new DataView(bytes.buffer).setFloat64(18 + h.length, -2, true);
 * const a = parseNpy(bytes);
 * console.assert(a.shape[0] === 2 && a.data[0] === 1.5 && a.data[1] === -2);
 * ```
 */
export function parseNpy(bytes: Uint8Array, name = "array.npy"): NpyArray {
  const bad = (why: string): never => {
    throw new Error(`Invalid npy file ${JSON.stringify(name)}: ${why}`);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    bad("expected the \\x93NUMPY magic");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  let headerLen: number, start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    headerLen = view.getUint32(8, true);
    start = 12;
  } else {
    return bad(`expected format version 1, 2 or 3, got ${major}`);
  }
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
    bytes.subarray(start, start + headerLen),
  );
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1] ?? bad("no 'descr' in the header");
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1] ??
    bad("no 'fortran_order' in the header");
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1] ??
    bad("no 'shape' in the header");
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) bad(`bad shape (${shapeText})`);
  const m = /^([<>|=])([fiu])(\d)$/.exec(descr) ??
    bad(`unsupported dtype ${JSON.stringify(descr)}`);
  const little = m[1] !== ">";
  const kind = m[2]!, size = Number(m[3]);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  if (bytes.length < offset + count * size) bad(`expected ${count * size} data bytes`);
  const read: (o: number) => number = kind === "f"
    ? size === 8
      ? (o) => view.getFloat64(o, little)
      : size === 4
      ? (o) => view.getFloat32(o, little)
      : bad(`unsupported float size ${size}`)
    : kind === "i"
    ? size === 8
      ? (o) => Number(view.getBigInt64(o, little))
      : size === 4
      ? (o) => view.getInt32(o, little)
      : size === 2
      ? (o) => view.getInt16(o, little)
      : (o) => view.getInt8(o)
    : size === 8
    ? (o) => Number(view.getBigUint64(o, little))
    : size === 4
    ? (o) => view.getUint32(o, little)
    : size === 2
    ? (o) => view.getUint16(o, little)
    : (o) => view.getUint8(o);
  const data = new Float64Array(count);
  if (fortran === "False" || shape.length < 2) {
    for (let i = 0; i < count; i++) data[i] = read(offset + i * size);
  } else {
    // Fortran order: the first index varies fastest; rewrite to row-major.
    const idx = new Array(shape.length).fill(0);
    for (let f = 0; f < count; f++) {
      let c = 0;
      for (let d = 0; d < shape.length; d++) c = c * shape[d]! + idx[d];
      data[c] = read(offset + f * size);
      for (let d = 0; d < shape.length; d++) {
        if (++idx[d] < shape[d]!) break;
        idx[d] = 0;
      }
    }
  }
  return { shape, dtype: descr, data };
}
