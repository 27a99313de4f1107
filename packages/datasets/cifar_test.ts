import assert from "node:assert/strict";
import { join } from "node:path";
import { loadDataset } from "./load.ts";
import { parseCifar } from "./cifar.ts";
import { cifarFile, writeCifarBatch } from "./_test_files.ts";
import { CIFAR_MEAN, CIFAR_STD } from "./transform.ts";

/** Full-size batches (10 000 records): `perBatch` records with labels, then black class-0 ones. */
async function writeCifar(dir: string, perBatch: number): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (let b = 1; b <= 5; b++) {
    await writeCifarBatch(
      join(dir, `data_batch_${b}.bin`),
      Array.from({ length: perBatch }, (_, i) => (i + b) % 10),
    );
  }
  await writeCifarBatch(join(dir, "test_batch.bin"), [3, 1, 4]);
}

Deno.test("parseCifar reads label + channel-major pixels and rejects bad files", () => {
  const r = parseCifar(cifarFile([6, 2]), "x.bin");
  assert.equal(r.n, 2);
  assert.deepEqual(Array.from(r.labels), [6, 2]);
  // sample 1, green channel, pixel 5: (1 + 7 + 5) mod 256
  assert.equal(r.images[3072 + 1024 + 5], 13);
  assert.throws(() => parseCifar(cifarFile([1]).subarray(0, 3000), "t.bin"), {
    message:
      'File "t.bin" is truncated or not CIFAR-10 binary: 3000 bytes is not a positive multiple of 3073 (1 label byte + 3072 pixel bytes)',
  });
  const bad = cifarFile([1, 2]);
  bad[3073] = 11;
  assert.throws(
    () => parseCifar(bad, "b.bin"),
    /File "b\.bin" has label 11 in record 1: expected 0\.\.9/,
  );
});

Deno.test("CIFAR-10 from the data directory: RGB with CorInfoMax normalisation, and grayscale", async () => {
  const data = await Deno.makeTempDir({ prefix: "plasticity-cifar-" });
  try {
    await assert.rejects(
      loadDataset("cifar10", {}, { seed: 0, dataDir: data }),
      /deno task data download cifar10/,
    );
    const dir = join(data, "cifar10", "cifar-10-batches-bin");
    await writeCifar(dir, 4);
    const d = await loadDataset("cifar10", { normalize: "cifar-corinfomax", train_size: 20 }, {
      seed: 0,
      dataDir: data,
    });
    assert.equal(d.train.n, 20);
    assert.equal(d.test.n, 10000);
    assert.equal(d.train.inputDim, 3072);
    assert.deepEqual(Array.from(d.test.labels!.subarray(0, 4)), [3, 1, 4, 0]);
    // test sample 2, blue channel, pixel 0: byte (2 + 14 + 0) = 16
    const want = (16 / 255 - CIFAR_MEAN[2]!) / (3 * CIFAR_STD[2]!);
    assert.ok(Math.abs(d.test.x[2 * 3072 + 2048]! - want) < 1e-6);

    const g = await loadDataset("cifar10", { grayscale: true, train_size: 20 }, {
      seed: 0,
      dataDir: data,
    });
    assert.equal(g.train.inputDim, 1024);
    // test sample 0, pixel 10: R = 10, G = 17, B = 24
    const l = Math.round(0.299 * 10 + 0.587 * 17 + 0.114 * 24);
    assert.ok(Math.abs(g.test.x[10]! - l / 255) < 1e-6);
    await assert.rejects(
      loadDataset("cifar10", { grayscale: true, normalize: "cifar" }, { seed: 0, dataDir: data }),
      /^DatasetError: dataset\.normalize: "cifar" needs the 3 colour channels, but dataset\.grayscale is true/,
    );

    await Deno.writeFile(join(dir, "data_batch_3.bin"), cifarFile([1, 2]).subarray(0, 5000));
    await assert.rejects(
      loadDataset("cifar10", {}, { seed: 0, dataDir: data }),
      /data_batch_3\.bin" has 5000 bytes: expected 30730000 \(10000 records of 3073 bytes\)/,
    );
    await Deno.remove(join(dir, "data_batch_3.bin"));
    await assert.rejects(
      loadDataset("cifar10", {}, { seed: 0, dataDir: data }),
      /Incomplete CIFAR-10 in/,
    );
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});
