/**
 * Float32 buffers in one WebAssembly memory, and element-wise kernels on them written with
 * 128-bit SIMD: the inner loops of the relaxations (equilibrium propagation's and CSM's state
 * step, CorInfoMax's voltage step, predictive coding's value-node steps) run here about two to
 * three times faster than the same loops in JavaScript (two lanes where the loop works in float64,
 * four where it works in float32), with the same float32 and float64 roundings, so with the same
 * values bit for bit.
 *
 * Buffers must come from {@linkcode SimdArena.alloc} of the arena whose kernel reads them (the
 * kernels address WebAssembly memory only); they are ordinary `Float32Array`s otherwise, so BLAS
 * products and JavaScript loops write into them too. The memory never grows, so the buffers stay
 * valid for the arena's lifetime.
 *
 * @module
 */
import { encodeModule, F32, F64, I32, Locals, op, V128, type WasmFunction } from "./_wasm.ts";
import { fastExp } from "./fast_exp.ts";
import { INV, LN2HI, LN2LO, SHIFT, T } from "./_fast_exp_tables.ts";

// gradientStepRates(s, a, c, out, bytes, eta, hi), and gradientStepRatesLateral(s, a, c, d, out,
// bytes, eta, hi) with the lateral term d added to the gradient.
function gradientStepKernel(lateral: boolean): WasmFunction {
  const d = 3, shift = lateral ? 1 : 0;
  const [s, a, c, out, bytes, eta, hi] = [0, 1, 2, 3 + shift, 4 + shift, 5 + shift, 6 + shift];
  const [i, negEta, hiV, zero, sj, g, lo] = [7, 8, 9, 10, 11, 12, 13].map((k) => k + shift) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // v = f32(−η·g + s) for the two lanes on the stack's float64x2 pair (g, s already promoted).
  const half = (high: boolean) => [
    ...op.get(g),
    ...(high ? [...op.get(g), ...op.highToLow] : []),
    ...op.f64x2PromoteLowF32x4,
    ...op.get(negEta),
    ...op.f64x2Mul,
    ...op.get(sj),
    ...(high ? [...op.get(sj), ...op.highToLow] : []),
    ...op.f64x2PromoteLowF32x4,
    ...op.f64x2Add,
    ...op.f32x4DemoteF64x2Zero,
  ];
  return {
    name: lateral ? "gradientStepRatesLateral" : "gradientStepRates",
    params: [I32, I32, I32, ...(lateral ? [I32] : []), I32, I32, F64, F32],
    locals: [I32, V128, V128, V128, V128, V128, V128],
    body: [
      ...op.get(eta),
      ...op.f64Neg,
      ...op.f64x2Splat,
      ...op.set(negEta),
      ...op.get(hi),
      ...op.f32x4Splat,
      ...op.set(hiV),
      ...op.loop16(i, bytes, [
        ...op.load(s, i),
        ...op.tee(sj),
        ...op.load(a, i),
        ...op.f32x4Sub,
        ...op.load(c, i),
        ...op.f32x4Sub,
        ...(lateral ? [...op.load(d, i), ...op.f32x4Add] : []),
        ...op.set(g),
        ...half(false),
        ...op.set(lo),
        ...op.addr(out, i),
        ...op.get(lo),
        ...half(true),
        ...op.joinLow,
        ...op.get(zero),
        ...op.f32x4Max,
        ...op.get(hiV),
        ...op.f32x4Min,
        ...op.store,
      ]),
    ],
  };
}
const GRADIENT_STEP = gradientStepKernel(false), GRADIENT_STEP_LATERAL = gradientStepKernel(true);

// linearRates(x0, x1, x2, x3, x4, un, rn, bytes, c0, c1, c2, c3, c4, hi)
const LINEAR = (() => {
  const x = [0, 1, 2, 3, 4], [un, rn, bytes] = [5, 6, 7], c = [8, 9, 10, 11, 12], hi = 13;
  const i = 14, cv = [15, 16, 17, 18, 19], [hiV, zero, lo, v] = [20, 21, 22, 23];
  const xv = [24, 25, 26, 27, 28];
  // f32(((((c0·x0 + c1·x1) + c2·x2) + c3·x3) + c4·x4)) in float64 for lanes 0, 1 or 2, 3.
  const half = (high: boolean) => [
    ...x.flatMap((k) => [
      ...op.get(xv[k]!),
      ...(high ? [...op.get(xv[k]!), ...op.highToLow] : []),
      ...op.f64x2PromoteLowF32x4,
      ...op.get(cv[k]!),
      ...op.f64x2Mul,
      ...(k > 0 ? op.f64x2Add : []),
    ]),
    ...op.f32x4DemoteF64x2Zero,
  ];
  return {
    name: "linearRates",
    params: [I32, I32, I32, I32, I32, I32, I32, I32, F64, F64, F64, F64, F64, F32],
    locals: [I32, ...Array(14).fill(V128)],
    body: [
      ...x.flatMap((k) => [...op.get(c[k]!), ...op.f64x2Splat, ...op.set(cv[k]!)]),
      ...op.get(hi),
      ...op.f32x4Splat,
      ...op.set(hiV),
      ...op.loop16(i, bytes, [
        ...x.flatMap((k) => [...op.load(x[k]!, i), ...op.set(xv[k]!)]),
        ...half(false),
        ...op.set(lo),
        ...op.get(lo),
        ...half(true),
        ...op.joinLow,
        ...op.set(v),
        ...op.addr(un, i),
        ...op.get(v),
        ...op.store,
        ...op.addr(rn, i),
        ...op.get(v),
        ...op.get(zero),
        ...op.f32x4Max,
        ...op.get(hiV),
        ...op.f32x4Min,
        ...op.store,
      ]),
    ],
  };
})();

