import assert from "node:assert/strict";
import { jsBackend } from "@plasticity/core";
import { createClassifier, YIN_YANG_PAL } from "./classification.ts";
import {
  microcircuitSimulation,
  microcircuitYinYangSimulation,
  resolveYinYangParams,
} from "./simulation.ts";

const FIG3 = new URL("../../../shared/reference/pal/Fig3abc/params.json", import.meta.url).pathname;
// The tests are the edge here: the simulation reads the file through the host they give it.
const fromDisk = microcircuitSimulation({ readTextFile: (path) => Deno.readTextFileSync(path) });

Deno.test("the microcircuit simulation resolves params with one-line errors naming the key", () => {
  const def = fromDisk;
  def.resolve({ file: FIG3, task: "bw_only" });
  assert.throws(
    () => def.resolve({ file: "/nonexistent/params.json" }),
    /^Error: Invalid simulation\.params\.file "\/nonexistent\/params\.json": [^\n]*$/,
  );
  assert.throws(
    () => def.resolve({ tauxi: -1 }),
    /simulation\.params\.tauxi: expected a number > 0, got -1$/,
  );
  assert.throws(
    () => def.resolve({ layres: [1, 1, 1] }),
    /simulation\.params\.layres: unknown key \(value \[1,1,1\]\); expected one of /,
  );
});

Deno.test("the microcircuit simulation emits the announced records from a params.json file", () => {
  const sim = fromDisk.create(
    fromDisk.resolve({ file: FIG3, epochs: 1, rec_per_steps: 2000 }),
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

/** Stand-in yin-yang data: `size` points, labels cycling 0, 1, 2, coordinates from the seed. */
function fakeYinYang(size: number, seed: number): { x: number[]; labels: number[] } {
  const labels = Array.from({ length: size }, (_, i) => i % 3);
  const x = labels.flatMap((c, i) => {
    const a = ((seed + 7 * i) % 97) / 97, b = (c + 0.5) / 3;
    return [a, b, 1 - a, 1 - b];
  });
  return { x, labels };
}

Deno.test("the microcircuit simulation reads its file through the host only", () => {
  const read: string[] = [];
  const def = microcircuitSimulation({
    readTextFile: (path) => {
      read.push(path);
      return '{"epochs": 1, "rec_per_steps": 2000}';
    },
  });
  const params = def.resolve({ file: "a.json", epochs: 2 });
  const sim = def.create(params, { seed: 123, backend: jsBackend });
  // Read once, when resolved: the resolved parameters carry the file's values.
  assert.deepEqual(read, ["a.json"]);
  assert.equal(params.rec_per_steps, 2000);
  // settling 10 000 + two epochs of 10 000 steps (the key overrides the file), a record every 2000
  assert.equal(sim.totalRecords, 15);
  assert.throws(
    () =>
      microcircuitSimulation({
        readTextFile: () => {
          throw new Error("no such file");
        },
      }).resolve({ file: "b.json" }),
    /^Error: Invalid simulation\.params\.file "b\.json": no such file$/,
  );
});

Deno.test("the microcircuit-yin-yang simulation runs the GeNN schedule and validates its keys", () => {
  const asked: [number, number][] = [];
  const def = microcircuitYinYangSimulation({
    yinYang: (size, seed) => {
      asked.push([size, seed]);
      return fakeYinYang(size, seed);
    },
  });
  assert.throws(
    () => def.resolve({ dims: [4, 30, 2] }),
    /simulation\.params\.dims: expected \[4, n, 3\] for yin-yang, got \[4,30,2\]$/,
  );
  assert.throws(
    () => def.resolve({ n_train: 0 }),
    /simulation\.params\.n_train: expected an integer ≥ 1, got 0$/,
  );
  const sim = def.create(def.resolve({ n_epochs: 1, n_train: 5, n_valid: 4, n_test: 4 }), {
    seed: 3,
    backend: jsBackend,
  });
  assert.equal(sim.totalRecords, 2);
  const recs: Record<string, number>[] = [];
  sim.run((r) => recs.push(r));
  assert.equal(recs.length, 2);
  assert.ok(recs[1]!.test_accuracy! >= 0 && recs[1]!.test_accuracy! <= 1);
  assert.equal(sim.summary().test_accuracy, recs[1]!.test_accuracy);
  // 3 samples per class and split, seeds data_seed, +1, +2 (GeNN's 9876543).
  assert.deepEqual(asked, [[15, 9876543], [12, 9876544], [12, 9876545]]);
  // The same classifier on the same data gives the same summary.
  const { classifier } = resolveYinYangParams({ n_epochs: 1 });
  // The schema declares every key of YIN_YANG_PAL, in its order, with its values as defaults.
  assert.equal(
    JSON.stringify(resolveYinYangParams({}).classifier),
    JSON.stringify(YIN_YANG_PAL),
  );
  const split = (n: number, seed: number) => ({ ...fakeYinYang(n, seed), n });
  const direct = createClassifier(classifier, 3).run({
    train: split(15, 9876543),
    validation: split(12, 9876544),
    test: split(12, 9876545),
  });
  assert.deepEqual(sim.summary(), direct);
});
