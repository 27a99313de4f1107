/**
 * Simulation checkpoints: a `checkpoint:` section makes a simulation trial save its state every
 * few records; a run killed mid-trial and started again resumes from the last saved state and ends
 * with the same metrics as a run that was never interrupted.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readStatus } from "@plasticity/runner";
import { cli, cliCommand, exists, trialDirs, writeConfig } from "./_cli.ts";

const YY = (name: string, checkpoint: string) =>
  `name: ${name}
kind: simulation
simulation:
  name: microcircuit-yin-yang
  params: { dims: [4, 8, 3], n_epochs: 24, n_train: 60, n_valid: 10, n_test: 10 }
seed: 7
backend: js
${checkpoint}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const metricsOf = (dir: string) => Deno.readTextFileSync(join(dir, "metrics.jsonl"));

Deno.test("a killed simulation trial resumes from its last checkpoint and ends as an uninterrupted run", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "sim-resume-" });
  const config = writeConfig(tmp, "yy.yaml", YY("yy", "checkpoint: { every: 1 }\n"));

  // The reference: the same trial, never interrupted.
  const refRoot = join(tmp, "ref");
  const ref = await cli([config, "--progress", "none"], refRoot);
  assert.equal(ref.code, 0, ref.stderr);
  const [refDir] = trialDirs(join(refRoot, "yy"));
  assert.ok(!exists(join(refDir!, "sim_state.json")), "a finished trial keeps no state file");

  // Killed (the whole process group, SIGKILL) once a checkpoint after ≥ 3 epochs is on disk.
  const root = join(tmp, "results");
  const child = cliCommand([config, "--progress", "none"], root, { setsid: true }).spawn();
  let killedAt = -1;
  for (let waited = 0; waited < 120_000 && killedAt < 0; waited += 20) {
    await sleep(20);
    const [dir] = trialDirs(join(root, "yy"));
    if (!dir || !exists(join(dir, "sim_state.json"))) continue;
    let records = 0;
    try {
      records = JSON.parse(Deno.readTextFileSync(join(dir, "sim_state.json"))).records;
    } catch { /* being replaced: read it again */ }
    if (records >= 3) {
      Deno.kill(-child.pid, "SIGKILL");
      killedAt = records;
    }
  }
  await child.status;
  await Promise.all([child.stdout.cancel(), child.stderr.cancel()]);
  assert.ok(killedAt >= 3, "the run was killed after a checkpoint");
  const [dir] = trialDirs(join(root, "yy"));
  assert.notEqual(readStatus(dir!)?.state, "done", "killed before the end");
  const state = JSON.parse(Deno.readTextFileSync(join(dir!, "sim_state.json")));
  assert.ok(state.records >= killedAt && state.records < 25);

  // The rerun says it resumes, and ends with the reference's metrics, byte for byte.
  const again = await cli([config, "--progress", "plain"], root);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /resuming from its checkpoint after \d+ records/);
  const resumedAfter = Number(again.stderr.match(/after (\d+) records/)![1]);
  assert.ok(resumedAfter >= killedAt && resumedAfter < 25, `resumed after ${resumedAfter}`);
  assert.equal(readStatus(dir!)?.state, "done");
  assert.equal(metricsOf(dir!), metricsOf(refDir!));
  assert.equal(metricsOf(dir!).trim().split("\n").length, 25);
  assert.ok(!exists(join(dir!, "sim_state.json")));
  // The summary's wall time counts the killed run's seconds too.
  const summary = JSON.parse(Deno.readTextFileSync(join(dir!, "summary.json")));
  assert.ok(
    state.wall_s > 0 && summary.wall_s >= state.wall_s,
    `${summary.wall_s} ≥ ${state.wall_s}`,
  );
  Deno.removeSync(tmp, { recursive: true });
});

Deno.test("a simulation checkpoint is not resumed when it does not fit the metrics file, and a simulation that cannot save refuses the section", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "sim-resume-bad-" });
  const config = writeConfig(
    tmp,
    "yy.yaml",
    YY("yy", "checkpoint: true\n").replace("n_epochs: 24", "n_epochs: 3"),
  );
  const root = join(tmp, "results");
  assert.equal((await cli([config, "--progress", "none"], root)).code, 0);
  const [dir] = trialDirs(join(root, "yy"));
  const done = metricsOf(dir!);
  // Fake an unfinished run whose checkpoint claims more metrics than the file holds.
  Deno.writeTextFileSync(join(dir!, "status.json"), JSON.stringify({ state: "running" }));
  Deno.writeTextFileSync(
    join(dir!, "sim_state.json"),
    JSON.stringify({ records: 2, "metrics_bytes": 10 ** 7, state: {} }),
  );
  const again = await cli([config, "--progress", "plain"], root);
  assert.equal(again.code, 0, again.stderr);
  assert.match(
    again.stderr,
    /sim_state\.json not resumed \(metrics\.jsonl has \d+ bytes, expected 10000000\): starting the trial over/,
  );
  assert.equal(metricsOf(dir!), done, "started over, same result");

  const fig = writeConfig(
    tmp,
    "fig.yaml",
    `name: fig
kind: simulation
simulation: { name: microcircuit, params: { layers: [2, 3, 2], epochs: 1, dataset_size: 2, settling_time: 0 } }
checkpoint: true
backend: js
`,
  );
  const r = await cli([fig, "--progress", "none"], root);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /Simulation "microcircuit" cannot save its state: remove the checkpoint section/,
  );
  Deno.removeSync(tmp, { recursive: true });
});