// Lanes 0, 1 (or 2, 3) of a float32x4 local, promoted to float64x2.
const promote = (v: number, high: boolean): number[] => [
  ...op.get(v),
  ...(high ? [...op.get(v), ...op.highToLow] : []),
  ...op.f64x2PromoteLowF32x4,
];
// Adds the squares of a float64x2 local's lanes 0 and 1, in that order, to a float64 local.
const addSquares = (sum: number, v: number): number[] =>
  [0, 1].flatMap((lane) => [
    ...op.get(sum),
    ...op.get(v),
    ...op.f64x2ExtractLane(lane),
    ...op.get(v),
    ...op.f64x2ExtractLane(lane),
    ...op.f64Mul,
    ...op.f64Add,
    ...op.set(sum),
  ]);

// reluRelaxError(x, a, eps, back, mu, bytes, step, s, k) → Σε² (float64, in index order), and
// reluRelax with the same parameters (mu unused) → 0: the step without the error.
function reluRelaxKernel(withError: boolean): WasmFunction {
  const [x, a, eps, back, mu, bytes, step, s, k] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const L = new Locals(9);
  const i = L.add(I32), sum = L.add(F64);
  const X = L.add(V128),
    E = L.add(V128),
    B = L.add(V128),
    M = L.add(V128),
    stepV = L.add(V128),
    sV = L.add(V128),
    kV = L.add(V128),
    one = L.add(V128),
    zero = L.add(V128),
    nv64 = L.add(V128),
    ed = L.add(V128);
  const out = [0, 1].map(() => ({ x: L.add(V128), a: L.add(V128), e: L.add(V128) }));
  // s + k·[v > 0] for the float64x2 on the stack's top (consumed).
  const slopeOf = (v: number[]): number[] => [
    ...op.get(sV),
    ...op.get(kV),
    ...v,
    ...op.get(zero),
    ...op.f64x2Gt,
    ...op.get(one),
    ...op.v128And,
    ...op.f64x2Mul,
    ...op.f64x2Add,
  ];
  const half = (h: number) => {
    const high = h === 1, o = out[h]!;
    return [
      ...promote(X, high),
      ...promote(E, high),
      ...slopeOf(promote(X, high)),
      ...promote(B, high),
      ...op.f64x2Mul,
      ...op.f64x2Sub,
      ...op.get(stepV),
      ...op.f64x2Mul,
      ...op.f64x2Sub,
      ...op.f32x4DemoteF64x2Zero,
      ...op.tee(o.x),
      ...op.f64x2PromoteLowF32x4,
      ...op.set(nv64),
      ...op.get(nv64),
      ...slopeOf(op.get(nv64)),
      ...op.f64x2Mul,
      ...op.f32x4DemoteF64x2Zero,
      ...op.set(o.a),
      ...(withError
        ? [
          ...op.get(nv64),
          ...promote(M, high),
          ...op.f64x2Sub,
          ...op.tee(ed),
          ...op.f32x4DemoteF64x2Zero,
          ...op.set(o.e),
          ...addSquares(sum, ed),
        ]
        : []),
    ];
  };
  const store = (base: number, f: "x" | "a" | "e") => [
    ...op.addr(base, i),
    ...op.get(out[0]![f]),
    ...op.get(out[1]![f]),
    ...op.joinLow,
    ...op.store,
  ];
  return {
    name: withError ? "reluRelaxError" : "reluRelax",
    params: [I32, I32, I32, I32, I32, I32, F64, F64, F64],
    results: [F64],
    locals: L.types,
    body: [
      ...op.get(step),
      ...op.f64x2Splat,
      ...op.set(stepV),
      ...op.get(s),
      ...op.f64x2Splat,
      ...op.set(sV),
      ...op.get(k),
      ...op.f64x2Splat,
      ...op.set(kV),
      ...op.f64(1),
      ...op.f64x2Splat,
      ...op.set(one),
      ...op.loop16(i, bytes, [
        ...op.load(x, i),
        ...op.set(X),
        ...op.load(eps, i),
        ...op.set(E),
        ...op.load(back, i),
        ...op.set(B),
        ...(withError ? [...op.load(mu, i), ...op.set(M)] : []),
        ...half(0),
        ...half(1),
        ...store(x, "x"),
        ...store(a, "a"),
        ...(withError ? store(eps, "e") : []),
      ]),
      ...op.get(sum),
    ],
  };
}
const RELU_RELAX_ERROR = reluRelaxKernel(true), RELU_RELAX = reluRelaxKernel(false);

