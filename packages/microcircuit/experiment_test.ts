import assert from "node:assert/strict";
import { createPalRun, teacherSeed } from "./experiment.ts";
import { parseParams } from "./params.ts";
import { loadParams, readNpy } from "./_test_files.ts";

const REF = new URL("../../../shared/reference/pal/", import.meta.url);
const refPath = (p: string) => new URL(p, REF).pathname;

Deno.test("numpy mode reproduces Fig3abc seed 123, angles to Wᵀ and to φ′Wᵀφ′ (first 100 of 1010 records), within 1e-3 degrees", async () => {
  // The reference series was produced by the numpy code with seed 123 (index 0). A full run is
  // 1.01 M steps (about 20 s); CI checks the first 100 records (100 000 steps: settling plus 9 epochs).
  const ref = await readNpy(refPath("Fig3abc/data_angle_WPPT_BPP_lin.npy"));
  const refRHS = await readNpy(refPath("Fig3abc/data_angle_BPP_RHS_lin.npy"));
  assert.deepEqual(ref.shape, [10, 1010, 3]);
  assert.deepEqual(refRHS.shape, [10, 1010, 3]);
  const n = 100;
  const p = await loadParams(refPath("Fig3abc/params.json"), { task: "bw_only", max_records: n });
  const got: number[] = [], rhs: number[] = [];
  createPalRun(p, 123).run((r) => {
    got.push(r.angle_B_WT_0!, r.angle_B_WT_1!, r.angle_B_WT_2!);
    rhs.push(r.angle_B_RHS_0!, r.angle_B_RHS_1!, r.angle_B_RHS_2!);
  });
  assert.equal(got.length, n * 3);
  let maxDev = 0, maxDevRHS = 0;
  for (let i = 0; i < got.length; i++) {
    maxDev = Math.max(maxDev, Math.abs(got[i]! - ref.data[i]!));
    maxDevRHS = Math.max(maxDevRHS, Math.abs(rhs[i]! - refRHS.data[i]!));
  }
  assert.ok(maxDev < 1e-3, `max deviation ${maxDev}°`);
  assert.ok(maxDevRHS < 1e-3, `max deviation of the angle to φ′Wᵀφ′ ${maxDevRHS}°`);
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

Deno.test("Fig4ab (1-1-1 sign flip, fw_bw): BP, FA and PAL follow the numpy reference runs", async () => {
  // Numbers from the numpy reference code in the setting of Max et al. 2022, Fig. 4ab, seed 123: at
  // 20 s BP has W ≈ (1.90, 2.02) and MSE < 1e-4; FA keeps B = −0.449 while W1 runs away to ≈ −5.7;
  // PAL's B climbs from −0.449 to −0.368 at 5 s.
  const at = async (model: string, epochs: number) => {
    const p = await loadParams(refPath(`Fig4ab/${model}/params.json`), {
      task: "fw_bw",
      epochs,
      rec_per_steps: 10000,
    });
    const run = createPalRun(p, 123);
    let last: Record<string, number> = {};
    const bs: number[] = [], ts: number[] = [];
    run.run((r) => {
      last = r;
      bs.push(run.mc.BPP[0]![0]!);
      ts.push(r.t!);
    });
    return { mc: run.mc, last, bs, ts };
  };
  const bp = await at("BP", 200);
  assert.ok(Math.abs(bp.mc.WPP[0]![0]! - 1.90) < 0.01 && Math.abs(bp.mc.WPP[1]![0]! - 2.02) < 0.01);
  assert.ok(bp.last.mse! < 1e-4);
  const fa = await at("FA", 200);
  assert.ok(fa.bs.every((b) => b === fa.bs[0]) && Math.abs(fa.bs[0]! + 0.449) < 1e-3);
  assert.ok(Math.abs(fa.mc.WPP[0]![0]! + 5.7) < 0.05);
  const pal = await at("PAL", 50);
  const b5 = pal.bs[pal.ts.indexOf(5)]!;
  assert.ok(Math.abs(b5 + 0.3685) < 1e-3, `B at 5 s ${b5}`);
  for (let i = 11; i < pal.bs.length; i++) assert.ok(pal.bs[i]! > pal.bs[i - 1]!);
});

Deno.test("rng plasticity: core's generator drives the same protocol; PAL still aligns B", () => {
  const p = parseParams({ rng: "plasticity", epochs: 20, rec_per_steps: 5000 });
  const a: number[] = [];
  createPalRun(p, 123).run((r) => a.push(r.angle_B_WT_1!));
  // 100 ms settling leaves B untouched (records 0 and 1); 2 s of PAL learning lowers the angle
  // (numpy reference, 10 seeds: ≈ 90° → ≈ 58° at 2 s for this layer).
  assert.equal(a[0], a[1]);
  assert.ok(a[0]! > 70 && a[0]! < 110);
  assert.ok(a[a.length - 1]! < a[0]! - 10, `angle ${a[0]} → ${a[a.length - 1]}`);
});

// The Fig4ab network (1-1-1, PAL learning W, WIP, BPI and B at once against a teacher) with a short
// protocol: every part of the state moves, the noise and the per-epoch shuffles draw from the
// model's generator, and the teacher's targets change with each sample.
const FIG4_PAL = {
  layers: [1, 1, 1],
  task: "fw_bw",
  "model_type": "PAL",
  "eta_fw": [2, 0.5],
  "eta_bw": [20],
  "eta_IP": [10],
  "eta_PI": [0.5],
  "noise_scale": [0.01],
  alpha: [1e-6],
  "init_WPP_range": [-1, 0],
  "init_BPP_range": [-1, 0],
  "init_teacher_WPP_range": [2, 2],
  "dataset_size": 7,
  "settling_time": 3,
  epochs: 4,
  "rec_per_steps": 37,
  record: ["WPP", "BPP", "WIP", "BPI", "uP", "uP_breve", "vbas", "vapi", "uI"],
};

Deno.test("checkpoint: 2k steps equal k steps, a JSON checkpoint, a fresh run resumed from it and k more steps, bit for bit", () => {
  const p = parseParams(FIG4_PAL);
  const k = 1234; // inside an epoch (epochs are 700 steps after 300 settling steps), between records
  const direct = createPalRun(p, 123);
  const recsDirect: Record<string, number>[] = [];
  assert.equal(direct.runSteps(2 * k, (r) => recsDirect.push(r)), 2 * k);

  const first = createPalRun(p, 123);
  const recsResumed: Record<string, number>[] = [];
  assert.equal(first.runSteps(k, (r) => recsResumed.push(r)), k);
  const saved = JSON.stringify(first.checkpoint());
  const second = createPalRun(p, 123, JSON.parse(saved));
  assert.equal(second.position, k);
  assert.equal(second.runSteps(k, (r) => recsResumed.push(r)), k);

  assert.equal(recsDirect.length, Math.floor(2 * k / 37));
  assert.deepEqual(recsResumed, recsDirect);
  // The full state after 2k steps, generator included, is the same.
  assert.deepEqual(second.checkpoint(), direct.checkpoint());
  // And the weights moved (the test is not of a frozen network).
  assert.notEqual(recsDirect.at(-1)!.WPP_0_0, recsDirect[0]!.WPP_0_0);
  assert.notEqual(recsDirect.at(-1)!.BPP_0_0, recsDirect[0]!.BPP_0_0);

  // Running both to the end gives the same records too.
  const restDirect: Record<string, number>[] = [], restResumed: Record<string, number>[] = [];
  direct.run((r) => restDirect.push(r));
  second.run((r) => restResumed.push(r));
  assert.deepEqual(restResumed, restDirect);
  assert.equal(recsDirect.length + restDirect.length, direct.totalRecords);
});

Deno.test("checkpoint: a wrong seed or compare_updates is refused", () => {
  const p = parseParams(FIG4_PAL);
  const run = createPalRun(p, 123);
  run.runSteps(100, () => {});
  assert.throws(() => createPalRun(p, 456, run.checkpoint()), /checkpoint: it is of seed 123/);
  const cmp = createPalRun(parseParams({ ...FIG4_PAL, compare_updates: true }), 123);
  assert.throws(() => cmp.checkpoint(), /compare_updates/);
});

Deno.test("recorded variables equal the model's arrays read directly at the record steps", () => {
  const p = parseParams(FIG4_PAL);
  const run = createPalRun(p, 123), mc = run.mc;
  let checked = 0;
  // Steps in chunks of rec_per_steps: each chunk ends with exactly one record, after its last step.
  while (run.position < run.totalSteps) {
    const got: Record<string, number>[] = [];
    run.runSteps(37, (r) => got.push(r));
    if (run.position % 37 !== 0) break;
    assert.equal(got.length, 1, `one record at step ${run.position}`);
    const rec = got[0]!;
    assert.equal(rec.t, Number((run.position * 0.01 / 1000).toPrecision(12)));
    const direct: [string, Float64Array[]][] = [
      ["WPP", mc.WPP],
      ["BPP", mc.BPP],
      ["WIP", mc.WIP],
      ["BPI", mc.BPI],
      ["uP", mc.uP],
      ["uP_breve", mc.uPBreve],
      ["vbas", mc.vBas],
      ["vapi", mc.vApi],
      ["uI", mc.uI],
    ];
    for (const [name, arrays] of direct) {
      arrays.forEach((a, layer) => assert.equal(rec[`${name}_${layer}_0`], a[0]));
    }
    // W of the output layer against B: the record's angle is that of the recorded values (1 × 1:
    // 0° for equal signs, 180° for opposite ones).
    const same = Math.sign(rec.WPP_1_0!) === Math.sign(rec.BPP_0_0!);
    assert.ok(Math.abs(rec.angle_B_WT_0! - (same ? 0 : 180)) < 1e-6);
    checked++;
  }
  assert.equal(checked, Math.floor(run.totalSteps / 37));
});

Deno.test("record_max_values bounds the values of each layer's array in a record", () => {
  const p = parseParams({
    epochs: 1,
    max_records: 1,
    record: ["WPP", "vapi"],
    record_max_values: 3,
  });
  let rec: Record<string, number> = {};
  const run = createPalRun(p, 123);
  run.run((r) => (rec = r));
  const keys = Object.keys(rec);
  // 5-20-10-20-5: 4 forward weights (≥ 3 values each) and 3 apical layers (≥ 3 values each)
  assert.equal(keys.filter((k) => k.startsWith("WPP_")).length, 4 * 3);
  assert.equal(keys.filter((k) => k.startsWith("vapi_")).length, 3 * 3);
  assert.equal(rec.WPP_3_2, run.mc.WPP[3]![2]);
  assert.ok(!("WPP_0_3" in rec));
  // A single name is accepted as a list of one.
  assert.deepEqual(parseParams({ record: "BPP" }).record, ["BPP"]);
  assert.throws(() => parseParams({ record: ["W"] }), /params\.record\[0\]: expected one of WPP/);
});
