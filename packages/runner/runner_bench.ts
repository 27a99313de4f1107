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

// metrics.jsonl is appended: the cost per logged epoch must not grow with the epochs before it.
// Compare the time per epoch of the two (the 10 000-epoch run is 100 × the work of the other).
async function tinyTrial(epochs: number) {
  const [t] = await expandTrials({
    name: "bench-log",
    dataset: { name: "sine", train_size: 64, validation_size: 0, test_size: 32 },
    network: { sizes: [1, 8, 1] },
    rule: { name: "bp" },
    epochs,
    batch_size: 64,
    backend: "js",
    metrics: { diagnostics: false },
  });
  return t!.config;
}
const short = await tinyTrial(100), long = await tinyTrial(10_000);
Deno.bench("100 logged epochs of a 1-8-1 sine net", { group: "metrics log" }, async () => {
  await runTrial(short, dir, { force: true, log: () => {} });
});
Deno.bench(
  "10 000 logged epochs of a 1-8-1 sine net (100 × the work)",
  { group: "metrics log", n: 3, warmup: 1 },
  async () => {
    await runTrial(long, dir, { force: true, log: () => {} });
  },
);
