import { expandTrials, runTrial } from "./mod.ts";

const SWEEP = {
  name: "bench-grid",
  dataset: { name: "sine" },
  network: { sizes: [1, 16, 1] },
  rule: { name: "bp" },
  epochs: 1,
  seeds: [0, 1, 2, 3],
  grid: {
    "optimizer.lr": [0.001, 0.003, 0.01, 0.03, 0.1],
    "rule.name": ["bp", "fa", "dfa", "kp", "pc"],
  },
};

Deno.bench("expand a 5 × 5 grid × 4 seeds (100 trials, validated and hashed)", async () => {
  await expandTrials(SWEEP);
});

const [trial] = await expandTrials({
  name: "bench-trial",
  dataset: { name: "sine", train_size: 320, validation_size: 0, test_size: 64 },
  network: { sizes: [1, 16, 1] },
  rule: { name: "bp" },
  epochs: 1,
  batch_size: 32,
  backend: "js",
  seeds: [0],
});
const dir = Deno.makeTempDirSync({ prefix: "run-bench-" });

Deno.bench(
  "one tiny sine trial in-process with results on disk (10 batches, 2 evaluations)",
  async () => {
    await runTrial(trial!.config, dir, { force: true, log: () => {} });
  },
);
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
