/**
 * The `tfjs` backends: TensorFlow.js through npm specifiers — `tfjs-wasm` (SIMD, one thread; the
 * default), `tfjs-cpu`, `tfjs-webgpu`, and `tensorflow` when `@tensorflow/tfjs-node-gpu` or
 * `@tensorflow/tfjs-node` is installed. All are imported dynamically, so nothing requires them.
 * Importing `@plasticity/tfjs` registers them with core's `selectBackend`.
 *
 * Transposed products are written with an explicit transpose, because the matMul transpose flags
 * take a path about 15× slower on wasm.
 *
 * @module
 */
import type * as TF from "@tensorflow/tfjs-core";
import type { Activation, Axis, Backend, Tensor } from "@plasticity/core";
import {
  checkDims,
  checkFinite,
  checkLength,
  checkMatmul,
  checkOwner,
  checkRow,
  checkSame,
} from "@plasticity/core/backend-checks";

/** Which TF.js engine to load. */
export type TfjsFlavor = "wasm" | "cpu" | "webgpu" | "tensorflow";

class TfTensor implements Tensor {
  constructor(
    readonly t: TF.Tensor2D,
    readonly rows: number,
    readonly cols: number,
    readonly backend: string,
  ) {}
}

function collect(value: unknown, out: TF.Tensor[]): void {
  if (value instanceof TfTensor) out.push(value.t);
  else if (Array.isArray(value)) { for (const v of value) collect(v, out); }
  else if (value && typeof value === "object" && !ArrayBuffer.isView(value)) {
    for (const v of Object.values(value)) collect(v, out);
  }
}

/**
 * A backend over a loaded TF.js module.
 *
 * @example
 * ```ts ignore
 * import { loadTfjsBackend } from "@plasticity/tfjs";
 * const b = await loadTfjsBackend("wasm");
 * console.assert(b.name === "tfjs-wasm");
 * ```
 */
export class TfjsBackend implements Backend {
  /** Backend name, e.g. `tfjs-wasm`. */
  readonly name: string;
  #tf: typeof TF;
  #engine: string;

  /**
   * Wraps a TF.js module whose backend is already set.
   *
   * @param tf The `@tensorflow/tfjs-core` module.
   * @param name The backend name.
   */
  constructor(tf: typeof TF, name: string) {
    this.#tf = tf;
    this.name = name;
    this.#engine = tf.getBackend();
  }

