/**
 * The `webgpu` backend: every operation of core's `Backend`, and convolution and pooling
 * (`ImageKernels`), as WGSL compute kernels run by WebGPU in a dedicated worker.
 *
 * **Readback.** WebGPU reads results back asynchronously, while `Backend` (and so every rule) is
 * synchronous. The backend therefore records operations on the calling thread and sends them to
 * the worker in batches; `read`, `sumAll` and `sumSquares` send the pending batch with a readback
 * and block the calling thread (`Atomics.wait`) until the worker has mapped the result into a
 * `SharedArrayBuffer`. Every rule keeps its one code path, and the CPU backends pay nothing.
 * Blocking is allowed in Deno on every thread and in browsers inside a Worker (with
 * cross-origin isolation for `SharedArrayBuffer`); on a browser's main thread the backend refuses
 * to start, in one line.
 *
 * **Memory.** GPU buffers are freed by `tidy` / `dispose` as on TF.js (the rules already scope
 * their work for TF.js), and, as a backstop, when a tensor is garbage-collected; freed buffers are
 * pooled by size.
 *
 * @module
 */
import {
  type Activation,
  type Axis,
  type Backend,
  type Conv2dGeometry,
  conv2dOutputShape,
  type ImageKernels,
  type Pool2dGeometry,
  pool2dOutputShape,
  type Tensor,
} from "@plasticity/core";
import {
  checkDims,
  checkFinite,
  checkLength,
  checkMatmul,
  checkOwner,
  checkRow,
  checkSame,
} from "@plasticity/core/backend-checks";
import { BINARY, FLAT, KERNELS, ROWOP, TILE, UNARY } from "./_kernels.ts";
import {
  type AdapterInfo,
  type CloseMessage,
  type Command,
  describeAdapter,
  gpuWorkerMain,
  type InitMessage,
  type ProbeMessage,
  type RawAdapterInfo,
  type RunMessage,
} from "./_worker.ts";

export type { AdapterInfo } from "./_worker.ts";

/** Options of {@linkcode createWebgpuBackend}. */
export interface WebgpuOptions {
  /**
   * Accept a software adapter (Mesa's llvmpipe, SwiftShader): right for tests, slow for work.
   * Default true; core's `auto` selection asks for hardware only.
   */
  allowSoftware?: boolean;
  /** Operations recorded before a batch is sent without waiting for a readback (default 512). */
  batch?: number;
  /** Seconds a readback may take before it fails (default 300). */
  timeoutSeconds?: number;
}

const LEAKY_SLOPE = 0.01;
const MAX_GROUPS = 65535;

class GpuTensor implements Tensor {
  readonly backend = "webgpu";
  disposed = false;
  kept = false;
  constructor(readonly rows: number, readonly cols: number, readonly id: number) {}
}

function collect(value: unknown, out: Set<GpuTensor>): void {
  if (value instanceof GpuTensor) out.add(value);
  else if (Array.isArray(value)) { for (const v of value) collect(v, out); }
  else if (value && typeof value === "object" && !ArrayBuffer.isView(value)) {
    for (const v of Object.values(value)) collect(v, out);
  }
}

function flatGroups(n: number): [number, number] {
  const g = Math.ceil(n / FLAT);
  return g <= MAX_GROUPS ? [g, 1] : [MAX_GROUPS, Math.ceil(g / MAX_GROUPS)];
}

/**
 * A {@linkcode Backend} on WebGPU. Made by {@linkcode createWebgpuBackend}; call
 * {@linkcode WebgpuBackend.close} when done, as the worker keeps a process alive.
 *
 * @example Train-step arithmetic on the GPU (software adapters included)
 * ```ts
 * import { createWebgpuBackend } from "@plasticity/webgpu";
 * const b = await createWebgpuBackend().catch(() => undefined); // undefined: no WebGPU here
 * if (b) {
 *   const y = b.matmul(b.fromArray([1, 2], 1, 2), b.fromArray([3, 4], 2, 1));
 *   console.assert(b.read(y)[0] === 11);
 *   b.close();
 * }
 * ```
 */
