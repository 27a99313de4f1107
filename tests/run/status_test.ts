/**
 * `experimentStatus` on a config finds the config's trials whatever backend they ran with: trial
 * folders are written here by an independent writer (tests/_fake_results.ts), one trial on two
 * backends, another on a third, and a folder of another config.
 */
import assert from "node:assert/strict";
import { expandTrials, experimentStatus } from "@plasticity/runner";
import { writeFakeTrial } from "../_fake_results.ts";

const RAW = {
  name: "status-backends",
  dataset: { name: "sine", train_size: 20 },
  network: { sizes: [1, 4, 1] },
  rule: { name: "bp" },
  optimizer: { name: "sgd", lr: 0.1 },
  epochs: 1,
  seeds: [0],
  grid: { "optimizer.lr": [0.01, 0.1] },
};

async function configFor(backend: string, lr: number): Promise<Record<string, unknown>> {
  const trials = await expandTrials({ ...RAW, backend, grid: { "optimizer.lr": [lr] } });
  return trials[0]!.config as unknown as Record<string, unknown>;
}

Deno.test("status matches trial folders to the config's trials whatever backend they ran with", async () => {
  const root = Deno.makeTempDirSync({ prefix: "status-" });
  const write = async (backend: string, lr: number, state: string, error?: string) =>
    await writeFakeTrial(root, {
      config: await configFor(backend, lr),
      metrics: [],
      state,
      ...(error === undefined ? {} : { error }),
    });
  await write("js", 0.01, "done");
  await write("blas", 0.01, "failed", "boom");
  await write("tfjs-wasm", 0.1, "diverged", "Non-finite training loss NaN at epoch 1, batch 1");
  await write("js", 0.5, "done"); // not a trial of this config
  const expected = {
    total: 2,
    counts: { done: 1, diverged: 1 },
    others: 1,
    trials: [
      { state: "done", backends: ["blas", "js"], lr: 0.01 },
      { state: "diverged", backends: ["tfjs-wasm"], lr: 0.1 },
    ],
  };
  // Neither the config's own backend nor the backend option changes what is found.
  for (
    const [raw, options] of [
      [RAW, {}],
      [{ ...RAW, backend: "js" }, {}],
      [RAW, { backend: "blas" }],
      [{ ...RAW, backend: "js" }, { backend: "tfjs-wasm" }],
    ] as const
  ) {
    const s = await experimentStatus(raw, { resultsDir: root, ...options });
    assert.equal(s.total, expected.total);
    assert.deepEqual(s.counts, expected.counts);
    assert.equal(s.others, expected.others);
    assert.deepEqual(
      s.trials.map((t) => ({
        state: t.state,
        backends: t.backends,
        lr: t.point?.["optimizer.lr"],
      })),
      expected.trials,
    );
    // The run shown is the done one, named by its own folder id.
    assert.equal(s.trials[0]!.id, (await expandTrials({ ...RAW, backend: "js" }))[0]!.id);
    assert.equal(s.trials[1]!.error, "Non-finite training loss NaN at epoch 1, batch 1");
  }
  // A grid over backend: each run belongs to the trial of its own backend.
  const byBackend = await experimentStatus(
    { ...RAW, grid: { "optimizer.lr": [0.01], backend: ["js", "blas", "auto"] } },
    { resultsDir: root },
  );
  assert.deepEqual(byBackend.trials.map((t) => [t.state, t.backends]), [
    ["done", ["js"]],
    ["failed", ["blas"]],
    ["pending", []],
  ]);
  // The folder view lists each folder with its backend.
  const folder = await experimentStatus(`${root}/status-backends`);
  assert.equal(folder.total, 4);
  assert.deepEqual(folder.trials.map((t) => t.backends.join()).sort(), [
    "blas",
    "js",
    "js",
    "tfjs-wasm",
  ]);
  Deno.removeSync(root, { recursive: true });
});
