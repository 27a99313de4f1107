// The 2 × 2, stride-2 max-pooling search in 128-bit WebAssembly SIMD, four windows at a time with
// compares and bit selects instead of branches. The scalar search in JavaScript is bound by branch
// mispredictions on real activations (which pixel of a window is largest is a coin toss); this
// kernel has no data-dependent branch. It picks the same pixel as the scalar search, the first
// maximum in row-major window order: a later pixel replaces the running maximum only where it is
// strictly greater, so ties keep the earlier one and a NaN never replaces nor is replaced by a
// later pixel, exactly as `if (x > m)` does.
//
// The input is copied into the kernel's own WebAssembly memory, searched there, and the argmaxes
// and maxima copied out. That memory grows to the largest input searched so far (about 1.5 × its
// size: LeNet's first pooling layer at a test batch of 1000 takes 28 MiB) and stays at that size,
// as WebAssembly memory cannot shrink; inputs past 1 GiB are searched in JavaScript instead.
import { encodeModule, I32, Locals, op, V128, type WasmFunction } from "./_wasm.ts";

// argmax2x2(x, best, out, pairs, w, ow): for each of `pairs` row pairs r (input rows 2r, 2r + 1 of
// width w, starting at float 2rw of x) and each window v < ow of it, the float index in x of the
// window's first maximum into best[r·ow + v] (int32) and the maximum into out[r·ow + v]. Pointers
// are byte addresses. Four windows a step, so a row pair's last step may run up to three windows
// past ow: those outputs land on the next row pair's first places (rewritten by its own steps)
// or, after the last pair, on three spare places; the reads run at most 6 floats past x's end
// (the copy leaves w + 16 spare floats there).
const ARGMAX_2X2: WasmFunction = (() => {
  const [x, best, out, pairs, w, ow] = [0, 1, 2, 3, 4, 5];
  const L = new Locals(6);
  const r = L.add(I32), j = L.add(I32), row = L.add(I32), outAt = L.add(I32), src = L.add(I32);
  const rowBytes = L.add(I32);
  const [top0, top1, bot0, bot1, m, idx, gt] = [0, 1, 2, 3, 4, 5, 6].map(() => L.add(V128)) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [oneV, wV, w1V] = [0, 1, 2].map(() => L.add(V128)) as [number, number, number];
  const i32 = (n: number) => op.i32(n);
  // local ← local + (the i32 the instructions `by` push)
  const addTo = (local: number, by: number[]) => [
    ...op.get(local),
    ...by,
    ...op.i32Add,
    ...op.set(local),
  ];
  // One pixel of the four windows (pushed by `pixel`) against the running maximum: where it is
  // strictly greater it becomes the maximum, and its offset in the window (`offset`) the index.
  const step = (pixel: number[], offset: number[]) => [
    ...pixel,
    ...op.tee(top0),
    ...op.get(m),
    ...op.f32x4Gt,
    ...op.set(gt),
    ...op.get(top0),
    ...op.get(m),
    ...op.get(gt),
    ...op.v128Bitselect,
    ...op.set(m),
    ...offset,
    ...op.get(idx),
    ...op.get(gt),
    ...op.v128Bitselect,
    ...op.set(idx),
  ];
  // The four windows' left pixels of a row are the even floats of the 8 loaded, the right ones
  // the odd floats.
  const evens = [0, 2, 4, 6] as [number, number, number, number];
  const odds = [1, 3, 5, 7] as [number, number, number, number];
  return {
    name: "argmax2x2",
    params: [I32, I32, I32, I32, I32, I32],
    locals: L.types,
    body: [
      ...i32(1),
      ...op.i32x4Splat,
      ...op.set(oneV),
      ...op.get(w),
      ...op.i32x4Splat,
      ...op.set(wV),
      ...op.get(w),
      ...i32(1),
      ...op.i32Add,
      ...op.i32x4Splat,
      ...op.set(w1V),
      ...op.get(w),
      ...i32(4),
      ...op.i32Mul,
      ...op.set(rowBytes),
      ...op.whileLess(r, pairs, [
        ...i32(0),
        ...op.set(j),
        ...op.whileLess(j, ow, [
          // src = x + 4·(row + 2j), the window pixels' top-left byte address
          ...op.get(x),
          ...op.get(row),
          ...op.get(j),
          ...op.get(j),
          ...op.i32Add,
          ...op.i32Add,
          ...i32(4),
          ...op.i32Mul,
          ...op.i32Add,
          ...op.set(src),
          ...op.get(src),
          ...op.loadAt(0),
          ...op.set(top0),
          ...op.get(src),
          ...op.loadAt(16),
          ...op.set(top1),
          ...op.get(src),
          ...op.get(rowBytes),
          ...op.i32Add,
          ...op.tee(src),
          ...op.loadAt(0),
          ...op.set(bot0),
          ...op.get(src),
          ...op.loadAt(16),
          ...op.set(bot1),
          // the windows' top-left pixels start the search, at offset 0
          ...op.get(top0),
          ...op.get(top1),
          ...op.shuffle32(evens),
          ...op.set(m),
          ...op.i32x4Const([0, 0, 0, 0]),
          ...op.set(idx),
          // top-right (offset 1), bottom-left (w), bottom-right (w + 1); top0 is free from here
          ...step([...op.get(top0), ...op.get(top1), ...op.shuffle32(odds)], op.get(oneV)),
          ...step([...op.get(bot0), ...op.get(bot1), ...op.shuffle32(evens)], op.get(wV)),
          ...step([...op.get(bot0), ...op.get(bot1), ...op.shuffle32(odds)], op.get(w1V)),
          // out[outAt + j] = m; best[outAt + j] = idx + row + 2j + (0, 2, 4, 6)
          ...op.get(outAt),
          ...op.get(j),
          ...op.i32Add,
          ...i32(4),
          ...op.i32Mul,
          ...op.tee(src),
          ...op.get(out),
          ...op.i32Add,
          ...op.get(m),
          ...op.store,
          ...op.get(src),
          ...op.get(best),
          ...op.i32Add,
          ...op.get(idx),
          ...op.get(row),
          ...op.get(j),
          ...op.get(j),
          ...op.i32Add,
          ...op.i32Add,
          ...op.i32x4Splat,
          ...op.i32x4Add,
          ...op.i32x4Const([0, 2, 4, 6]),
          ...op.i32x4Add,
          ...op.store,
          ...addTo(j, i32(4)),
        ]),
        ...addTo(row, [...op.get(w), ...op.get(w), ...op.i32Add]),
        ...addTo(outAt, op.get(ow)),
        ...addTo(r, i32(1)),
      ]),
    ],
  };
})();

