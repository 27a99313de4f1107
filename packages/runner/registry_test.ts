import assert from "node:assert/strict";
import { loadDataset } from "@plasticity/datasets";
import { mnistSplits } from "@plasticity/microcircuit/simulation";
import { embeddedMnistImages } from "./registry.ts";

Deno.test("microcircuit-mnist gets GeNN's MNIST split: the datasets loader's PAL protocol", async () => {
  // The datasets package's own reading of MNIST with the PAL protocol (pixels / 256, the last
  // 10 000 training images validate), from the data directory or the embedded package.
  const d = await loadDataset("mnist", {
    normalize: "div256",
    validation_size: 10000,
    validation_split: "tail",
  }, { seed: 0, log: () => {} });
  const s = mnistSplits(embeddedMnistImages(), { n_train: 50000, n_valid: 10000, n_test: 10000 });
  const pairs = [[s.train, d.train], [s.validation, d.validation!], [s.test, d.test]] as const;
  for (const [ours, theirs] of pairs) {
    assert.equal(ours.n, theirs.n);
    assert.deepEqual(Array.from(ours.labels), Array.from(theirs.labels!));
    for (const i of [0, 1, ours.n - 1]) {
      assert.deepEqual(
        Array.from({ length: 784 }, (_, j) => ours.x[i * 784 + j]),
        Array.from(theirs.x.subarray(i * 784, (i + 1) * 784)),
        `image ${i}`,
      );
    }
  }
});
