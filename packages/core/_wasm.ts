// A minimal WebAssembly binary encoder for the SIMD kernels of simd_arena.ts: one module that
// imports one memory (env.memory) and exports functions of numeric parameters and no results.
// Instructions are byte arrays, written with the helpers below (opcodes from the WebAssembly 2.0
// core specification, §5.4, and its fixed-width SIMD proposal).

/** Value types. */
export const I32 = 0x7f, F32 = 0x7d, F64 = 0x7c, V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const name = (s: string): number[] => {
  const bytes = new TextEncoder().encode(s);
  return [...uleb(bytes.length), ...bytes];
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
// memarg: alignment exponent 0 (no alignment promised), offset 0.
const memarg = [0, 0];

/** Instructions. */
export const op = {
  get: (i: number): number[] => [0x20, ...uleb(i)],
  set: (i: number): number[] => [0x21, ...uleb(i)],
  tee: (i: number): number[] => [0x22, ...uleb(i)],
  i32: (n: number): number[] => [0x41, ...sleb(n)],
  i32Add: [0x6a],
  i32Mul: [0x6c],
  i32GeU: [0x4f],
  f64: (x: number): number[] => [0x44, ...new Uint8Array(new Float64Array([x]).buffer)],
  f64Neg: [0x9a],
  f64Add: [0xa0],
  f64Mul: [0xa2],
  /** f64.load from the address on the stack. */
  f64Load: [0x2b, 3, 0],
  return: [0x0f],
  /** if (the i32 on the stack is non-zero) { body } */
  if: (body: number[]): number[] => [0x04, 0x40, ...body, 0x0b],
  /** if (the i32 on the stack is non-zero) { yes } else { no }, each leaving one v128. */
  ifV128: (yes: number[], no: number[]): number[] => [0x04, 0x7b, ...yes, 0x05, ...no, 0x0b],
  i32Shl1: [0x41, 1, 0x74],
  /** Loop over byte offsets `i` = 0, 16, 32, … while i < limit (locals), running `body`. */
  loop16: (i: number, limit: number, body: number[]): number[] => [
    ...op.i32(0),
    ...op.set(i),
    ...op.whileLess(i, limit, [...body, ...op.get(i), ...op.i32(16), ...op.i32Add, ...op.set(i)]),
  ],
  /** Loop while (local i) < (local limit), running `body` (which must advance i). */
  whileLess: (i: number, limit: number, body: number[]): number[] => [
    ...[0x02, 0x40, 0x03, 0x40], // block, loop
    ...op.get(i),
    ...op.get(limit),
    ...op.i32GeU,
    ...[0x0d, 1], // br_if to the block's end
    ...body,
    ...[0x0c, 0, 0x0b, 0x0b], // br to the loop's start; end, end
  ],
  /** v128.load from (local base) + (local i). */
  load: (base: number, i: number): number[] => [
    ...op.get(base),
    ...op.get(i),
    ...op.i32Add,
    ...simd(0x00, ...memarg),
  ],
  /** The address (local base) + (local i), for a following store. */
  addr: (base: number, i: number): number[] => [...op.get(base), ...op.get(i), ...op.i32Add],
  store: simd(0x0b, ...memarg),
  /** v128.load / v128.store with a constant offset added to the address. */
  loadAt: (offset: number): number[] => simd(0x00, 0, ...uleb(offset)),
  storeAt: (offset: number): number[] => simd(0x0b, 0, ...uleb(offset)),
  /** A v128 constant of four int32 lanes. */
  i32x4Const: (lanes: [number, number, number, number]): number[] =>
    simd(0x0c, ...new Uint8Array(new Int32Array(lanes).buffer)),
  /** Lanes of the two operands (0–3 the first's, 4–7 the second's) picked as float32 lanes. */
  shuffle32: (lanes: [number, number, number, number]): number[] =>
    simd(0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])),
  f32x4Gt: simd(0x44),
  /** v128.bitselect(a, b, mask): a's bits where the mask's are set, else b's. */
  v128Bitselect: simd(0x52),
  f64x2Eq: simd(0x47),
  i64x2AllTrue: simd(0xc3),
  f32x4Splat: simd(0x13),
  f64x2ExtractLane: (lane: number): number[] => simd(0x21, lane),
  f64x2ReplaceLane: (lane: number): number[] => simd(0x22, lane),
  i32x4ExtractLane: (lane: number): number[] => simd(0x1b, lane),
  f64x2Lt: simd(0x49),
  f64x2Gt: simd(0x4a),
  v128Not: simd(0x4d),
  v128And: simd(0x4e),
  v128Or: simd(0x50),
  v128AnyTrue: simd(0x53),
  i32x4TruncSatF64x2SZero: simd(0xfc),
  i32x4Splat: simd(0x11),
  i32x4Shl: simd(0xab),
  i32x4ShrS: simd(0xac),
  i32x4Add: simd(0xae),
  i32x4MinS: simd(0xb6),
  i32x4MaxS: simd(0xb8),
  /** Lanes 0, 1 of an int32x4, sign-extended to int64x2. */
  i64x2ExtendLowI32x4S: simd(0xc7),
  i64x2Shl: simd(0xcb),
  f64x2Abs: simd(0xec),
  f64x2Neg: simd(0xed),
  f64x2Sub: simd(0xf1),
  f64x2Div: simd(0xf3),
  f64x2Splat: simd(0x14),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Min: simd(0xe8),
  f32x4Max: simd(0xe9),
  f64x2Add: simd(0xf0),
  f64x2Mul: simd(0xf2),
  f32x4DemoteF64x2Zero: simd(0x5e),
  f64x2PromoteLowF32x4: simd(0x5f),
  /** Lanes 2, 3 of a float32x4 moved to lanes 0, 1 (operand on the stack twice). */
  highToLow: simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7),
  /** Lanes 0, 1 of the first operand and lanes 0, 1 of the second. */
  joinLow: simd(0x0d, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23),
};

// "\0asm", version 1.
const MAGIC_AND_VERSION = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0];

/** One exported function: its parameter and result types, extra locals and body (without the final end). */
export interface WasmFunction {
  name: string;
  params: number[];
  results?: number[];
  locals: number[];
  body: number[];
}

/** Numbers the locals of a function after its parameters. */
export class Locals {
  readonly types: number[] = [];
  #next: number;
  constructor(params: number) {
    this.#next = params;
  }
  /** A new local of type `t`; its index. */
  add(t: number): number {
    this.types.push(t);
    return this.#next++;
  }
}

/** The binary of a module importing env.memory (`pages` 64 KiB pages at least) and exporting `fns`. */
export function encodeModule(fns: WasmFunction[], pages: number): Uint8Array<ArrayBuffer> {
  const types = fns.map((f) => [
    0x60,
    ...vec(f.params.map((t) => [t])),
    ...vec((f.results ?? []).map((t) => [t])),
  ]);
  const memoryImport = [...name("env"), ...name("memory"), 0x02, 0x00, ...uleb(pages)];
  const bodies = fns.map((f) => {
    const body = [...vec(f.locals.map((t) => [1, t])), ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    ...MAGIC_AND_VERSION,
    ...section(1, vec(types)),
    ...section(2, vec([memoryImport])),
    ...section(3, vec(fns.map((_, i) => uleb(i)))),
    ...section(7, vec(fns.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(bodies)),
  ]);
}