// sigmoidRelax(x, a, eps, back, xs, ph, bytes, step, t) → the bytes done (less than `bytes` where some
// exponent lies outside fastExp's range: the caller finishes from there); t is the address of
// fastExp's table T
const SIGMOID_RELAX = (() => {
  const [x, a, eps, back, xs, ph, bytes, step, t] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const L = new Locals(9);
  const i = L.add(I32), phAt = L.add(I32), XS = L.add(V128);
  const X = L.add(V128),
    E = L.add(V128),
    B = L.add(V128),
    stepV = L.add(V128),
    one = L.add(V128),
    zero = L.add(V128),
    flags = L.add(V128),
    v64 = L.add(V128),
    arg = L.add(V128),
    kd = L.add(V128),
    r = L.add(V128),
    r2 = L.add(V128),
    ki = L.add(V128),
    sc = L.add(V128),
    sg = L.add(V128);
  const c = (value: number) => ({ value, local: L.add(V128) });
  const K = {
    inv: c(INV),
    shift: c(SHIFT),
    ln2hi: c(LN2HI),
    ln2lo: c(LN2LO),
    half: c(0.5),
    c6: c(1 / 6),
    c24: c(1 / 24),
    c120: c(1 / 120),
    hi: c(700),
  };
  const out = [0, 1].map(() => ({ x: L.add(V128), a: L.add(V128), ph: L.add(V128) }));
  // Integer splats: 1023 (the float64 exponent bias) and 63 (T's index mask), and T's address.
  const [i1023, i63, tV, pow2, atT] = [0, 1, 2, 3, 4].map(() => L.add(V128));
  const ints: [number, number[]][] = [
    [i1023!, op.i32(1023)],
    [i63!, op.i32(63)],
    [tV!, op.get(t)],
  ];
  // 2^{k/64} = 2^{k >> 6}·T[k & 63] for both lanes: T's two entries, from the address vector, times
  // the power of two built from its bits ((k >> 6) + 1023 in the exponent field; exact, and equal
  // to fastExp's P2[(k >> 6) + 1050] for every lane not flagged, where |k >> 6| ≤ 1010).
  const scale = [
    ...op.get(atT!),
    ...op.i32x4ExtractLane(0),
    ...op.f64Load,
    ...op.f64x2Splat,
    ...op.get(atT!),
    ...op.i32x4ExtractLane(1),
    ...op.f64Load,
    ...op.f64x2ReplaceLane(1),
    ...op.get(pow2!),
    ...op.f64x2Mul,
  ];
  // 1/(1 + fastExp(arg)) for the float64x2 local `arg`, flagging lanes outside (−700, 700).
  const logistic = [
    // |arg| < 700 fails for the lanes outside fastExp's range and for NaN.
    ...op.get(flags),
    ...op.get(arg),
    ...op.f64x2Abs,
    ...op.get(K.hi.local),
    ...op.f64x2Lt,
    ...op.v128Not,
    ...op.v128Or,
    ...op.set(flags),
    ...op.get(arg),
    ...op.get(K.inv.local),
    ...op.f64x2Mul,
    ...op.get(K.shift.local),
    ...op.f64x2Add,
    ...op.get(K.shift.local),
    ...op.f64x2Sub,
    ...op.tee(kd),
    ...op.i32x4TruncSatF64x2SZero,
    // Flagged lanes (k saturated or NaN's 0) are recomputed by the caller: their power of two is
    // garbage, their T address (k & 63) still inside T.
    ...op.tee(ki),
    ...op.i32(6),
    ...op.i32x4ShrS,
    ...op.get(i1023!),
    ...op.i32x4Add,
    ...op.i64x2ExtendLowI32x4S,
    ...op.i32(52),
    ...op.i64x2Shl,
    ...op.set(pow2!),
    ...op.get(ki),
    ...op.get(i63!),
    ...op.v128And,
    ...op.i32(3),
    ...op.i32x4Shl,
    ...op.get(tV!),
    ...op.i32x4Add,
    ...op.set(atT!),
    ...op.get(arg),
    ...op.get(kd),
    ...op.get(K.ln2hi.local),
    ...op.f64x2Mul,
    ...op.f64x2Sub,
    ...op.get(kd),
    ...op.get(K.ln2lo.local),
    ...op.f64x2Mul,
    ...op.f64x2Sub,
    ...op.tee(r),
    ...op.get(r),
    ...op.f64x2Mul,
    ...op.set(r2),
    ...op.get(one), // 1 + (s + s·p), then 1/…
    // p = (r + r2·(1/2 + r/6)) + r2²·(1/24 + r/120)
    ...op.get(r),
    ...op.get(r2),
    ...op.get(K.half.local),
    ...op.get(r),
    ...op.get(K.c6.local),
    ...op.f64x2Mul,
    ...op.f64x2Add,
    ...op.f64x2Mul,
    ...op.f64x2Add,
    ...op.get(r2),
    ...op.get(r2),
    ...op.f64x2Mul,
    ...op.get(K.c24.local),
    ...op.get(r),
    ...op.get(K.c120.local),
    ...op.f64x2Mul,
    ...op.f64x2Add,
    ...op.f64x2Mul,
    ...op.f64x2Add,
    ...scale,
    ...op.tee(sc),
    ...op.f64x2Mul,
    ...op.get(sc),
    ...op.f64x2Add,
    ...op.f64x2Add,
    ...op.set(sg),
    ...op.get(one),
    ...op.get(sg),
    ...op.f64x2Div,
  ];
  const half = (h: number) => {
    const high = h === 1, o = out[h]!;
    return [
      ...promote(X, high),
      ...op.tee(v64),
      // σ(v): remembered where both lanes equal the values it was remembered for, else computed
      // (the same number either way).
      ...promote(XS, high),
      ...op.f64x2Eq,
      ...op.i64x2AllTrue,
      ...op.ifV128(
        [...op.get(phAt), ...op.loadAt(16 * h)],
        [...op.get(v64), ...op.f64x2Neg, ...op.set(arg), ...logistic],
      ),
      ...op.set(sg),
      // v − step·(e − s(1 − s)·b)
      ...op.get(v64),
      ...op.get(stepV),
      ...promote(E, high),
      ...op.get(sg),
      ...op.get(one),
      ...op.get(sg),
      ...op.f64x2Sub,
      ...op.f64x2Mul,
      ...promote(B, high),
      ...op.f64x2Mul,
      ...op.f64x2Sub,
      ...op.f64x2Mul,
      ...op.f64x2Sub,
      ...op.f32x4DemoteF64x2Zero,
      ...op.tee(o.x),
      ...op.f64x2PromoteLowF32x4,
      ...op.f64x2Neg,
      ...op.set(arg),
      ...logistic,
      ...op.tee(o.ph),
      ...op.f32x4DemoteF64x2Zero,
      ...op.set(o.a),
    ];
  };
  const store = (base: number, f: "x" | "a") => [
    ...op.addr(base, i),
    ...op.get(out[0]![f]),
    ...op.get(out[1]![f]),
    ...op.joinLow,
    ...op.store,
  ];
  return {
    name: "sigmoidRelax",
    params: [I32, I32, I32, I32, I32, I32, I32, F64, I32],
    results: [I32],
    locals: L.types,
    body: [
      ...op.get(step),
      ...op.f64x2Splat,
      ...op.set(stepV),
      ...op.f64(1),
      ...op.f64x2Splat,
      ...op.set(one),
      ...Object.values(K).flatMap((
        k,
      ) => [...op.f64(k.value), ...op.f64x2Splat, ...op.set(k.local)]),
      ...ints.flatMap(([local, value]) => [...value, ...op.i32x4Splat, ...op.set(local)]),
      ...op.loop16(i, bytes, [
        ...op.get(zero),
        ...op.set(flags),
        ...op.load(x, i),
        ...op.set(X),
        ...op.load(eps, i),
        ...op.set(E),
        ...op.load(back, i),
        ...op.set(B),
        ...op.load(xs, i),
        ...op.set(XS),
        ...op.get(ph),
        ...op.get(i),
        ...op.i32Shl1,
        ...op.i32Add,
        ...op.set(phAt),
        ...half(0),
        ...half(1),
        ...op.get(flags),
        ...op.v128AnyTrue,
        ...op.if([...op.get(i), ...op.return]),
        ...store(x, "x"),
        ...store(a, "a"),
        ...store(xs, "x"),
        ...op.get(phAt),
        ...op.get(out[0]!.ph),
        ...op.storeAt(0),
        ...op.get(phAt),
        ...op.get(out[1]!.ph),
        ...op.storeAt(16),
      ]),
      ...op.get(bytes),
    ],
  };
})();

