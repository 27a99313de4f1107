import assert from "node:assert/strict";
import { parseParams, readParamsFile } from "./params.ts";
import { loadParams } from "./_test_files.ts";

const REF = new URL("../../../shared/reference/pal/", import.meta.url);

Deno.test("loadParams reads every reference params.json as it is", async () => {
  for (const f of ["Fig3abc", "Fig3def", "Fig4ab/BP", "Fig4ab/FA", "Fig4ab/PAL"]) {
    const p = await loadParams(new URL(`${f}/params.json`, REF).pathname);
    assert.equal(p.dt, 0.01);
  }
  const p = await loadParams(new URL("Fig4ab/PAL/params.json", REF).pathname);
  assert.deepEqual(p.layers, [1, 1, 1]);
  assert.deepEqual(p.eta_fw, [2, 0.5]);
  assert.equal(p.epochs, 5000);
});

Deno.test("parseParams names the bad key in a one-line error", () => {
  assert.throws(
    () => parseParams({ dt: "x" }),
    /^SchemaError: params\.dt: expected a number > 0, got "x"$/,
  );
  assert.throws(
    () => parseParams({ bogus: 1 }),
    /^SchemaError: params\.bogus: unknown key \(value 1\); expected one of dt, /,
  );
  assert.throws(
    () => parseParams({ model_type: "KP" }),
    /params\.model_type: expected one of BP, FA, PAL, got "KP"$/,
  );
  assert.throws(
    () => parseParams({ eta_fw: [1, 1] }),
    /params\.eta_fw: expected at least 4 values for layers \[5,20,10,20,5\], got \[1,1\]$/,
  );
  assert.throws(
    () => parseParams({ inter_low_pass: true }),
    /params\.inter_low_pass: expected false \(the only supported value\), got true$/,
  );
  assert.throws(
    () => parseParams({ init_WPP_range: [1, -1] }),
    /params\.init_WPP_range: expected \[low, high\] with low ≤ high, got \[1,-1\]$/,
  );
});

Deno.test("readParamsFile parses the text of a params file and names the file in errors", () => {
  assert.deepEqual(readParamsFile('{"_comment": "a", "_comment": "b", "dt": 0.05}', "p.json"), {
    _comment: "b",
    dt: 0.05,
  });
  assert.throws(() => readParamsFile("{", "p.json"), /^Error: Invalid params file "p\.json": /);
  assert.throws(
    () => readParamsFile("[1]", "p.json"),
    /^Error: Invalid params file "p\.json": expected a JSON object$/,
  );
});