export class WebgpuBackend implements Backend {
  readonly name = "webgpu";
  /** What the adapter says about itself. */
  readonly adapter: AdapterInfo;
  readonly #worker: Worker;
  readonly #batch: number;
  readonly #timeoutMs: number;
  #queue: Command[] = [];
  #nextId = 1;
  #live = 0;
  #closed = false;
  readonly #scopes: Set<GpuTensor>[] = [];
  readonly #registry: FinalizationRegistry<number>;
  /** Convolution and pooling as WGSL kernels (core's `conv2d`, `maxPool2d`, … call them). */
  readonly images: ImageKernels = {
    conv2d: (x, w, g, bias) => {
      const y = this.#conv("conv2d", this.#t(x), this.#t(w), g, x.rows, "out");
      if (!bias) return y;
      const o = conv2dOutputShape(g), out = this.#make(y.rows, y.cols);
      this.#kernel("rowop", out, y, this.#t(bias), [
        y.rows * y.cols,
        ROWOP.addRow,
        g.outChannels,
        o.h * o.w,
      ]);
      this.#free(y);
      return out;
    },
    conv2dInputGrad: (dy, w, g) =>
      this.#conv("conv2dInputGrad", this.#t(dy), this.#t(w), g, dy.rows, "in"),
    conv2dWeightGrad: (x, dy, g) =>
      this.#conv("conv2dWeightGrad", this.#t(x), this.#t(dy), g, x.rows, "weights"),
    conv2dBiasGrad: (dy, g) => {
      const d = this.#t(dy), o = conv2dOutputShape(g);
      return this.#kernel("channelSum", this.#make(1, g.outChannels), d, undefined, [
        g.outChannels,
        d.rows,
        o.h * o.w,
      ]);
    },
    maxPool2d: (x, g) => this.#pool(this.#t(x), undefined, g, 0),
    maxPool2dGrad: (x, dy, g) => this.#pool(this.#t(x), this.#t(dy), g, 0),
    avgPool2d: (x, g) => this.#pool(this.#t(x), undefined, g, 1 / (g.size * g.size)),
    avgPool2dGrad: (dy, g) => {
      const d = this.#t(dy);
      return this.#pool(d, d, g, 1 / (g.size * g.size));
    },
  };

  /** @internal Use {@linkcode createWebgpuBackend}. */
  constructor(worker: Worker, adapter: AdapterInfo, options: WebgpuOptions) {
    this.#worker = worker;
    this.adapter = adapter;
    this.#batch = options.batch ?? 512;
    this.#timeoutMs = (options.timeoutSeconds ?? 300) * 1000;
    this.#registry = new FinalizationRegistry((id) => {
      this.#live--;
      if (!this.#closed) this.#queue.push({ k: "free", id });
    });
  }

  /**
   * Releases the GPU buffers and the device, waits (at most the readback timeout) until the worker
   * has done so, stops the worker, and gives its thread 50 ms to tear down its WebGPU instance;
   * the backend and its tensors cannot be used afterwards.
   *
   * The pause is there because a process that exits while a worker is still tearing down its
   * instance can crash: on Mesa's llvmpipe through EGL, glibc's exit runs libEGL's destructors
   * while the worker's thread is still inside EGL ("corrupted double-linked list", "double free
   * or corruption" or a segmentation fault after the program's work is done, about one exit in
   * twenty when the exit follows the termination at once, none in 75 with a 3 ms pause).
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    stopWorker(this.#worker, this.#timeoutMs);
  }

  #push(c: Command): void {
    if (this.#closed) throw new Error("The webgpu backend was closed");
    this.#queue.push(c);
    if (this.#queue.length >= this.#batch) this.#send();
  }

  #send(read?: RunMessage["read"]): void {
    const cmds = this.#queue;
    this.#queue = [];
    const msg: RunMessage = read ? { type: "run", cmds, read } : { type: "run", cmds };
    const transfer = cmds.flatMap((c) =>
      c.k === "upload" && c.data.buffer instanceof ArrayBuffer ? [c.data.buffer] : []
    );
    this.#worker.postMessage(msg, transfer);
  }

  #make(rows: number, cols: number): GpuTensor {
    const t = new GpuTensor(rows, cols, this.#nextId++);
    this.#live++;
    this.#registry.register(t, t.id, t);
    this.#scopes.at(-1)?.add(t);
    return t;
  }

  #t(t: Tensor): GpuTensor {
    checkOwner(this.name, t);
    const g = t as GpuTensor;
    if (g.disposed) throw new Error(`Cannot use a disposed ${g.rows}×${g.cols} webgpu tensor`);
    return g;
  }

  #kernel(
    name: string,
    out: GpuTensor,
    a: GpuTensor | undefined,
    b: GpuTensor | undefined,
    u: readonly number[],
    f: readonly number[] = [],
    groups: [number, number] = flatGroups(u[0]!),
  ): GpuTensor {
    const uu = new Array<number>(12).fill(0), ff = [0, 0, 0, 0];
    u.forEach((v, i) => uu[i] = v);
    f.forEach((v, i) => ff[i] = v);
    this.#push({
      k: "kernel",
      name,
      out: out.id,
      size: out.rows * out.cols,
      a: a?.id ?? 0,
      b: b?.id ?? 0,
      u: uu,
      f: ff,
      groups,
    });
    return out;
  }

  /** A convolution kernel over `batch` images; `result` says which tensor it makes. */
  #conv(
    name: string,
    a: GpuTensor,
    b: GpuTensor,
    g: Conv2dGeometry,
    batch: number,
    result: "out" | "in" | "weights",
  ): GpuTensor {
    const { c, h, w } = g.input, k = g.kernel, o = conv2dOutputShape(g), ch = g.outChannels;
    const out = result === "out"
      ? this.#make(batch, ch * o.h * o.w)
      : result === "in"
      ? this.#make(batch, c * h * w)
      : this.#make(ch, c * k * k);
    const u = [
      out.rows * out.cols,
      c,
      h,
      w,
      k,
      g.stride ?? 1,
      g.padding ?? 0,
      o.h,
      o.w,
      ch,
      batch,
    ];
    return this.#kernel(name, out, a, b, u);
  }

  /**
   * Pooling (`dy` absent) or its gradient; `avg` is 1/k² for average pooling, 0 for max pooling
   * (whose gradient reads `x`).
   */
  #pool(x: GpuTensor, dy: GpuTensor | undefined, g: Pool2dGeometry, avg: number): GpuTensor {
    const { c, h, w } = g.input, o = pool2dOutputShape(g);
    const out = dy ? this.#make(x.rows, c * h * w) : this.#make(x.rows, c * o.h * o.w);
    const u = [out.rows * out.cols, c, h, w, g.size, g.stride ?? g.size, 0, o.h, o.w, c, x.rows];
    return this.#kernel(dy ? "poolGrad" : "pool", out, x, dy, u, [avg]);
  }

  /** Sends what is pending with a readback of `count` elements of `t` and waits for it. */
  #readback(t: GpuTensor, count: number): Float32Array {
    const sab = new SharedArrayBuffer(8 + Math.max(count * 4, 1024));
    const state = new Int32Array(sab, 0, 2);
    this.#send({ id: t.id, count, sab });
    const r = Atomics.wait(state, 0, 0, this.#timeoutMs);
    if (r === "timed-out") {
      throw new Error(`webgpu readback took longer than ${this.#timeoutMs / 1000} s`);
    }
    if (state[0] === 2) {
      const text = new TextDecoder().decode(new Uint8Array(sab, 8, state[1]).slice());
      throw new Error(`webgpu: ${text}`);
    }
    return new Float32Array(sab, 8, count).slice();
  }

  zeros(rows: number, cols: number): Tensor {
    return this.fill(rows, cols, 0);
  }

  fill(rows: number, cols: number, value: number): Tensor {
    checkDims("fill", rows, cols);
    checkFinite("fill", [value]);
    return this.#kernel("fill", this.#make(rows, cols), undefined, undefined, [rows * cols], [
      value,
    ]);
  }

  fromArray(data: ArrayLike<number>, rows: number, cols: number): Tensor {
    checkDims("fromArray", rows, cols);
    checkLength(data.length, rows, cols);
    checkFinite("fromArray", data);
    const t = this.#make(rows, cols);
    this.#push({ k: "upload", out: t.id, data: Float32Array.from(data) });
    return t;
  }

  random(rows: number, cols: number, sample: () => number): Tensor {
    checkDims("random", rows, cols);
    const data = new Float32Array(rows * cols);
    for (let i = 0; i < data.length; i++) data[i] = sample();
    checkFinite("random", data);
    const t = this.#make(rows, cols);
    this.#push({ k: "upload", out: t.id, data });
    return t;
  }

  read(t: Tensor): Float32Array {
    const g = this.#t(t);
    return this.#readback(g, g.rows * g.cols);
  }

  matmul(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
    const x = this.#t(a), y = this.#t(b);
    checkMatmul(x, y, transA, transB);
    const m = transA ? x.cols : x.rows, k = transA ? x.rows : x.cols;
    const n = transB ? y.rows : y.cols;
    const out = this.#make(m, n);
    const groups: [number, number] = [Math.ceil(n / TILE), Math.ceil(m / TILE)];
    if (groups[0] > MAX_GROUPS || groups[1] > MAX_GROUPS) {
      throw new Error(`matmul: ${m}×${n} is beyond the webgpu backend's ${MAX_GROUPS * TILE} rows`);
    }
    return this.#kernel(
      "matmul",
      out,
      x,
      y,
      [m, n, k, (transA ? 1 : 0) + (transB ? 2 : 0)],
      [],
      m *
            n === 0
        ? [0, 0]
        : groups,
    );
  }

  #binary(op: keyof typeof BINARY, a: Tensor, b: Tensor, alpha = 0): Tensor {
    const x = this.#t(a), y = this.#t(b);
    checkSame(op, x, y);
    return this.#kernel("binary", this.#make(x.rows, x.cols), x, y, [x.rows * x.cols, BINARY[op]], [
      alpha,
    ]);
  }

  add(a: Tensor, b: Tensor): Tensor {
    return this.#binary("add", a, b);
  }

  sub(a: Tensor, b: Tensor): Tensor {
    return this.#binary("sub", a, b);
  }

  mul(a: Tensor, b: Tensor): Tensor {
    return this.#binary("mul", a, b);
  }

  div(a: Tensor, b: Tensor): Tensor {
    return this.#binary("div", a, b);
  }

  axpy(alpha: number, x: Tensor, y: Tensor): Tensor {
    return this.#binary("axpy", x, y, alpha);
  }

  #unary(code: number, a: Tensor, f0 = 0, f1 = 0): Tensor {
    const x = this.#t(a);
    return this.#kernel(
      "unary",
      this.#make(x.rows, x.cols),
      x,
      undefined,
      [x.rows * x.cols, code],
      [
        f0,
        f1,
      ],
    );
  }

  scale(a: Tensor, s: number): Tensor {
    return this.#unary(UNARY.scale, a, s);
  }

  addScalar(a: Tensor, s: number): Tensor {
    return this.#unary(UNARY.addScalar, a, s);
  }

  sqrt(a: Tensor): Tensor {
    return this.#unary(UNARY.sqrt, a);
  }

  clamp(a: Tensor, lo: number, hi: number): Tensor {
    return this.#unary(UNARY.clamp, a, lo, hi);
  }

  #rowop(op: keyof typeof ROWOP, a: Tensor, row: Tensor): Tensor {
    const x = this.#t(a), r = this.#t(row);
    checkRow(op, x, r);
    return this.#kernel("rowop", this.#make(x.rows, x.cols), x, r, [
      x.rows * x.cols,
      ROWOP[op],
      x.cols,
      1,
    ]);
  }

  addRow(a: Tensor, row: Tensor): Tensor {
    return this.#rowop("addRow", a, row);
  }

  mulRow(a: Tensor, row: Tensor): Tensor {
    return this.#rowop("mulRow", a, row);
  }

  #reduce(a: Tensor, axis: Axis, factor: number): Tensor {
    const x = this.#t(a);
    if (axis === 0) {
      return this.#kernel("sumRows", this.#make(1, x.cols), x, undefined, [x.cols, x.rows], [
        factor,
      ]);
    }
    return this.#kernel("sumCols", this.#make(x.rows, 1), x, undefined, [x.rows, x.cols], [factor]);
  }

  sum(a: Tensor, axis: Axis): Tensor {
    return this.#reduce(a, axis, 1);
  }

  mean(a: Tensor, axis: Axis): Tensor {
    const count = axis === 0 ? a.rows : a.cols;
    return this.#reduce(a, axis, count === 0 ? NaN : 1 / count);
  }

  #reduceAll(a: Tensor, squares: boolean): number {
    const x = this.#t(a);
    const out = new GpuTensor(1, 1, this.#nextId++);
    this.#kernel("reduceAll", out, x, undefined, [x.rows * x.cols, squares ? 1 : 0], [], [1, 1]);
    try {
      return this.#readback(out, 1)[0]!;
    } finally {
      this.#queue.push({ k: "free", id: out.id });
    }
  }

  sumAll(a: Tensor): number {
    return this.#reduceAll(a, false);
  }

  sumSquares(a: Tensor): number {
    return this.#reduceAll(a, true);
  }

  transpose(a: Tensor): Tensor {
    const x = this.#t(a);
    return this.#kernel("transpose", this.#make(x.cols, x.rows), x, undefined, [
      x.rows * x.cols,
      x.rows,
      x.cols,
    ]);
  }

  activate(x: Tensor, f: Activation, slope = LEAKY_SLOPE): Tensor {
    if (f === "identity") return this.#t(x);
    if (!(f in UNARY)) throw new Error(`Unknown activation ${JSON.stringify(f)}`);
    return this.#unary(UNARY[f], x, slope);
  }

  activateGrad(x: Tensor, f: Activation, slope = LEAKY_SLOPE): Tensor {
    const code = UNARY[`${f}Grad` as keyof typeof UNARY];
    if (code === undefined) throw new Error(`Unknown activation ${JSON.stringify(f)}`);
    return this.#unary(code, x, slope);
  }

  softmax(a: Tensor): Tensor {
    const x = this.#t(a);
    return this.#kernel("softmax", this.#make(x.rows, x.cols), x, undefined, [x.rows, x.cols]);
  }

  tidy<T>(fn: () => T): T {
    const scope = new Set<GpuTensor>();
    this.#scopes.push(scope);
    let result: T;
    try {
      result = fn();
    } catch (e) {
      this.#scopes.pop();
      this.#release(scope, new Set());
      throw e;
    }
    this.#scopes.pop();
    const returned = new Set<GpuTensor>();
    collect(result, returned);
    this.#release(scope, returned);
    return result;
  }

  #release(scope: Set<GpuTensor>, returned: Set<GpuTensor>): void {
    const parent = this.#scopes.at(-1);
    for (const t of scope) {
      if (returned.has(t)) parent?.add(t);
      else if (!t.kept) this.#free(t);
    }
  }

  keep<T extends Tensor>(t: T): T {
    const g = this.#t(t);
    g.kept = true;
    for (const s of this.#scopes) s.delete(g);
    return t;
  }

  #free(t: GpuTensor): void {
    if (t.disposed) return;
    t.disposed = true;
    this.#live--;
    this.#registry.unregister(t);
    if (!this.#closed) this.#queue.push({ k: "free", id: t.id });
  }

  dispose(...ts: Tensor[]): void {
    for (const t of ts) {
      checkOwner(this.name, t);
      this.#free(t as GpuTensor);
    }
  }

  liveTensors(): number {
    return this.#live;
  }
}

