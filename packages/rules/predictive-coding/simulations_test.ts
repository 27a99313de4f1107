import assert from "node:assert/strict";
import { getSimulation, jsBackend, type SimRecord } from "@plasticity/core";
import "./simulations.ts";

function runAll(name: string, params: Record<string, unknown>, seed = 0) {
  const def = getSimulation(name);
  const sim = def.create(def.resolve(params), { seed, backend: jsBackend });
  const rows: SimRecord[] = [];
  sim.run((r) => rows.push(r));
  assert.equal(rows.length, sim.totalRecords);
  return { rows, summary: sim.summary() };
}

Deno.test("Fig. 3a: BP's correct output dips below 0.8, PC's stays above 0.9, both reach (0, 1)", () => {
  const { rows, summary } = runAll("pc-output-trajectory", {});
  assert.deepEqual(Object.keys(rows[0]!).sort(), [
    "bp_out0",
    "bp_out1",
    "iteration",
    "pc_out0",
    "pc_out1",
  ]);
  assert.deepEqual(rows[0], { iteration: 0, pc_out0: 1, pc_out1: 1, bp_out0: 1, bp_out1: 1 });
  // BP's first step is exact arithmetic: the gradient on W₂ is (1, 0) and on W₁ is 1, so with
  // α = 0.2 the hidden unit becomes 0.8 and the outputs (0.8·0.8, 0.8·1) = (0.64, 0.8).
  assert.ok(Math.abs(rows[1]!.bp_out0! - 0.64) < 1e-6 && Math.abs(rows[1]!.bp_out1! - 0.8) < 1e-6);
  assert.ok(summary.bp_out1_min! < 0.8, `BP minimum ${summary.bp_out1_min}`);
  assert.ok(summary.pc_out1_min! > 0.9, `PC minimum ${summary.pc_out1_min}`);
  for (const k of ["pc", "bp"]) {
    assert.ok(
      Math.abs(summary[`${k}_out0_final`]!) < 0.01 &&
        Math.abs(summary[`${k}_out1_final`]! - 1) < 0.01,
    );
  }
});

Deno.test("Fig. 3e: a single layer aligns perfectly; a deep linear net aligns better under PC", () => {
  // L = 1: Δŷ = α‖s‖² e for both rules, so the alignment is exactly 1.
  const { rows } = runAll("pc-target-alignment", { depths: [1], seeds: 2, width: 16, T: 32 });
  for (const r of rows) {
    assert.ok(r.pc_target_alignment! > 1 - 1e-6 && r.bp_target_alignment! > 1 - 1e-6);
  }
  const deep = runAll("pc-target-alignment", { depths: [10], seeds: 3, width: 32, T: 256 }, 4);
  assert.deepEqual(Object.keys(deep.rows[0]!).sort(), [
    "bp_target_alignment",
    "depth",
    "pc_target_alignment",
    "seed",
  ]);
  assert.ok(
    deep.summary.pc_mean_L10! > deep.summary.bp_mean_L10! + 0.2,
    `PC ${deep.summary.pc_mean_L10} vs BP ${deep.summary.bp_mean_L10}`,
  );
});

Deno.test("simulation parameters are validated with one-line errors", () => {
  const traj = getSimulation("pc-output-trajectory"), ta = getSimulation("pc-target-alignment");
  assert.throws(
    () => traj.resolve({ lr: "fast" }),
    /^SchemaError: simulation\.params\.lr: expected a number ≥ 0, got "fast"$/,
  );
  assert.throws(
    () => traj.resolve({ target: [1, 2, 3] }),
    /simulation\.params\.target: expected two numbers/,
  );
  assert.throws(() => traj.resolve({ steps: 3 }), /simulation\.params\.steps: unknown key/);
  assert.throws(
    () => ta.resolve({ depths: [0, 2] }),
    /simulation\.params\.depths: expected a non-empty list of integers ≥ 1/,
  );
  assert.throws(
    () => ta.resolve({ seeds: 1.5 }),
    /simulation\.params\.seeds: expected an integer ≥ 1, got 1\.5/,
  );
});