// fastExp's table T at the start of every arena's memory (the kernels build its powers of two).
const TABLE_BYTES = Math.ceil((T.length * 8) / 16) * 16;

const PAGE = 65536;
let compiled: WebAssembly.Module | undefined;

// The two (leaky) ReLU kernels' signature (reluRelax ignores mu and returns 0).
type ReluKernel = (
  x: number,
  a: number,
  eps: number,
  back: number,
  mu: number,
  bytes: number,
  step: number,
  s: number,
  k: number,
) => number;

interface Kernels {
  gradientStepRates(
    s: number,
    a: number,
    c: number,
    out: number,
    bytes: number,
    eta: number,
    hi: number,
  ): void;
  gradientStepRatesLateral(
    s: number,
    a: number,
    c: number,
    d: number,
    out: number,
    bytes: number,
    eta: number,
    hi: number,
  ): void;
  linearRates(
    x0: number,
    x1: number,
    x2: number,
    x3: number,
    x4: number,
    un: number,
    rn: number,
    bytes: number,
    c0: number,
    c1: number,
    c2: number,
    c3: number,
    c4: number,
    hi: number,
  ): void;
  reluRelaxError: ReluKernel;
  reluRelax: ReluKernel;
  sigmoidRelax(
    x: number,
    a: number,
    eps: number,
    back: number,
    xs: number,
    ph: number,
    bytes: number,
    step: number,
    t: number,
  ): number;
}

