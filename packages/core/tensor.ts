/**
 * The small tensor interface every rule is written against: an opaque 2-D float tensor and a
 * {@linkcode Backend} with exactly the operations the rules need.
 *
 * Tensors are immutable values: every operation returns a new tensor. On backends that manage
 * memory (TF.js) wrap work in {@linkcode Backend.tidy}; elsewhere it is a plain call.
 *
 * @module
 */
import type { Conv2dGeometry, Pool2dGeometry } from "./image_shape.ts";

/** Names of the activation functions every backend implements, with their derivatives. */
export const ACTIVATIONS = [
  "identity",
  "sigmoid",
  "tanh",
  "relu",
  "leakyRelu",
  "hardSigmoid",
] as const;

/**
 * An activation function name: `identity`, `sigmoid`, `tanh`, `relu`, `leakyRelu`
 * (negative slope 0.01 unless given) or `hardSigmoid` = clamp(x, 0, 1).
 */
export type Activation = typeof ACTIVATIONS[number];

/**
 * An opaque 2-D float32 tensor of shape `rows × cols`, owned by the backend that made it.
 *
 * @example Shape of a tensor
 * ```ts
 * import { jsBackend } from "@plasticity/core";
 * const t = jsBackend.zeros(2, 3);
 * console.assert(t.rows === 2 && t.cols === 3);
 * ```
 */
export interface Tensor {
  /** Number of rows (the batch dimension for activations). */
  readonly rows: number;
  /** Number of columns (units for activations). */
  readonly cols: number;
  /** Name of the backend that owns the tensor. */
  readonly backend: string;
}

/** Axis of a reduction: `0` reduces over rows (gives 1 × cols), `1` over columns (rows × 1). */
export type Axis = 0 | 1;

/**
 * A compute backend. Every rule uses only these operations, so a rule runs unchanged on every
 * backend. All results are new tensors; inputs are never modified.
 *
 * @example Forward pass of one dense layer
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * const x = b.fromArray([1, 2], 1, 2);
 * const w = b.fromArray([1, 0, 0, 1], 2, 2);
 * const y = b.activate(b.matmul(x, w), "relu");
 * console.assert(b.read(y)[1] === 2);
 * ```
 */
export interface Backend {
  /** Name used in configs and results, e.g. `js`, `blas`, `tfjs-wasm`. */
  readonly name: string;

  /** A tensor of zeros. */
  zeros(rows: number, cols: number): Tensor;
  /** A tensor with every element equal to `value`. */
  fill(rows: number, cols: number, value: number): Tensor;
  /** A tensor from row-major data of length `rows * cols`; non-finite values are refused. */
  fromArray(data: ArrayLike<number>, rows: number, cols: number): Tensor;
  /** A tensor whose elements are drawn in row-major order from `sample` (a seeded generator). */
  random(rows: number, cols: number, sample: () => number): Tensor;
  /** The tensor's elements, row-major, as a fresh `Float32Array`. */
  read(t: Tensor): Float32Array;