  #wrap(t: TF.Tensor): Tensor {
    const [r, c] = t.shape as [number, number];
    return new TfTensor(t as TF.Tensor2D, r, c, this.name);
  }

  #t(x: Tensor): TF.Tensor2D {
    checkOwner(this.name, x);
    const active = this.#tf.getBackend();
    if (active !== this.#engine) {
      throw new Error(
        `Cannot use backend "${this.name}": TF.js now runs its "${active}" engine (one process uses one TF.js flavour)`,
      );
    }
    return (x as TfTensor).t;
  }

  zeros(rows: number, cols: number): Tensor {
    checkDims("make zeros", rows, cols);
    return this.#wrap(this.#tf.zeros([rows, cols]));
  }

  fill(rows: number, cols: number, value: number): Tensor {
    checkDims("fill", rows, cols);
    return this.#wrap(this.#tf.fill([rows, cols], value));
  }

  fromArray(data: ArrayLike<number>, rows: number, cols: number): Tensor {
    checkDims("make a tensor", rows, cols);
    checkLength(data.length, rows, cols);
    checkFinite("make a tensor", data);
    return this.#wrap(this.#tf.tensor2d(Float32Array.from(data), [rows, cols]));
  }

  random(rows: number, cols: number, sample: () => number): Tensor {
    checkDims("make a random tensor", rows, cols);
    const d = new Float32Array(rows * cols);
    for (let i = 0; i < d.length; i++) d[i] = sample();
    return this.#wrap(this.#tf.tensor2d(d, [rows, cols]));
  }

  read(t: Tensor): Float32Array {
    return Float32Array.from(this.#t(t).dataSync() as Float32Array);
  }

  matmul(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
    checkMatmul(a, b, transA, transB);
    const tf = this.#tf;
    return this.#wrap(tf.tidy(() => {
      const x = transA ? tf.transpose(this.#t(a)) : this.#t(a);
      const y = transB ? tf.transpose(this.#t(b)) : this.#t(b);
      return tf.matMul(x, y);
    }));
  }

  add(a: Tensor, b: Tensor): Tensor {
    checkSame("add", a, b);
    return this.#wrap(this.#tf.add(this.#t(a), this.#t(b)));
  }

  sub(a: Tensor, b: Tensor): Tensor {
    checkSame("subtract", a, b);
    return this.#wrap(this.#tf.sub(this.#t(a), this.#t(b)));
  }

  mul(a: Tensor, b: Tensor): Tensor {
    checkSame("multiply", a, b);
    return this.#wrap(this.#tf.mul(this.#t(a), this.#t(b)));
  }

  div(a: Tensor, b: Tensor): Tensor {
    checkSame("divide", a, b);
    return this.#wrap(this.#tf.div(this.#t(a), this.#t(b)));
  }

  scale(a: Tensor, s: number): Tensor {
    return this.#wrap(this.#tf.mul(this.#t(a), s));
  }

  addScalar(a: Tensor, s: number): Tensor {
    return this.#wrap(this.#tf.add(this.#t(a), s));
  }

  axpy(alpha: number, x: Tensor, y: Tensor): Tensor {
    checkSame("axpy", x, y);
    const tf = this.#tf;
    return this.#wrap(tf.tidy(() => tf.add(tf.mul(this.#t(x), alpha), this.#t(y))));
  }

  addRow(a: Tensor, row: Tensor): Tensor {
    checkRow("add", a, row);
    return this.#wrap(this.#tf.add(this.#t(a), this.#t(row)));
  }

  mulRow(a: Tensor, row: Tensor): Tensor {
    checkRow("multiply", a, row);
    return this.#wrap(this.#tf.mul(this.#t(a), this.#t(row)));
  }

  sqrt(a: Tensor): Tensor {
    return this.#wrap(this.#tf.sqrt(this.#t(a)));
  }

  clamp(a: Tensor, lo: number, hi: number): Tensor {
    return this.#wrap(this.#tf.clipByValue(this.#t(a), lo, hi));
  }

  sum(a: Tensor, axis: Axis): Tensor {
    return this.#wrap(this.#tf.sum(this.#t(a), axis, true));
  }

  mean(a: Tensor, axis: Axis): Tensor {
    return this.#wrap(this.#tf.mean(this.#t(a), axis, true));
  }

  sumAll(a: Tensor): number {
    const s = this.#tf.sum(this.#t(a));
    const v = s.dataSync()[0]!;
    s.dispose();
    return v;
  }

  sumSquares(a: Tensor): number {
    const tf = this.#tf;
    const s = tf.tidy(() => tf.sum(tf.square(this.#t(a))));
    const v = s.dataSync()[0]!;
    s.dispose();
    return v;
  }

  transpose(a: Tensor): Tensor {
    return this.#wrap(this.#tf.transpose(this.#t(a)));
  }

  activate(x: Tensor, f: Activation, slope = 0.01): Tensor {
    const tf = this.#tf, t = this.#t(x);
    switch (f) {
      case "identity":
        return x;
      case "sigmoid":
        return this.#wrap(tf.sigmoid(t));
      case "tanh":
        return this.#wrap(tf.tanh(t));
      case "relu":
        return this.#wrap(tf.relu(t));
      case "leakyRelu":
        return this.#wrap(tf.leakyRelu(t, slope));
      case "hardSigmoid":
        return this.#wrap(tf.clipByValue(t, 0, 1));
    }
    throw new Error(`Unknown activation ${JSON.stringify(f)}`);
  }

  activateGrad(x: Tensor, f: Activation, slope = 0.01): Tensor {
    const tf = this.#tf, t = this.#t(x);
    return this.#wrap(tf.tidy(() => {
      switch (f) {
        case "identity":
          return tf.onesLike(t);
        case "sigmoid": {
          const s = tf.sigmoid(t);
          return tf.mul(s, tf.sub(1, s));
        }
        case "tanh": {
          const th = tf.tanh(t);
          return tf.sub(1, tf.square(th));
        }
        case "relu":
          return tf.step(t, 0);
        case "leakyRelu":
          return tf.step(t, slope);
        case "hardSigmoid":
          return tf.cast(tf.logicalAnd(tf.greater(t, 0), tf.less(t, 1)), "float32");
      }
      throw new Error(`Unknown activation ${JSON.stringify(f)}`);
    }));
  }

  softmax(a: Tensor): Tensor {
    return this.#wrap(this.#tf.softmax(this.#t(a)));
  }

  tidy<T>(fn: () => T): T {
    const engine = this.#tf.engine();
    engine.startScope("plasticity-tidy");
    let result: T;
    try {
      result = fn();
    } catch (e) {
      engine.endScope();
      throw e;
    }
    const keep: TF.Tensor[] = [];
    collect(result, keep);
    engine.endScope(keep);
    return result;
  }

  keep<T extends Tensor>(t: T): T {
    this.#tf.keep(this.#t(t));
    return t;
  }

  dispose(...ts: Tensor[]): void {
    for (const t of ts) this.#t(t).dispose();
  }

  liveTensors(): number {
    return this.#tf.memory().numTensors;
  }
}

