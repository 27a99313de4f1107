import assert from "node:assert/strict";
import { jsBackend } from "@plasticity/core";
import { createClassifier, MNIST_PAL, YIN_YANG_PAL } from "./classification.ts";
import {
  microcircuitMnistSimulation,
  microcircuitSimulation,
  microcircuitYinYangSimulation,
  MNIST_PARAMS_SCHEMA,
  type MnistImages,
  mnistSplits,
  resolveMnistParams,
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

/**
 * Stand-in MNIST whose pixels say which image they belong to: pixel j of training image i is
 * (3i + j) mod 256, of test image i (5i + 2j + 1) mod 256; labels (i mod 10) and (i + 3) mod 10.
 */
function fakeMnist(): MnistImages {
  const set = (
    n: number,
    pixel: (i: number, j: number) => number,
    label: (i: number) => number,
  ) => {
    const images = new Uint8Array(n * 784);
    for (let i = 0; i < n; i++) for (let j = 0; j < 784; j++) images[i * 784 + j] = pixel(i, j);
    return { images, labels: Uint8Array.from({ length: n }, (_, i) => label(i)), n };
  };
  return {
    train: set(60000, (i, j) => (3 * i + j) % 256, (i) => i % 10),
    test: set(10000, (i, j) => (5 * i + 2 * j + 1) % 256, (i) => (i + 3) % 10),
  };
}

Deno.test("mnistSplits: GeNN's split — train images 0…, validation 50 000…, the test set — / 256", () => {
  const m = fakeMnist();
  const s = mnistSplits(m, { n_train: 7, n_valid: 5, n_test: 4 });
  assert.deepEqual([s.train.n, s.validation.n, s.test.n], [7, 5, 4]);
  assert.deepEqual(
    [s.train.x.length, s.validation.x.length, s.test.x.length],
    [7 * 784, 5 * 784, 4 * 784],
  );
  const expectSplit = (
    split: { x: ArrayLike<number>; labels: ArrayLike<number>; n: number },
    first: number,
    pixel: (i: number, j: number) => number,
    label: (i: number) => number,
  ) => {
    for (let k = 0; k < split.n; k++) {
      assert.equal(split.labels[k], label(first + k));
      for (let j = 0; j < 784; j++) {
        assert.equal(split.x[k * 784 + j], pixel(first + k, j) / 256);
      }
    }
  };
  expectSplit(s.train, 0, (i, j) => (3 * i + j) % 256, (i) => i % 10);
  expectSplit(s.validation, 50000, (i, j) => (3 * i + j) % 256, (i) => i % 10);
  expectSplit(s.test, 0, (i, j) => (5 * i + 2 * j + 1) % 256, (i) => (i + 3) % 10);
  // The full protocol: 50 000 / 10 000 / 10 000, the last validation image is training image 59 999.
  const full = mnistSplits(m, resolveMnistParams({}).data);
  assert.deepEqual([full.train.n, full.validation.n, full.test.n], [50000, 10000, 10000]);
  assert.equal(full.validation.labels[9999], 59999 % 10);
  assert.equal(full.validation.x[9999 * 784 + 5], ((3 * 59999 + 5) % 256) / 256);
  assert.throws(
    () =>
      mnistSplits({ train: { ...m.test }, test: m.test }, { n_train: 1, n_valid: 1, n_test: 1 }),
    /^Error: Invalid MNIST training set: expected 60000 images of 784 pixels with labels, got 10000 images, 7840000 pixels and 10000 labels$/,
  );
});

Deno.test("microcircuit-mnist validates its parameters with one-line errors naming the key", () => {
  const def = microcircuitMnistSimulation({ mnist: fakeMnist });
  assert.equal(def.name, "microcircuit-mnist");
  assert.equal(def.schema, MNIST_PARAMS_SCHEMA);
  // The schema declares every key of MNIST_PAL, in its order, with its values as defaults.
  assert.equal(JSON.stringify(resolveMnistParams({}).classifier), JSON.stringify(MNIST_PAL));
  const cases: [Record<string, unknown>, RegExp][] = [
    [
      { dims: [784, 100, 3] },
      /simulation\.params\.dims: expected \[784, n, 10\] for MNIST, got \[784,100,3\]$/,
    ],
    [
      { dims: [4, 30, 3] },
      /simulation\.params\.dims: expected \[784, n, 10\] for MNIST, got \[4,30,3\]$/,
    ],
    [
      { n_train: 50001 },
      /simulation\.params\.n_train: expected an integer [^\n]*≤ 50000, got 50001$/,
    ],
    [{ n_valid: 0 }, /simulation\.params\.n_valid: expected an integer ≥ 1[^\n]*, got 0$/],
    [{ n_test: 2.5 }, /simulation\.params\.n_test: expected an integer[^\n]*, got 2\.5$/],
    [{ model_type: "DFA" }, /simulation\.params\.model_type: [^\n]*"DFA"$/],
    [
      { data_seed: 1 },
      /simulation\.params\.data_seed: unknown key \(value 1\); expected one of [^\n]*$/,
    ],
  ];
  for (const [params, re] of cases) {
    assert.throws(() => def.resolve(params), (e: Error) => {
      assert.match(e.message, re);
      assert.ok(!e.message.includes("\n"), e.message);
      return true;
    });
  }
});

Deno.test("microcircuit-mnist: a tiny run is deterministic and emits the records it announces", () => {
  let asked = 0;
  const def = microcircuitMnistSimulation({
    mnist: () => {
      asked++;
      return fakeMnist();
    },
  });
  const params = def.resolve({ n_epochs: 2, n_train: 12, n_valid: 6, n_test: 5 });
  const runOnce = () => {
    const sim = def.create(params, { seed: 123456, backend: jsBackend });
    const recs: Record<string, number>[] = [];
    sim.run((r) => recs.push(r));
    return { sim, recs };
  };
  const a = runOnce(), b = runOnce();
  assert.equal(asked, 2); // the host's images are asked for when a run starts
  assert.equal(a.sim.totalRecords, 3);
  assert.equal(a.recs.length, a.sim.totalRecords);
  assert.deepEqual(a.recs, b.recs);
  const epochKeys = ["angle_B_WT_0", "epoch", "val_accuracy", "val_error"];
  assert.deepEqual(Object.keys(a.recs[0]!).sort(), epochKeys);
  assert.deepEqual(a.recs.map((r) => r.epoch), [0, 1, 2]);
  assert.deepEqual(
    Object.keys(a.recs[2]!).sort(),
    [...epochKeys, "test_accuracy", "test_error"].sort(),
  );
  // Accuracies are multiples of 1 / n of their split.
  for (const r of a.recs) assert.equal(Math.round(r.val_accuracy! * 6) / 6, r.val_accuracy);
  assert.equal(Math.round(a.recs[2]!.test_accuracy! * 5) / 5, a.recs[2]!.test_accuracy);
  assert.deepEqual(a.sim.summary(), a.recs[2]);
  // It is the GeNN MNIST classifier on GeNN's split: the same as running that directly.
  const { classifier, data } = resolveMnistParams({
    n_epochs: 2,
    n_train: 12,
    n_valid: 6,
    n_test: 5,
  });
  const direct = createClassifier(classifier, 123456).run(mnistSplits(fakeMnist(), data));
  assert.deepEqual(a.sim.summary(), direct);
});

Deno.test("microcircuit-mnist: a run resumed from its checkpoint emits the remaining records of the uninterrupted run", () => {
  const def = microcircuitMnistSimulation({ mnist: fakeMnist });
  const params = def.resolve({ n_epochs: 4, n_train: 10, n_valid: 5, n_test: 5 });
  const full = def.create(params, { seed: 99, backend: jsBackend });
  const recs: Record<string, number>[] = [];
  const states: unknown[] = [];
  full.run((r) => {
    recs.push(r);
    if (recs.length < full.totalRecords) {
      states.push(JSON.parse(JSON.stringify(full.checkpoint!())));
    }
  });
  assert.equal(states.length, 4);
  for (const k of [1, 2, 4]) {
    const resumed = def.create(params, {
      seed: 99,
      backend: jsBackend,
      resume: { records: k, state: states[k - 1] },
    });
    const rest: Record<string, number>[] = [];
    resumed.run((r) => rest.push(r));
    assert.deepEqual(rest, recs.slice(k), `resumed after ${k} records`);
    assert.deepEqual(resumed.summary(), full.summary());
  }
  assert.throws(
    () =>
      def.create(params, {
        seed: 99,
        backend: jsBackend,
        resume: { records: 3, state: states[0] },
      }),
    /Invalid checkpoint of a classification run: expected the state after 0…4 epochs, got 1 at record 3/,
  );
});
