/**
 * The `blas` backend: the `js` backend with matrix products done by OpenBLAS `cblas_sgemm`
 * through Deno FFI (`--allow-ffi`), single-threaded.
 *
 * The library is `libopenblas.so.0` (Debian package `libopenblas0`) or Homebrew's
 * `libopenblas.dylib`, or the files the caller names (the runner passes `PLASTICITY_BLAS_LIB`).
 *
 * @module
 */
import { JsBackend } from "./js_backend.ts";
import type { GemmShape, Tensor } from "./tensor.ts";
import { checkGemmBuffers, checkMatmul, checkSame } from "./_check.ts";
import { columnBlock, SMALL_KERNEL_CORES } from "./_gemm_blocks.ts";

const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
/** Elements from which axpy goes through BLAS. */
const AXPY_MIN = 4096;

const SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "f32",
      "buffer",
      "i32",
    ],
    result: "void",
  },
  cblas_sgemv: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "f32",
      "buffer",
      "i32",
    ],
    result: "void",
  },
  cblas_saxpy: { parameters: ["i32", "f32", "buffer", "i32", "buffer", "i32"], result: "void" },
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
  openblas_get_corename: { parameters: [], result: "pointer" },
} as const;

/** A CBLAS routine: integers, floats and Float32Array buffers in, nothing out. */
type BlasCall = (...args: (number | Float32Array)[]) => void;

/** The opened library: the part of `Deno.DynamicLibrary<typeof SYMBOLS>` used here. */
interface BlasLib {
  readonly symbols:
    & { readonly [K in Exclude<keyof typeof SYMBOLS, "openblas_get_corename">]: BlasCall }
    & { readonly openblas_get_corename: () => unknown };
  close(): void;
}

/**
 * The name of the kernel family OpenBLAS chose for this CPU (`openblas_get_corename`, e.g.
 * `Haswell`, `Zen`, `SkylakeX`, `Cooperlake`), or `unknown`.
 */
function coreName(lib: BlasLib): string {
  const ptr = lib.symbols.openblas_get_corename();
  const view = (globalThis as {
    Deno?: { UnsafePointerView?: { getCString(p: unknown): string } };
  }).Deno?.UnsafePointerView;
  return ptr && view ? view.getCString(ptr) : "unknown";
}

/**
 * `Deno.dlopen` of OpenBLAS, reached through `globalThis` so that the module also type-checks and
 * loads where there is no FFI (a browser), where it throws one line.
 */
function dlopen(path: string): BlasLib {
  const deno = (globalThis as {
    Deno?: { dlopen?(path: string, symbols: typeof SYMBOLS): unknown };
  }).Deno;
  if (typeof deno?.dlopen !== "function") {
    throw new Error("no foreign function interface here (Deno.dlopen)");
  }
  return deno.dlopen(path, SYMBOLS) as BlasLib;
}

/** Library file names tried in order when the caller names none. */
export const BLAS_CANDIDATES: readonly string[] = [
  "libopenblas.so.0",
  "libopenblas.so",
  "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
  "/usr/local/opt/openblas/lib/libopenblas.dylib",
];

/**
 * One 64×256 · 256×784 product of zeros (26 MFLOP, about 2 ms), made once when the library is
 * opened.
 *
 * Measured on a 2-vCPU x86-64 VM (Debian OpenBLAS 0.3.21, Zen kernels, one thread): a
 * fresh process multiplies 64×784 by 784×256 at about 12 GFLOPS, and keeps doing so for as long as
 * every product it makes has at most 256 output columns (an MLP's forward and weight-gradient
 * products); once it has made one product with 784 or more output columns, the same product runs
 * at about 35 GFLOPS for the rest of the process. A debugger shows OpenBLAS making identical kernel
 * calls on identical packing buffers in both states, so the cause lies below OpenBLAS and is not
 * understood. This call puts the process in the fast state from the start; `tools/bp_vs_torch.ts`
 * measures its effect on a whole training epoch.
 */