/** Resolves a module specifier at run time, so type checking and bundling never require it. */
function importOptional(specifier: string): Promise<Record<string, unknown>> {
  return import(specifier);
}

/**
 * Loads TF.js with the given engine and returns a backend over it. Throws a one-line error
 * saying why when the engine cannot load.
 *
 * @param flavor `wasm` (default), `cpu`, `webgpu`, or `tensorflow` (tfjs-node-gpu / tfjs-node).
 * @returns The backend.
 *
 * @example
 * ```ts ignore
 * import { loadTfjsBackend } from "@plasticity/tfjs";
 * const b = await loadTfjsBackend("cpu");
 * console.assert(b.name === "tfjs-cpu");
 * ```
 */
export async function loadTfjsBackend(flavor: TfjsFlavor = "wasm"): Promise<TfjsBackend> {
  if (flavor === "tensorflow") {
    const reasons: string[] = [];
    for (
      const pkg of ["npm:@tensorflow/tfjs-node-gpu@4.22.0", "npm:@tensorflow/tfjs-node@4.22.0"]
    ) {
      try {
        const mod = await importOptional(pkg) as unknown as typeof TF;
        await mod.ready();
        if (mod.getBackend() !== "tensorflow") throw new Error(`backend is ${mod.getBackend()}`);
        return new TfjsBackend(mod, "tensorflow");
      } catch (e) {
        reasons.push(
          `${pkg.slice(4)}: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`,
        );
      }
    }
    throw new Error(`TensorFlow native backend unavailable (${reasons.join("; ")})`);
  }
  const tf = await import("@tensorflow/tfjs-core");
  tf.env().set("PROD", true);
  if (flavor === "wasm") await import("@tensorflow/tfjs-backend-wasm");
  else if (flavor === "cpu") await import("@tensorflow/tfjs-backend-cpu");
  else await import("@tensorflow/tfjs-backend-webgpu");
  let ok = false;
  try {
    ok = await tf.setBackend(flavor);
  } catch (e) {
    throw new Error(
      `TF.js ${flavor} backend failed to initialise: ${
        (e instanceof Error ? e.message : String(e)).split("\n")[0]
      }`,
    );
  }
  if (!ok) throw new Error(`TF.js ${flavor} backend failed to initialise`);
  await tf.ready();
  // The interface reads tensors synchronously. TF.js's WebGPU backend does that through an
  // OffscreenCanvas 2D context, which Deno lacks, so probe a read before handing the backend out.
  // Large enough that TF.js does not forward it to the CPU.
  const probe = tf.tidy(() => tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])));
  try {
    probe.dataSync();
  } catch (e) {
    throw new Error(
      `TF.js ${flavor} backend cannot read tensors synchronously here (${
        (e instanceof Error ? e.message : String(e)).split("\n")[0]
      })`,
    );
  } finally {
    probe.dispose();
  }
  return new TfjsBackend(tf, `tfjs-${flavor}`);
}