/**
 * A fixed-size block of WebAssembly memory handing out float32 buffers, and the SIMD kernels that
 * work on them (see the module description).
 *
 * @example A gradient step with rates clamped to [0, 1]
 * ```ts
 * import { SimdArena } from "@plasticity/core";
 * const arena = new SimdArena(16);
 * const s = arena.alloc(3), a = arena.alloc(3), c = arena.alloc(3), out = arena.alloc(3);
 * s.set([0.5, 0.5, 0.5]);
 * a.set([1, -2, 0.25]);
 * arena.gradientStepRates(s, a, c, out, 0.5, 1);
 * console.assert(out[0] === 0.75 && out[1] === 0 && out[2] === 0.375);
 * ```
 */
export class SimdArena {
  /**
   * The most float32 values one arena holds: 2²⁸ (1 GiB), well inside WebAssembly's 4 GiB; callers
   * with more state keep it on the heap (and their JavaScript loops).
   */
  static readonly MAX_FLOATS: number = 2 ** 28;
  /** The memory every buffer of this arena lives in. */
  readonly memory: WebAssembly.Memory;
  readonly #k: Kernels;
  #used = 0;

  /**
   * An arena of a fixed size, with its own instance of the kernels.
   *
   * @param floats How many float32 values the arena holds (buffers start on 16-byte boundaries,
   *   so a buffer of n values takes n rounded up to a multiple of 4).
   */
  constructor(floats: number) {
    if (!Number.isInteger(floats) || floats < 0 || floats > SimdArena.MAX_FLOATS) {
      throw new Error(
        `SimdArena size ${
          JSON.stringify(floats)
        } is not valid: expected a count of floats from 0 to ${SimdArena.MAX_FLOATS}`,
      );
    }
    const pages = Math.max(1, Math.ceil((TABLE_BYTES + floats * 4) / PAGE));
    try {
      this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    } catch (e) {
      throw new Error(
        `Cannot reserve a SimdArena of ${floats} floats (${pages} WebAssembly pages): ${
          (e as Error).message
        }`,
      );
    }
    new Float64Array(this.memory.buffer, 0, T.length).set(T);
    this.#used = TABLE_BYTES / 4;
    compiled ??= new WebAssembly.Module(
      encodeModule(
        [GRADIENT_STEP, GRADIENT_STEP_LATERAL, LINEAR, RELU_RELAX_ERROR, RELU_RELAX, SIGMOID_RELAX],
        1,
      ),
    );
    const instance = new WebAssembly.Instance(compiled, { env: { memory: this.memory } });
    this.#k = instance.exports as unknown as Kernels;
  }

  /**
   * An arena holding one buffer of `rows × width` values for each width (each rounded up to 4
   * values), as a relaxation's workspace for one batch; a batch too large for any arena is refused
   * with one line naming its rows.
   *
   * @param rows The batch's rows.
   * @param widths The width of every buffer to come.
   * @returns The arena.
   *
   * @example
   * ```ts
   * import { SimdArena } from "@plasticity/core";
   * const arena = SimdArena.forRows(20, [500, 500, 10]);
   * console.assert(arena.alloc(20 * 500).length === 10000 && arena.free >= 200);
   * ```
   */
  static forRows(rows: number, widths: readonly number[]): SimdArena {
    const floats = widths.reduce((acc, w) => acc + Math.ceil((rows * w) / 4) * 4, 0);
    if (floats > SimdArena.MAX_FLOATS) {
      throw new Error(
        `A batch of ${rows} rows needs ${floats} floats of relaxation buffers: expected at most ${SimdArena.MAX_FLOATS} (a smaller batch_size or metrics.test_batch_size)`,
      );
    }
    return new SimdArena(floats);
  }

