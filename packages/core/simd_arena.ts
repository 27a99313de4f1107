/**
 * Float32 buffers in one WebAssembly memory, and element-wise kernels on them written with
 * 128-bit SIMD: the inner loops of the relaxations (CorInfoMax's voltage step, equilibrium
 * propagation's state step) run here about three to five times faster than the same loop in
 * JavaScript, with the same float32 and float64 roundings, so with the same values bit for bit.
 *
 * Buffers must come from {@linkcode SimdArena.alloc} of the arena whose kernel reads them (the
 * kernels address WebAssembly memory only); they are ordinary `Float32Array`s otherwise, so BLAS
 * products and JavaScript loops write into them too. The memory never grows, so the buffers stay
 * valid for the arena's lifetime.
 *
 * @module
 */
import { encodeModule, F32, F64, I32, op, V128 } from "./_wasm.ts";

// gradientStepRates(s, a, c, out, bytes, eta, hi)
const GRADIENT_STEP = (() => {
  const [s, a, c, out, bytes, eta, hi] = [0, 1, 2, 3, 4, 5, 6];
  const [i, negEta, hiV, zero, sj, g, lo] = [7, 8, 9, 10, 11, 12, 13];
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
    name: "gradientStepRates",
    params: [I32, I32, I32, I32, I32, F64, F32],
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
})();

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

const PAGE = 65536;
let compiled: WebAssembly.Module | undefined;

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
    if (!Number.isInteger(floats) || floats < 0) {
      throw new Error(
        `SimdArena size ${JSON.stringify(floats)} is not valid: expected a count of floats ≥ 0`,
      );
    }
    const pages = Math.max(1, Math.ceil((floats * 4) / PAGE));
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    compiled ??= new WebAssembly.Module(encodeModule([GRADIENT_STEP, LINEAR], 1));
    const instance = new WebAssembly.Instance(compiled, { env: { memory: this.memory } });
    this.#k = instance.exports as unknown as Kernels;
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
   * A gradient step of the state s against the energy ½‖s − a − c‖², and its rate clamped to
   * [0, hi]:
   *
   *   out_j = min(max(f32(−η·f32(f32(s_j − a_j) − c_j) + s_j), 0), hi)
   *
   * where f32 rounds to float32 and the product and sum are taken in float64 (JavaScript's
   * `Math.fround` of the same expression). With hi = 1 the rate is the hard sigmoid, with
   * hi = ∞ the ReLU; NaN stays NaN. `out` may be `s`, `a` or `c`, or disjoint from them.
   *
   * @param s The state.
   * @param a The first drive (subtracted from s).
   * @param c The second drive (subtracted next).
   * @param out The new rates.
   * @param eta The step size η.
   * @param hi The upper bound of the rate (1 or `Infinity`).
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
  ): void {
    const n = out.length, n4 = n - (n % 4);
    this.#k.gradientStepRates(
      this.#offset("s", s, n),
      this.#offset("a", a, n),
      this.#offset("c", c, n),
      this.#offset("out", out, n),
      n4 * 4,
      eta,
      hi,
    );
    const f = Math.fround;
    for (let j = n4; j < n; j++) {
      const sj = s[j]!;
      out[j] = Math.min(Math.max(f(-eta * f(f(sj - a[j]!) - c[j]!) + sj), 0), hi);
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
}