  /** Matrix product `op(a) @ op(b)`, where `op` transposes when the flag is set. */
  matmul(a: Tensor, b: Tensor, transA?: boolean, transB?: boolean): Tensor;
  /** Elementwise `a + b` (same shapes). */
  add(a: Tensor, b: Tensor): Tensor;
  /** Elementwise `a - b` (same shapes). */
  sub(a: Tensor, b: Tensor): Tensor;
  /** Elementwise `a * b` (same shapes). */
  mul(a: Tensor, b: Tensor): Tensor;
  /** Elementwise `a / b` (same shapes). */
  div(a: Tensor, b: Tensor): Tensor;
  /** `s * a`. */
  scale(a: Tensor, s: number): Tensor;
  /** `a + s` elementwise. */
  addScalar(a: Tensor, s: number): Tensor;
  /** `alpha * x + y` (same shapes). */
  axpy(alpha: number, x: Tensor, y: Tensor): Tensor;
  /**
   * y ← `alpha * x + y`, overwriting y (same shapes), with the same arithmetic as
   * {@linkcode Backend.axpy}. Only backends with mutable tensors (`js`, `blas`) have it; callers
   * use it for tensors they alone hold, such as a learner's own parameters, and fall back to
   * `axpy` where it is absent. Saves allocating and copying y (about 150 µs for a 784 × 256
   * matrix on a 2-vCPU x86-64 machine).
   */
  axpyInPlace?(alpha: number, x: Tensor, y: Tensor): void;
  /**
   * Direct access to the tensors' storage, for rules that fuse several elementwise steps into one
   * pass over preallocated buffers (see {@linkcode RawKernels}). Only backends whose tensors are
   * plain row-major `Float32Array`s (`js`, `blas`) have it; elsewhere (TF.js) it is absent and
   * callers use the operations above.
   */
  readonly raw?: RawKernels;
  /**
   * Convolution and pooling kernels of the backend's own, for backends without
   * {@linkcode Backend.raw} that can run them natively (`webgpu`). Core's `conv2d`, `maxPool2d`,
   * … check their arguments and then call these where present, else work on the raw buffers.
   */
  readonly images?: ImageKernels;
  /** `a + row`, where `row` (1 × cols) is broadcast over the rows of `a`. */
  addRow(a: Tensor, row: Tensor): Tensor;
  /** `a * row`, where `row` (1 × cols) is broadcast over the rows of `a`. */
  mulRow(a: Tensor, row: Tensor): Tensor;
  /** Elementwise square root. */
  sqrt(a: Tensor): Tensor;
  /** Elementwise `min(max(a, lo), hi)`. */
  clamp(a: Tensor, lo: number, hi: number): Tensor;
  /** Sum over rows (`axis` 0, gives 1 × cols) or over columns (`axis` 1, gives rows × 1). */
  sum(a: Tensor, axis: Axis): Tensor;
  /** Mean over rows (`axis` 0) or over columns (`axis` 1). */
  mean(a: Tensor, axis: Axis): Tensor;
  /** Sum of all elements, as a number. */
  sumAll(a: Tensor): number;
  /** Sum of the squares of all elements, as a number. */
  sumSquares(a: Tensor): number;
  /** The transpose. */
  transpose(a: Tensor): Tensor;

  /** Activation `f(x)` elementwise; `slope` is the negative slope of `leakyRelu` (default 0.01). */
  activate(x: Tensor, f: Activation, slope?: number): Tensor;
  /** Derivative `f'(x)` elementwise, at pre-activation `x`. */
  activateGrad(x: Tensor, f: Activation, slope?: number): Tensor;
  /** Row-wise softmax. */
  softmax(a: Tensor): Tensor;

  /** Runs `fn` and frees every tensor it made except those it returns (TF.js `tidy`). */
  tidy<T>(fn: () => T): T;
  /** Keeps `t` alive past the enclosing {@linkcode Backend.tidy}. */
  keep<T extends Tensor>(t: T): T;
  /** Frees tensors now (a no-op on garbage-collected backends). */
  dispose(...ts: Tensor[]): void;
  /**
   * The number of tensors alive now, on backends that manage memory (TF.js, WebGPU); absent on
   * garbage-collected ones. Leak checks compare it before and after a step.
   */
  liveTensors?(): number;
}

/**
 * The shape of a product op(a)·op(b) for {@linkcode RawKernels.gemmInto}: op(a) is m × k, op(b)
 * k × n; `transA` / `transB` say that a / b is stored transposed (as {@linkcode Backend.matmul}'s
 * flags).
 */
export interface GemmShape {
  /** Rows of op(a) and of the product. */
  readonly m: number;
  /** Columns of op(a), rows of op(b). */
  readonly k: number;
  /** Columns of op(b) and of the product. */
  readonly n: number;
  /** a is stored k × m (default false). */
  readonly transA?: boolean;
  /** b is stored n × k (default false). */
  readonly transB?: boolean;
  /** The factor α of c ← c + α·op(a)·op(b) (default 1). */
  readonly alpha?: number;
}

/**
 * The optional raw-buffer capability of a {@linkcode Backend} ({@linkcode Backend.raw}): a
 * tensor's elements as a row-major `Float32Array` shared with the tensor, tensors made over such
 * buffers without copying, and a matrix product accumulated into a caller's buffer. Rules use it
 * for fused kernels that write into buffers they keep from step to step; the results must equal
 * what the backend's own operations give.
 *
 * Tensors are otherwise immutable values: write only into the storage of tensors the caller alone
 * holds (ones it made with {@linkcode RawKernels.wrap} or received fresh from the backend).
 *
 * @example Fused a ← a + 2b on the js backend
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * const raw = b.raw;
 * const a = raw.wrap(new Float32Array([1, 2]), 1, 2), x = b.fromArray([3, 4], 1, 2);
 * const ad = raw.data(a), xd = raw.data(x);
 * for (let i = 0; i < ad.length; i++) ad[i]! += 2 * xd[i]!;
 * console.assert(b.read(a)[1] === 10);
 * ```
 */