  /** Float32 values still free. */
  get free(): number {
    return this.memory.buffer.byteLength / 4 - this.#used;
  }

  /**
   * A zeroed buffer of n values in this arena's memory.
   *
   * @param n Its length.
   * @returns The buffer.
   */
  alloc(n: number): Float32Array {
    const need = Math.ceil(n / 4) * 4;
    if (!Number.isInteger(n) || n < 0 || need > this.free) {
      throw new Error(
        `Cannot allocate ${
          JSON.stringify(n)
        } floats in a SimdArena with ${this.free} free: expected a count ≤ the free space`,
      );
    }
    const out = new Float32Array(this.memory.buffer, this.#used * 4, n);
    this.#used += need;
    return out;
  }

  /**
   * A zeroed float64 buffer of n values in this arena's memory (it takes 2n float32 places).
   *
   * @param n Its length.
   * @returns The buffer.
   */
  allocF64(n: number): Float64Array {
    const f = this.alloc(2 * n);
    return new Float64Array(f.buffer, f.byteOffset, n);
  }

  /**
   * Whether every buffer lies in this arena's memory (so the kernels can take them).
   *
   * @param buffers The buffers.
   * @returns True when all do.
   */
  owns(...buffers: Float32Array[]): boolean {
    return buffers.every((a) => a.buffer === this.memory.buffer);
  }

  #offset(what: string, a: Float32Array, n: number): number {
    if (a.buffer !== this.memory.buffer) {
      throw new Error(`Buffer ${what} is not in this SimdArena: expected a buffer from its alloc`);
    }
    if (a.length !== n) {
      throw new Error(`Buffer ${what} has ${a.length} values: expected ${n}, as the output has`);
    }
    return a.byteOffset;
  }

  /**
   * A gradient step of the state s against the energy ½‖s − a − c‖² (with a lateral term d,
   * gradient s − a − c + d), and its rate clamped to [0, hi]:
   *
   *   out_j = min(max(f32(−η·g_j + s_j), 0), hi),   g_j = f32(f32(s_j − a_j) − c_j) [then f32(g_j + d_j)]
   *
   * where f32 rounds to float32 and the product and sum are taken in float64 (JavaScript's
   * `Math.fround` of the same expression). With hi = 1 the rate is the hard sigmoid, with
   * hi = ∞ the ReLU; NaN stays NaN. `out` may be `s`, `a`, `c` or `d`, or disjoint from them.
   *
   * @param s The state.
   * @param a The first drive (subtracted from s).
   * @param c The second drive (subtracted next).
   * @param out The new rates.
   * @param eta The step size η.
   * @param hi The upper bound of the rate (1 or `Infinity`).
   * @param d The lateral term (added last), if any.
   *
   * @example The ReLU of one step
   * ```ts
   * import { SimdArena } from "@plasticity/core";
   * const arena = new SimdArena(8);
   * const s = arena.alloc(1), a = arena.alloc(1), c = arena.alloc(1);
   * s[0] = 2; a[0] = 4;
   * arena.gradientStepRates(s, a, c, s, 0.25, Infinity);
   * console.assert(s[0] === 2.5);
   * ```
   */
  gradientStepRates(
    s: Float32Array,
    a: Float32Array,
    c: Float32Array,
    out: Float32Array,
    eta: number,
    hi: number,
    d?: Float32Array,
  ): void {
    const n = out.length, n4 = n - (n % 4);
    const so = this.#offset("s", s, n), ao = this.#offset("a", a, n);
    const co = this.#offset("c", c, n), oo = this.#offset("out", out, n);
    if (d) {
      const dd = this.#offset("d", d, n);
      this.#k.gradientStepRatesLateral(so, ao, co, dd, oo, n4 * 4, eta, hi);
    } else this.#k.gradientStepRates(so, ao, co, oo, n4 * 4, eta, hi);
    const f = Math.fround;
    for (let j = n4; j < n; j++) {
      const sj = s[j]!;
      let g = f(f(sj - a[j]!) - c[j]!);
      if (d) g = f(g + d[j]!);
      out[j] = Math.min(Math.max(f(-eta * g + sj), 0), hi);
    }
  }

