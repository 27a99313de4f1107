// The GPU side of the webgpu backend. `gpuWorkerMain` runs in a dedicated worker, started from
// its own source text (`Function.prototype.toString`), so it must not refer to anything outside
// its body: the kernels' WGSL arrives in the init message.

/** A kernel source as the init message carries it. */
export interface WorkerKernel {
  /** WGSL with entry point `main`. */
  readonly code: string;
  /** Storage bindings read: 0, 1 (a) or 2 (a and b). */
  readonly inputs: number;
}

/** The first message to the worker. */
export interface InitMessage {
  readonly type: "init";
  readonly kernels: Record<string, WorkerKernel>;
}

/** One recorded operation. */
export type Command =
  | { readonly k: "upload"; readonly out: number; readonly data: Float32Array }
  | { readonly k: "free"; readonly id: number }
  | {
    readonly k: "kernel";
    readonly name: string;
    readonly out: number;
    /** Elements of the output. */
    readonly size: number;
    readonly a: number;
    readonly b: number;
    /** u0…u11 then f0…f3 of the kernel's uniform block. */
    readonly u: readonly number[];
    readonly f: readonly number[];
    /** Workgroups in x and y. */
    readonly groups: readonly [number, number];
  };

/** A batch of operations, optionally ending with a blocking readback. */
export interface RunMessage {
  readonly type: "run";
  readonly cmds: readonly Command[];
  /**
   * Read `count` elements of tensor `id` into `sab` after the batch: int32 state at byte 0 (1 done,
   * 2 error), int32 length at byte 4, then the floats (or the error text as UTF-8) from byte 8.
   */
  readonly read?: { readonly id: number; readonly count: number; readonly sab: SharedArrayBuffer };
}

/** Asks for the adapter's description only (no device): answered with `{ type: "probe", info }`. */
export interface ProbeMessage {
  readonly type: "probe";
}

/** The last message: release every buffer and the device, then set `sab`'s int32 to 1. */
export interface CloseMessage {
  readonly type: "close";
  readonly sab: SharedArrayBuffer;
}

/** What the adapter says about itself. */
export interface AdapterInfo {
  /** The driver's description, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)". */
  readonly description: string;
  /** The vendor, as the driver names it. */
  readonly vendor: string;
  /** The architecture, as the driver names it (often empty). */
  readonly architecture: string;
  /** True for a software adapter (the adapter's own flag, or a known software renderer). */
  readonly isFallbackAdapter: boolean;
}

/** An adapter's `info` as WebGPU gives it (the fallback flag is not in every runtime's types). */
export type RawAdapterInfo = Pick<GPUAdapterInfo, "description" | "vendor" | "architecture"> & {
  readonly isFallbackAdapter?: boolean;
};

/** {@linkcode AdapterInfo} from an adapter's `info`, software renderers included by name. */
export function describeAdapter(raw: RawAdapterInfo): AdapterInfo {
  const description = raw.description ?? "";
  return {
    description,
    vendor: raw.vendor ?? "",
    architecture: raw.architecture ?? "",
    isFallbackAdapter: raw.isFallbackAdapter === true ||
      /llvmpipe|swiftshader|software/i.test(description),
  };
}

