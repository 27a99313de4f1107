import assert from "node:assert/strict";
import { createPalRun, teacherSeed } from "./experiment.ts";
import { loadParams, parseParams } from "./params.ts";
import { readNpy } from "./read_npy.ts";

const REF = new URL("../../../shared/reference/pal/", import.meta.url);
const refPath = (p: string) => new URL(p, REF).pathname;

Deno.test("numpy mode reproduces Fig3abc seed 123 (first 100 of 1010 records) within 1e-3 degrees", async () => {
  // The reference series was produced by the numpy code with seed 123 (index 0). A full run is
  // 1.01 M steps (about 20 s); CI checks the first 100 records (100 000 steps: settling plus 9 epochs).
  const ref = await readNpy(refPath("Fig3abc/data_angle_WPPT_BPP_lin.npy"));
  assert.deepEqual(ref.shape, [10, 1010, 3]);
  const n = 100;
  const p = await loadParams(refPath("Fig3abc/params.json"), { task: "bw_only", max_records: n });
  const got: number[] = [];
  createPalRun(p, 123).run((r) => got.push(r.angle_B_WT_0!, r.angle_B_WT_1!, r.angle_B_WT_2!));
  assert.equal(got.length, n * 3);
  let maxDev = 0;
  for (let i = 0; i < got.length; i++) maxDev = Math.max(maxDev, Math.abs(got[i]! - ref.data[i]!));
  assert.ok(maxDev < 1e-3, `max deviation ${maxDev}°`);
  // The series moves (B learns), so agreement is not trivial.
  assert.ok(Math.abs(got[got.length - 3]! - got[0]!) > 1);
});

Deno.test("the teacher seed is numpy's randint after seeding with random_seed[0]", () => {
  assert.equal(teacherSeed(parseParams({})), 873630);
});

Deno.test("BP: the angle between B and W transposed is exactly 0 at every record", () => {
  const p = parseParams({ model_type: "BP", epochs: 1, rec_per_steps: 500, max_records: 30 });
  let n = 0;
  createPalRun(p, 7).run((r) => {
    n++;
    for (let h = 0; h < 3; h++) assert.equal(r[`angle_B_WT_${h}`], 0);
  });
  assert.equal(n, 30);
});

Deno.test("FA bw_only: the angle between B and W transposed stays at its initial value", () => {
  const p = parseParams({ model_type: "FA", epochs: 1, rec_per_steps: 500, max_records: 30 });
  const first: number[] = [];
  createPalRun(p, 5).run((r) => {
    for (let h = 0; h < 3; h++) {
      const a = r[`angle_B_WT_${h}`]!;
      if (first.length < 3) first.push(a);
      else assert.equal(a, first[h]);
    }
  });
  // random init: near-orthogonal
  for (const a of first) assert.ok(a > 70 && a < 110, `initial angle ${a}`);
});

Deno.test("fw_bw on a 1-1-1 network emits MSE and update angles; BP's output-layer update matches the ANN", () => {
  const p = parseParams({
    layers: [1, 1, 1],
    task: "fw_bw",
    model_type: "BP",
    settling_time: 1,
    epochs: 2,
    rec_per_steps: 100,
    max_records: 50,
    eta_fw: [2, 0.5],
    eta_bw: [0],
    eta_IP: [0],
    eta_PI: [0],
    noise_scale: [0.01],
    alpha: [1e-6],
    init_WPP_range: [-1, 0],
    init_BPP_range: [-1, 0],
    init_teacher_WPP_range: [2, 2],
  });
  const recs: Record<string, number>[] = [];
  createPalRun(p, 123).run((r) => recs.push(r));
  assert.equal(recs.length, 50);
  const last = recs[recs.length - 1]!;
  assert.ok(Number.isFinite(last.mse) && last.mse! >= 0);
  // For 1×1 matrices the angle is 0° (same sign) or 180°.
  for (const r of recs.slice(20)) {
    assert.ok(r.angle_dW_1! < 1e-6 || r.angle_dW_1! > 180 - 1e-6);
  }
});