function warmUp(lib: BlasLib): void {
  const a = new Float32Array(64 * 256), b = new Float32Array(256 * 784);
  const c = new Float32Array(64 * 784);
  lib.symbols.cblas_sgemm(
    ROW_MAJOR,
    NO_TRANS,
    NO_TRANS,
    64,
    784,
    256,
    1,
    a,
    256,
    b,
    784,
    0,
    c,
    784,
  );
}

/**
 * Opens OpenBLAS and sets it to one thread. Throws one line saying why when it cannot.
 *
 * @param paths Files to try, in order.
 * @returns The opened library.
 */
function openBlas(paths: readonly string[]): BlasLib {
  const reasons: string[] = [];
  for (const p of paths) {
    try {
      const lib = dlopen(p);
      lib.symbols.openblas_set_num_threads(1);
      warmUp(lib);
      return lib;
    } catch (e) {
      reasons.push(`${p}: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`);
    }
  }
  throw new Error(`OpenBLAS could not be loaded (${reasons.join("; ")})`);
}

/** Options of {@linkcode createBlasBackend}. */
export interface BlasOptions {
  /**
   * Whether a product with few rows (4 ≤ m ≤ 48, no transposed operand) and more than 10⁶
   * multiply-adds is made as column blocks small enough for OpenBLAS's small-matrix kernel (the
   * widest multiple of 64 columns that fits, else 32), which reads its operands in place instead
   * of packing them. Default: true where that kernel exists (the AVX-512 cores
   * SkylakeX, Cooperlake and SapphireRapids), false elsewhere. Blocks change the order of no sum
   * over k, but the small kernel rounds its sums differently from the packed one (about one unit
   * in the last place), so the choice is fixed per machine: the same machine gives the same
   * numbers.
   */
  splitColumns?: boolean;
}

/**
 * The `blas` backend. Everything but matmul is inherited from the `js` backend.
 *
 * On the AVX-512 cores, products with few rows and many columns go to OpenBLAS as column blocks
 * (see {@linkcode BlasOptions.splitColumns}): measured on a Cooperlake core (OpenBLAS 0.3.21, one
 * thread, medians), 20 × 500 by 500 × 500 in blocks of 64 columns takes 0.73 of the time of one
 * call, 20 × 784 by 784 × 500 in blocks of 32 0.75, 8 × 500 by 500 × 500 in blocks of 192 0.52,
 * the im2col product 6 × 25 by 25 × 50 176 of a small convolution 0.43; at 64 rows and more blocks
 * are slower, so they are not used.
 *
 * @example
 * ```ts ignore
 * import { createBlasBackend } from "@plasticity/core";
 * const b = createBlasBackend();
 * const c = b.matmul(b.fromArray([1, 2], 1, 2), b.fromArray([3, 4], 2, 1));
 * console.assert(b.read(c)[0] === 11);
 * ```
 */
export class BlasBackend extends JsBackend {
  #lib: BlasLib;
  #split: boolean;
  /** OpenBLAS's kernel family on this CPU (`openblas_get_corename`). */
  readonly coreName: string;
  /**
   * Wraps an opened library.
   *
   * @param lib The library.
   * @param options Column blocks on or off (default: by {@linkcode coreName}).
   */
  constructor(lib: BlasLib, options: BlasOptions = {}) {
    super("blas");
    this.#lib = lib;
    this.coreName = coreName(lib);
    this.#split = options.splitColumns ?? SMALL_KERNEL_CORES.has(this.coreName);
  }

  /** Whether products with few rows go to BLAS as column blocks ({@linkcode BlasOptions}). */
  get splitColumns(): boolean {
    return this.#split;
  }