/** The worker's body (see the module comment: self-contained). */
export function gpuWorkerMain(): void {
  const scope = globalThis as unknown as {
    onmessage: ((e: MessageEvent) => void) | null;
    postMessage(message: unknown): void;
  };
  let device: GPUDevice | undefined;
  const pipelines = new Map<string, { pipeline: GPUComputePipeline; inputs: number }>();
  const buffers = new Map<number, GPUBuffer>();
  const pool = new Map<number, GPUBuffer[]>();
  let pooledBytes = 0;
  let firstError: string | undefined;
  const POOL_LIMIT = 512 * 1024 * 1024;
  const USAGE = 0x80 | 0x4 | 0x8; // STORAGE | COPY_SRC | COPY_DST
  const oneLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
  const record = (e: unknown) => {
    firstError ??= oneLine(e);
  };
  const bytesFor = (n: number) => Math.max(16, Math.ceil((n * 4) / 16) * 16);

  async function init(msg: InitMessage): Promise<void> {
    const gpu = (globalThis.navigator as Navigator & { gpu?: GPU }).gpu;
    if (!gpu) throw new Error("this runtime has no WebGPU (navigator.gpu is missing)");
    const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) throw new Error("no WebGPU adapter found");
    const raw = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    const info = {
      description: raw.description,
      vendor: raw.vendor,
      architecture: raw.architecture,
      isFallbackAdapter: raw.isFallbackAdapter,
    };
    const l = adapter.limits;
    device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
      },
    });
    device.addEventListener("uncapturederror", (e) => {
      record((e as unknown as GPUUncapturedErrorEvent).error.message);
    });
    for (const [name, k] of Object.entries(msg.kernels)) {
      const module = device.createShaderModule({ code: k.code });
      const pipeline = device.createComputePipeline({
        layout: "auto",
        compute: { module, entryPoint: "main" },
      });
      pipelines.set(name, { pipeline, inputs: k.inputs });
    }
    scope.postMessage({ type: "ready", info });
  }

  function alloc(id: number, n: number): GPUBuffer {
    const size = bytesFor(n);
    const free = pool.get(size);
    let buf = free?.pop();
    if (buf) pooledBytes -= size;
    else buf = device!.createBuffer({ size, usage: USAGE });
    buffers.set(id, buf);
    return buf;
  }

  function get(id: number): GPUBuffer {
    const buf = buffers.get(id);
    if (!buf) throw new Error(`tensor ${id} has no buffer on the GPU`);
    return buf;
  }

  async function run(msg: RunMessage): Promise<void> {
    const dev = device!;
    const freed: GPUBuffer[] = [];
    const kernels = msg.cmds.filter((c) => c.k === "kernel").length;
    const params = kernels > 0
      ? dev.createBuffer({ size: kernels * 256, usage: 0x40 | 0x8 }) // UNIFORM | COPY_DST
      : undefined;
    const paramData = new ArrayBuffer(kernels * 256);
    const enc = dev.createCommandEncoder();
    const pass = enc.beginComputePass();
    let slot = 0;
    for (const c of msg.cmds) {
      try {
        if (c.k === "upload") {
          const buf = alloc(c.out, c.data.length);
          if (c.data.length > 0) dev.queue.writeBuffer(buf, 0, c.data as Float32Array<ArrayBuffer>);
        } else if (c.k === "free") {
          const buf = buffers.get(c.id);
          if (buf) {
            buffers.delete(c.id);
            freed.push(buf);
          }
        } else {
          const k = pipelines.get(c.name);
          if (!k) throw new Error(`unknown kernel "${c.name}"`);
          const out = alloc(c.out, c.size);
          const off = slot * 256;
          new Uint32Array(paramData, off, 12).set(c.u);
          new Float32Array(paramData, off + 48, 4).set(c.f);
          const entries: GPUBindGroupEntry[] = [
            { binding: 0, resource: { buffer: out } },
            { binding: 3, resource: { buffer: params!, offset: off, size: 64 } },
          ];
          if (k.inputs >= 1) entries.push({ binding: 1, resource: { buffer: get(c.a) } });
          if (k.inputs >= 2) entries.push({ binding: 2, resource: { buffer: get(c.b) } });
          slot++;
          if (c.groups[0] === 0) continue;
          const group = dev.createBindGroup({ layout: k.pipeline.getBindGroupLayout(0), entries });
          pass.setPipeline(k.pipeline);
          pass.setBindGroup(0, group);
          pass.dispatchWorkgroups(c.groups[0], c.groups[1]);
        }
      } catch (e) {
        record(e);
      }
    }
    pass.end();
    let staging: GPUBuffer | undefined;
    const read = msg.read;
    if (read && read.count > 0 && !firstError) {
      try {
        staging = dev.createBuffer({ size: bytesFor(read.count), usage: 0x1 | 0x8 }); // MAP_READ | COPY_DST
        enc.copyBufferToBuffer(get(read.id), 0, staging, 0, bytesFor(read.count));
      } catch (e) {
        record(e);
      }
    }
    if (params) dev.queue.writeBuffer(params, 0, paramData);
    dev.queue.submit([enc.finish()]);
    params?.destroy();
    for (const buf of freed) {
      const size = buf.size;
      if (pooledBytes + size > POOL_LIMIT) buf.destroy();
      else {
        let list = pool.get(size);
        if (!list) pool.set(size, list = []);
        list.push(buf);
        pooledBytes += size;
      }
    }
    if (!read) return;
    const state = new Int32Array(read.sab, 0, 2);
    try {
      if (staging) {
        await staging.mapAsync(0x1); // READ
        new Float32Array(read.sab, 8, read.count).set(
          new Float32Array(staging.getMappedRange(), 0, read.count),
        );
        staging.unmap();
        staging.destroy();
      } else await dev.queue.onSubmittedWorkDone();
    } catch (e) {
      record(e);
    }
    if (firstError) {
      const text = new TextEncoder().encode(firstError);
      const room = read.sab.byteLength - 8;
      new Uint8Array(read.sab, 8, Math.min(text.length, room)).set(text.subarray(0, room));
      state[1] = Math.min(text.length, room);
      firstError = undefined;
      Atomics.store(state, 0, 2);
    } else Atomics.store(state, 0, 1);
    Atomics.notify(state, 0);
  }

  async function close(msg: CloseMessage): Promise<void> {
    try {
      if (device) {
        await device.queue.onSubmittedWorkDone();
        for (const buf of buffers.values()) buf.destroy();
        for (const list of pool.values()) for (const buf of list) buf.destroy();
        buffers.clear();
        pool.clear();
        pipelines.clear();
        device.destroy();
        device = undefined;
      }
    } finally {
      const state = new Int32Array(msg.sab);
      Atomics.store(state, 0, 1);
      Atomics.notify(state, 0);
    }
  }

  // Messages are handled one at a time, in order: a readback's await must not let the next
  // batch start (the caller blocks on it anyway, but init and close may arrive around it).
  let chain: Promise<void> = Promise.resolve();
  scope.onmessage = (e: MessageEvent) => {
    const msg = e.data as InitMessage | RunMessage | CloseMessage | ProbeMessage;
    chain = chain.then(async () => {
      if (msg.type === "close") await close(msg);
      else if (msg.type === "probe") {
        const gpu = (globalThis.navigator as Navigator & { gpu?: GPU }).gpu;
        const adapter = await gpu?.requestAdapter({ powerPreference: "high-performance" });
        const raw = adapter?.info as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined;
        scope.postMessage({
          type: "probe",
          info: raw && {
            description: raw.description,
            vendor: raw.vendor,
            architecture: raw.architecture,
            isFallbackAdapter: raw.isFallbackAdapter,
          },
        });
      } else if (msg.type === "init") {
        try {
          await init(msg);
        } catch (err) {
          scope.postMessage({ type: "error", message: oneLine(err) });
        }
      } else await run(msg);
    });
  };
}