/** Milliseconds `close()` gives a stopped worker's thread to tear down its WebGPU instance. */
const TEARDOWN_MS = 50;

/**
 * Asks the worker to release its buffers and device, waits (at most `timeoutMs`) for it, stops it,
 * and gives its thread `TEARDOWN_MS` to tear down its WebGPU instance (see `close()`).
 */
function stopWorker(worker: Worker, timeoutMs: number): void {
  const sab = new SharedArrayBuffer(4);
  const msg: CloseMessage = { type: "close", sab };
  worker.postMessage(msg);
  Atomics.wait(new Int32Array(sab), 0, 0, timeoutMs);
  worker.terminate();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, TEARDOWN_MS);
}

/** Whether this thread may block on a readback (`Atomics.wait`), and why not if it may not. */
function blockingAllowed(): string | undefined {
  if (typeof SharedArrayBuffer !== "function") {
    return "SharedArrayBuffer is unavailable (a browser page needs cross-origin isolation)";
  }
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
  } catch {
    return "this thread may not block (Atomics.wait): run the training in a Worker";
  }
  return undefined;
}

/**
 * Starts a WebGPU worker and returns the `webgpu` backend over it. Throws one line when WebGPU,
 * an adapter (a hardware one unless `allowSoftware`), or blocking readback is unavailable.
 *
 * @param options Whether a software adapter will do, the batch size, the readback timeout.
 * @returns The backend; `close()` it when done.
 *
 * @example
 * ```ts
 * import { createWebgpuBackend } from "@plasticity/webgpu";
 * try {
 *   const b = await createWebgpuBackend();
 *   console.assert(b.sumAll(b.fill(2, 3, 1)) === 6);
 *   b.close();
 * } catch (e) {
 *   console.assert(String(e).length > 0); // one line saying why not
 * }
 * ```
 */
