import assert from "node:assert/strict";
import { parseNpy } from "./read_npy.ts";

function npy(descr: string, shape: string, fortran: boolean, body: Uint8Array): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': ${
    fortran ? "True" : "False"
  }, 'shape': ${shape}, }`;
  header += " ".repeat(64 - ((10 + header.length + 1) % 64)) + "\n";
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(10 + h.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 255, h.length >> 8]);
  out.set(h, 10);
  out.set(body, 10 + h.length);
  return out;
}

Deno.test("parseNpy reads C- and Fortran-ordered float64 and int32 arrays", () => {
  const c = new Float64Array([1, 2, 3, 4, 5, 6]); // 2×3 row-major
  const a = parseNpy(npy("<f8", "(2, 3)", false, new Uint8Array(c.buffer)));
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual([...a.data], [1, 2, 3, 4, 5, 6]);
  const f = new Float64Array([1, 4, 2, 5, 3, 6]); // same matrix, column-major
  assert.deepEqual([...parseNpy(npy("<f8", "(2, 3)", true, new Uint8Array(f.buffer))).data], [
    1,
    2,
    3,
    4,
    5,
    6,
  ]);
  const i = new Int32Array([-7, 9]);
  assert.deepEqual([...parseNpy(npy("<i4", "(2,)", false, new Uint8Array(i.buffer))).data], [
    -7,
    9,
  ]);
});

Deno.test("parseNpy rejects bad files with a one-line error", () => {
  assert.throws(() => parseNpy(new Uint8Array([1, 2, 3]), "x.npy"), /Invalid npy file "x.npy"/);
  assert.throws(
    () => parseNpy(npy("<c16", "(1,)", false, new Uint8Array(16)), "c.npy"),
    /unsupported dtype "<c16"/,
  );
});
