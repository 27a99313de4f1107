import assert from "node:assert/strict";
import { NumpyRandomState } from "@plasticity/core";
import { FastNumpyStream } from "./_fast_numpy.ts";

Deno.test("FastNumpyStream draws exactly what core's NumpyRandomState draws", () => {
  for (const seed of [0, 123, 873630, 4294967295]) {
    const a = new FastNumpyStream(seed), b = new NumpyRandomState(seed);
    for (let i = 0; i < 3000; i++) {
      // interleave the kinds of draws as the protocol does
      if (i % 7 === 3) {
        const pa = Int32Array.from({ length: 100 }, (_, k) => k), pb = pa.slice();
        a.shuffle(pa);
        b.shuffle(pb);
        assert.deepEqual(pa, pb);
      } else if (i % 5 === 0) assert.equal(a.uniform(-1, 1), b.uniform(-1, 1));
      else if (i % 11 === 1) {
        const out = new Float64Array(i % 4 + 1);
        a.fillNormal(out, out.length);
        for (const v of out) assert.equal(v, b.randn());
      } else assert.equal(a.normal(), b.randn());
    }
  }
});