  /**
   * c ← α·op(a)·op(b) + β·c in one `cblas_sgemm` call, or in column blocks of op(b) and c when
   * {@linkcode splitColumns} and the shape call for them.
   */
  #sgemm(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
    alpha: number,
    beta: number,
  ): void {
    const lda = transA ? m : k, ldb = transB ? k : n;
    const ta = transA ? TRANS : NO_TRANS, tb = transB ? TRANS : NO_TRANS;
    const w = this.#split ? columnBlock(m, k, n, transA, transB) : 0;
    const sgemm = this.#lib.symbols.cblas_sgemm;
    if (w === 0) return sgemm(ROW_MAJOR, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, n);
    for (let j = 0; j < n; j += w) {
      const bj = b.subarray(transB ? j * k : j), cj = c.subarray(j);
      sgemm(ROW_MAJOR, ta, tb, m, Math.min(w, n - j), k, alpha, a, lda, bj, ldb, beta, cj, n);
    }
  }

  /** Matrix product through `cblas_sgemm` (row-major, transpose flags passed to BLAS). */
  override matmul(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
    const [m, k, n] = checkMatmul(a, b, transA, transB);
    const c = new Float32Array(m * n);
    if (m === 1 && !transA && n > 0 && k > 0) {
      // A row vector times a matrix: gemv on the matrix, transposed (about 2× faster than gemm here).
      this.#lib.symbols.cblas_sgemv(
        ROW_MAJOR,
        transB ? NO_TRANS : TRANS,
        b.rows,
        b.cols,
        1,
        this.data(b),
        b.cols,
        this.data(a),
        1,
        0,
        c,
        1,
      );
    } else if (m > 0 && n > 0 && k > 0) {
      this.#sgemm(this.data(a), this.data(b), c, m, k, n, transA, transB, 1, 0);
    }
    return this.wrap(c, m, n);
  }

  /**
   * c ← c + α·op(a)·op(b) through `cblas_sgemm` with β = 1 (transpose flags and α passed to
   * BLAS, no copies): the `raw.gemmInto` of this backend.
   *
   * @param a op(a)'s storage.
   * @param b op(b)'s storage.
   * @param c The accumulator, m × n, updated in place.
   * @param shape m, k, n and the transpose flags.
   */
  protected override gemmRaw(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    shape: GemmShape,
  ): void {
    const { m, k, n, transA = false, transB = false, alpha = 1 } = shape;
    checkGemmBuffers(a.length, b.length, c.length, m, k, n);
    if (m === 0 || n === 0 || k === 0) return;
    this.#sgemm(a, b, c, m, k, n, transA, transB, alpha, 1);
  }

  /** `raw.copiesTransposes` of this backend: false, BLAS reads transposed operands in place. */
  protected override get rawCopiesTransposes(): boolean {
    return false;
  }

  /**
   * α·x + y through `cblas_saxpy` on a copy of y for large tensors (α rounded to float32, as
   * BLAS takes it); small ones use the inherited loop, where the FFI call would cost more.
   */
  override axpy(alpha: number, x: Tensor, y: Tensor): Tensor {
    const n = x.rows * x.cols;
    if (n < AXPY_MIN) return super.axpy(alpha, x, y);
    checkSame("axpy", x, y);
    const out = this.data(y).slice();
    this.#lib.symbols.cblas_saxpy(n, alpha, this.data(x), 1, out, 1);
    return this.wrap(out, y.rows, y.cols);
  }

  /** y ← α·x + y in place, through `cblas_saxpy` for large tensors (as {@linkcode axpy}). */
  override axpyInPlace(alpha: number, x: Tensor, y: Tensor): void {
    const n = x.rows * x.cols;
    if (n < AXPY_MIN) return super.axpyInPlace(alpha, x, y);
    checkSame("axpyInPlace", x, y);
    this.#lib.symbols.cblas_saxpy(n, alpha, this.data(x), 1, this.data(y), 1);
  }

  /** Closes the library; the backend must not be used afterwards. */
  close(): void {
    this.#lib.close();
  }
}

/**
 * Opens OpenBLAS and makes a `blas` backend; throws a one-line error when the library is missing
 * or FFI is not allowed.
 *
 * @param paths Library files to try, in order (default {@linkcode BLAS_CANDIDATES}).
 * @param options Column blocks for products with few rows ({@linkcode BlasOptions}).
 * @returns The backend.
 *
 * @example
 * ```ts ignore
 * import { createBlasBackend } from "@plasticity/core";
 * console.assert(createBlasBackend().name === "blas");
 * ```
 */
export function createBlasBackend(
  paths: readonly string[] = BLAS_CANDIDATES,
  options: BlasOptions = {},
): BlasBackend {
  return new BlasBackend(openBlas(paths), options);
}