export interface RawKernels {
  /**
   * The tensor's elements, row-major, `rows × cols` long: its storage, not a copy (writes change
   * the tensor). Throws for a tensor of another backend.
   */
  data(t: Tensor): Float32Array;
  /**
   * A tensor of this backend over `data` (row-major, exactly `rows × cols` long), not copied.
   * Values are not checked for finiteness.
   */
  wrap(data: Float32Array, rows: number, cols: number): Tensor;
  /**
   * c ← c + α·op(a)·op(b) on row-major storage, where op transposes when the flag of `shape` is
   * set: op(a) is m × k (a stored k × m with `transA`), op(b) is k × n (b stored n × k with
   * `transB`), c is m × n, α is `shape.alpha` (default 1). With α = 1 and a zero c it gives
   * {@linkcode Backend.matmul}'s result with the same flags (bit for bit on `js`; on `blas` up to
   * float32 rounding, as matmul may take another BLAS routine); with another α the product is
   * scaled before it is added (`js`: a scaled float32 copy of a; `blas`: sgemm's α), so up to
   * float32 rounding. Throws when a buffer is shorter than its operand.
   */
  gemmInto(a: Float32Array, b: Float32Array, c: Float32Array, shape: GemmShape): void;
  /**
   * True when {@linkcode RawKernels.gemmInto} copies a transposed operand before multiplying
   * (`js`), false when it reads it in place (BLAS). A caller multiplying by the transpose of the
   * same matrix many times does better, when true, to keep a transposed copy and pass it
   * untransposed; the values are the same either way.
   */
  readonly copiesTransposes: boolean;
}

/**
 * Throws unless `value` is one of {@linkcode ACTIVATIONS}.
 *
 * @param value The candidate name.
 * @param where What is being configured, for the message.
 * @returns The value, typed.
 *
 * @example
 * ```ts
 * import { parseActivation } from "@plasticity/core";
 * console.assert(parseActivation("relu") === "relu");
 * ```
 */
export function parseActivation(value: unknown, where = "activation"): Activation {
  if (typeof value === "string" && (ACTIVATIONS as readonly string[]).includes(value)) {
    return value as Activation;
  }
  throw new Error(
    `Unknown ${where} ${JSON.stringify(value)}: expected one of ${ACTIVATIONS.join(", ")}`,
  );
}

/**
 * Describes a shape as `rows×cols`, for error messages.
 *
 * @param t A tensor.
 * @returns The shape as text.
 *
 * @example
 * ```ts
 * import { jsBackend, shapeOf } from "@plasticity/core";
 * console.assert(shapeOf(jsBackend.zeros(2, 3)) === "2×3");
 * ```
 */
export function shapeOf(t: Tensor): string {
  return `${t.rows}×${t.cols}`;
}

/**
 * A backend's own convolution and pooling kernels ({@linkcode Backend.images}), with the meaning
 * of core's functions of the same names (`conv2d.ts`, `pool2d.ts`: images are rows of
 * `batch × (c·h·w)` tensors, weights `out × (c·k·k)`). Arguments arrive checked; results must
 * equal the `js` reference's within float32 rounding (max pooling takes the first maximum of a
 * window, as PyTorch does).
 */
export interface ImageKernels {
  /** y = W ⊛ x + b. */
  conv2d(x: Tensor, w: Tensor, g: Conv2dGeometry, bias?: Tensor): Tensor;
  /** ∂ℒ/∂x of a convolution from ∂ℒ/∂y. */
  conv2dInputGrad(dy: Tensor, w: Tensor, g: Conv2dGeometry): Tensor;
  /** ∂ℒ/∂W of a convolution from its input and ∂ℒ/∂y. */
  conv2dWeightGrad(x: Tensor, dy: Tensor, g: Conv2dGeometry): Tensor;
  /** ∂ℒ/∂b of a convolution: ∂ℒ/∂y summed per output channel. */
  conv2dBiasGrad(dy: Tensor, g: Conv2dGeometry): Tensor;
  /** Max pooling. */
  maxPool2d(x: Tensor, g: Pool2dGeometry): Tensor;
  /** ∂ℒ/∂x of max pooling. */
  maxPool2dGrad(x: Tensor, dy: Tensor, g: Pool2dGeometry): Tensor;
  /** Average pooling. */
  avgPool2d(x: Tensor, g: Pool2dGeometry): Tensor;
  /** ∂ℒ/∂x of average pooling. */
  avgPool2dGrad(dy: Tensor, g: Pool2dGeometry): Tensor;
}
