import assert from "node:assert/strict";
import { getSimulation, jsBackend } from "@plasticity/core";
import "./simulation.ts";

const FIG3 = new URL("../../../shared/reference/pal/Fig3abc/params.json", import.meta.url).pathname;

Deno.test("the microcircuit simulation validates params with one-line errors naming the key", () => {
  const def = getSimulation("microcircuit");
  def.validate({ file: FIG3, task: "bw_only" });
  assert.throws(
    () => def.validate({ file: "/nonexistent/params.json" }),
    /^Error: Invalid simulation\.params\.file "\/nonexistent\/params\.json": [^\n]*$/,
  );
  assert.throws(
    () => def.validate({ tauxi: -1 }),
    /simulation\.params\.tauxi -1: expected a positive number/,
  );
  assert.throws(
    () => def.validate({ layres: [1, 1, 1] }),
    /Unknown key simulation\.params\.layres/,
  );
});

Deno.test("the microcircuit simulation emits the announced records from a params.json file", () => {
  const sim = getSimulation("microcircuit").create(
    { file: FIG3, epochs: 1, rec_per_steps: 2000 },
    { seed: 123, backend: jsBackend },
  );
  // settling 10 000 + one epoch 10 000 steps, a record every 2000
  assert.equal(sim.totalRecords, 10);
  const recs: Record<string, number>[] = [];
  sim.run((r) => recs.push(r));
  assert.equal(recs.length, 10);
  assert.deepEqual(Object.keys(recs[0]!).sort(), [
    "angle_B_RHS_0",
    "angle_B_RHS_1",
    "angle_B_RHS_2",
    "angle_B_WT_0",
    "angle_B_WT_1",
    "angle_B_WT_2",
    "t",
  ]);
  assert.equal(recs[9]!.t, 0.2);
  assert.equal(sim.summary().records, 10);
});

Deno.test("the microcircuit-yin-yang simulation runs the GeNN schedule and validates its keys", () => {
  const def = getSimulation("microcircuit-yin-yang");
  assert.throws(() => def.validate({ dims: [4, 30, 2] }), /simulation\.params\.dims \[4,30,2\]/);
  assert.throws(() => def.validate({ n_train: 0 }), /simulation\.params\.n_train 0/);
  const sim = def.create({ n_epochs: 1, n_train: 5, n_valid: 4, n_test: 4 }, {
    seed: 3,
    backend: jsBackend,
  });
  assert.equal(sim.totalRecords, 2);
  const recs: Record<string, number>[] = [];
  sim.run((r) => recs.push(r));
  assert.equal(recs.length, 2);
  assert.ok(recs[1]!.test_accuracy! >= 0 && recs[1]!.test_accuracy! <= 1);
  assert.equal(sim.summary().test_accuracy, recs[1]!.test_accuracy);
});