  /**
   * A linear combination of five buffers and its rate clamped to [0, hi]:
   *
   *   un_j = f32(c₀·x0_j + c₁·x1_j + c₂·x2_j + c₃·x3_j + c₄·x4_j),   rn_j = min(max(un_j, 0), hi)
   *
   * summed left to right in float64 and rounded once to float32 (JavaScript's evaluation of the
   * same expression stored into a `Float32Array`). `un` and `rn` must be distinct; each may be
   * one of the inputs, or disjoint from them.
   *
   * @param x The five inputs.
   * @param c Their five coefficients.
   * @param un The combination.
   * @param rn Its rate.
   * @param hi The upper bound of the rate (1 or `Infinity`).
   *
   * @example A leaky step u ← 0.5u + 0.5d
   * ```ts
   * import { SimdArena } from "@plasticity/core";
   * const arena = new SimdArena(32);
   * const [u, d, z, un, rn] = [1, 2, 3, 4, 5].map(() => arena.alloc(2));
   * u!.set([1, -1]);
   * d!.set([3, -3]);
   * arena.linearRates([u!, d!, z!, z!, z!], [0.5, 0.5, 0, 0, 0], un!, rn!, 1);
   * console.assert(un![0] === 2 && un![1] === -2 && rn![0] === 1 && rn![1] === 0);
   * ```
   */
  linearRates(
    x: readonly [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array],
    c: readonly [number, number, number, number, number],
    un: Float32Array,
    rn: Float32Array,
    hi: number,
  ): void {
    const n = un.length, n4 = n - (n % 4);
    if (un === rn) throw new Error("Buffers un and rn are the same: expected two buffers");
    const [x0, x1, x2, x3, x4] = x, [c0, c1, c2, c3, c4] = c;
    this.#k.linearRates(
      this.#offset("x0", x0, n),
      this.#offset("x1", x1, n),
      this.#offset("x2", x2, n),
      this.#offset("x3", x3, n),
      this.#offset("x4", x4, n),
      this.#offset("un", un, n),
      this.#offset("rn", rn, n),
      n4 * 4,
      c0,
      c1,
      c2,
      c3,
      c4,
      hi,
    );
    for (let j = n4; j < n; j++) {
      const v = c0 * x0[j]! + c1 * x1[j]! + c2 * x2[j]! + c3 * x3[j]! + c4 * x4[j]!;
      un[j] = v;
      rn[j] = Math.min(Math.max(un[j]!, 0), hi);
    }
  }

  /**
   * One inference step of value nodes x with a (leaky) ReLU φ, their rates and new errors
   * against the prediction μ, as predictive coding's relaxation takes them:
   *
   *   x_j ← f32(x_j − γ(ε_j − φ′(x_j)·back_j)),   a_j ← f32(x_j·φ′(x_j)),   ε_j ← f32(x_j − μ_j)
   *
   * with φ′(v) = s + k·[v > 0] (ReLU: s = 0, k = 1; leaky ReLU: s = slope, k = 1 − slope), each
   * right-hand side in float64 from the float32 inputs. Returns Σ(x_j − μ_j)² summed in float64 in
   * index order over the unrounded differences (the JavaScript loop's sum, bit for bit).
   *
   * @param x The value nodes (updated).
   * @param a Their rates (written).
   * @param eps The errors (read, then overwritten with the new errors).
   * @param back The error fed back from the layer above.
   * @param mu The prediction.
   * @param step The step γ.
   * @param slope The slope s of φ′ for negative inputs (0 for the ReLU).
   * @returns Σ(x − μ)².
   *
   * @example One step of a ReLU node with no error
   * ```ts
   * import { SimdArena } from "@plasticity/core";
   * const arena = new SimdArena(32);
   * const [x, a, eps, back, mu] = [0, 1, 2, 3, 4].map(() => arena.alloc(1));
   * x![0] = 1; back![0] = 2; mu![0] = 1;
   * const sum = arena.reluRelaxError(x!, a!, eps!, back!, mu!, 0.25, 0);
   * console.assert(x![0] === 1.5 && a![0] === 1.5 && eps![0] === 0.5 && sum === 0.25);
   * ```
   */
  reluRelaxError(
    x: Float32Array,
    a: Float32Array,
    eps: Float32Array,
    back: Float32Array,
    mu: Float32Array,
    step: number,
    slope: number,
  ): number {
    const n = x.length, n4 = n - (n % 4), s = slope, k = 1 - slope;
    let sum = this.#k.reluRelaxError(
      this.#offset("x", x, n),
      this.#offset("a", a, n),
      this.#offset("eps", eps, n),
      this.#offset("back", back, n),
      this.#offset("mu", mu, n),
      n4 * 4,
      step,
      s,
      k,
    );
    for (let i = n4; i < n; i++) {
      const v = x[i]!;
      const nv = Math.fround(v - step * (eps[i]! - (s + k * +(v > 0)) * back[i]!));
      x[i] = nv;
      a[i] = nv * (s + k * +(nv > 0));
      const e = (eps[i] = nv - mu[i]!);
      sum += e * e;
    }
    return sum;
  }

  /**
   * {@linkcode SimdArena.reluRelaxError} without the error: the (leaky) ReLU step of x and its
   * rates only (`eps` is read, not written).
   *
   * @param x The value nodes (updated).
   * @param a Their rates (written).
   * @param eps The errors.
   * @param back The error fed back from the layer above.
   * @param step The step γ.
   * @param slope The slope of φ′ for negative inputs (0 for the ReLU).
   *
   * @example A leaky-ReLU node below zero
   * ```ts
   * import { SimdArena } from "@plasticity/core";
   * const arena = new SimdArena(32);
   * const [x, a, eps, back] = [0, 1, 2, 3].map(() => arena.alloc(1));
   * x![0] = -1; eps![0] = 1;
   * arena.reluRelax(x!, a!, eps!, back!, 0.5, 0.25);
   * console.assert(x![0] === -1.5 && a![0] === -0.375);
   * ```
   */
  reluRelax(
    x: Float32Array,
    a: Float32Array,
    eps: Float32Array,
    back: Float32Array,
    step: number,
    slope: number,
  ): void {
    const n = x.length, n4 = n - (n % 4), s = slope, k = 1 - slope;
    const xo = this.#offset("x", x, n);
    this.#k.reluRelax(
      xo,
      this.#offset("a", a, n),
      this.#offset("eps", eps, n),
      this.#offset("back", back, n),
      xo,
      n4 * 4,
      step,
      s,
      k,
    );
    for (let i = n4; i < n; i++) {
      const v = x[i]!;
      const nv = Math.fround(v - step * (eps[i]! - (s + k * +(v > 0)) * back[i]!));
      x[i] = nv;
      a[i] = nv * (s + k * +(nv > 0));
    }
  }

  /**
   * One inference step of value nodes x with the logistic σ(v) = 1/(1 + fastExp(−v)), and their
   * rates:
   *
   *   x_j ← f32(x_j − γ(ε_j − σ(x_j)(1 − σ(x_j))·back_j)),   a_j ← f32(σ(x_j))
   *
   * each right-hand side in float64 from the float32 inputs, σ exactly as core's `fastExp` gives
   * it (its 2^{j/64} table, its powers of two built from their bits, its polynomial and operation
   * order, in 128-bit SIMD two values at a time); a block with an exponent outside fastExp's
   * range (NaN included) is finished in JavaScript. `memo` remembers σ in float64 of the values x
   * was last given here (`memo.x`, start it at NaN), so a step computes one σ per value instead of
   * two; it changes no result.
   *
   * @param x The value nodes (updated).
   * @param a Their rates (written).
   * @param eps The errors.
   * @param back The error fed back from the layer above.
   * @param step The step γ.
   * @param memo The remembered values and their σ, of x's length ({@linkcode SimdArena.allocF64}
   *   for `phi`).
   *
   * @example A node with no error and no feedback keeps its value
   * ```ts
   * import { SimdArena } from "@plasticity/core";
   * const arena = new SimdArena(32);
   * const [x, a, eps, back] = [0, 1, 2, 3].map(() => arena.alloc(1));
   * const memo = { x: arena.alloc(1).fill(NaN), phi: arena.allocF64(1) };
   * arena.sigmoidRelax(x!, a!, eps!, back!, 0.1, memo);
   * console.assert(x![0] === 0 && a![0] === 0.5 && memo.phi[0] === 0.5);
   * ```
   */
  sigmoidRelax(
    x: Float32Array,
    a: Float32Array,
    eps: Float32Array,
    back: Float32Array,
    step: number,
    memo: { x: Float32Array; phi: Float64Array },
  ): void {
    const n = x.length, n4 = n - (n % 4), xs = memo.x, ph = memo.phi;
    if (ph.buffer !== this.memory.buffer || ph.length !== n) {
      throw new Error(
        `Buffer memo.phi is not a float64 buffer of ${n} values in this SimdArena: expected one from its allocF64`,
      );
    }
    const done = this.#k.sigmoidRelax(
      this.#offset("x", x, n),
      this.#offset("a", a, n),
      this.#offset("eps", eps, n),
      this.#offset("back", back, n),
      this.#offset("memo.x", xs, n),
      ph.byteOffset,
      n4 * 4,
      step,
      0,
    ) / 4;
    for (let i = done; i < n; i++) {
      const v = x[i]!;
      const s = xs[i] === v ? ph[i]! : 1 / (1 + fastExp(-v));
      const nv = Math.fround(v - step * (eps[i]! - s * (1 - s) * back[i]!));
      const sn = 1 / (1 + fastExp(-nv));
      x[i] = nv;
      a[i] = sn;
      xs[i] = nv;
      ph[i] = sn;
    }
  }
}