const PAGE = 65536;
/** The most bytes of WebAssembly memory the kernel takes (1 GiB); larger inputs are refused. */
const MAX_BYTES = 2 ** 30;

interface Kernel {
  memory: WebAssembly.Memory;
  argmax2x2(x: number, best: number, out: number, pairs: number, w: number, ow: number): void;
}
let kernel: Kernel | undefined;

const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/**
 * The 2 × 2, stride-2 search over `pairs` row pairs of width `w` (x holds at least 2·pairs·w
 * floats; ow = ⌊w/2⌋ windows a row pair): each window's first maximum's index in x into
 * best[0 … pairs·ow) and, when `out` is given, its value into out[0 … pairs·ow). Returns false,
 * doing nothing, where the input is beyond the kernel's size (1 GiB of memory).
 */
export function argmax2x2Simd(
  x: Float32Array,
  pairs: number,
  w: number,
  best: Int32Array,
  out?: Float32Array,
): boolean {
  const ow = w >> 1, n = pairs * ow, xFloats = 2 * pairs * w;
  const xBytes = align16(4 * (xFloats + w + 16)), nBytes = align16(4 * (n + 4));
  const bytes = xBytes + 2 * nBytes;
  if (bytes > MAX_BYTES) return false;
  if (n === 0) return true;
  if (!kernel) {
    const module = new WebAssembly.Module(encodeModule([ARGMAX_2X2], 1));
    const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_BYTES / PAGE });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    kernel = { memory, ...(instance.exports as unknown as Omit<Kernel, "memory">) };
  }
  const have = kernel.memory.buffer.byteLength;
  if (bytes > have) kernel.memory.grow(Math.ceil((bytes - have) / PAGE));
  const buf = kernel.memory.buffer;
  new Float32Array(buf, 0, xFloats).set(x.subarray(0, xFloats));
  kernel.argmax2x2(0, xBytes, xBytes + nBytes, pairs, w, ow);
  best.set(new Int32Array(buf, xBytes, n));
  out?.set(new Float32Array(buf, xBytes + nBytes, n));
  return true;
}