export async function createWebgpuBackend(options: WebgpuOptions = {}): Promise<WebgpuBackend> {
  const why = blockingAllowed();
  if (why) throw new Error(why);
  const src = `(${gpuWorkerMain.toString()})();\n`;
  const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
  const worker = new Worker(url, { type: "module" });
  const init: InitMessage = { type: "init", kernels: KERNELS };
  try {
    const info = await new Promise<AdapterInfo>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent) => {
        const m = e.data as { type: string; info?: RawAdapterInfo; message?: string };
        if (m.type === "ready") resolve(describeAdapter(m.info!));
        else reject(new Error(m.message ?? "the WebGPU worker failed to start"));
      };
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        reject(new Error(`the WebGPU worker failed: ${e.message}`));
      };
      worker.postMessage(init);
    });
    worker.onmessage = null;
    if (info.isFallbackAdapter && options.allowSoftware === false) {
      throw new Error(`only a software adapter is present ("${info.description}")`);
    }
    return new WebgpuBackend(worker, info, options);
  } catch (e) {
    worker.terminate();
    throw e;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * The adapter WebGPU would give, asked in a short-lived worker: `undefined` where there is no WebGPU
 * or no adapter. Core's `auto` selection uses it to pick `webgpu` only on a hardware adapter.
 *
 * @returns The adapter's description and whether it is a software (fallback) adapter.
 *
 * @example
 * ```ts
 * import { probeWebgpu } from "@plasticity/webgpu";
 * const info = await probeWebgpu();
 * console.assert(info === undefined || typeof info.isFallbackAdapter === "boolean");
 * ```
 */
export async function probeWebgpu(): Promise<AdapterInfo | undefined> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) return undefined;
  // In a worker of its own, so that the WebGPU instance goes away in the orderly way `close()`
  // gives a backend's worker (see there).
  const src = `(${gpuWorkerMain.toString()})();\n`;
  const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
  const worker = new Worker(url, { type: "module" });
  try {
    const raw = await new Promise<RawAdapterInfo | undefined>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent) => resolve((e.data as { info?: RawAdapterInfo }).info);
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        reject(new Error(`the WebGPU worker failed: ${e.message}`));
      };
      const msg: ProbeMessage = { type: "probe" };
      worker.postMessage(msg);
    });
    return raw && describeAdapter(raw);
  } finally {
    URL.revokeObjectURL(url);
    stopWorker(worker, 10_000);
  }
}
