/**
 * End-to-end tests of `deno task run` on tiny configs: bad input, a sweep killed with SIGKILL and
 * resumed, determinism, divergence / failure handling, simulations, status and clean.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readMetrics, readStatus } from "@plasticity/runner";
import { cli, cliCommand, exists, FIXTURES, trialDirs, writeConfig } from "./_cli.ts";

const SINE = `name: sine-e2e
dataset: { name: sine, train_size: 2400, validation_size: 0, test_size: 100 }
network: { sizes: [1, 8, 1], activation: tanh }
rule: bp
optimizer: { name: sgd, lr: 0.05 }
epochs: 3
batch_size: 4
seeds: [0, 1]
backend: js
grid: { "rule.name": [bp, fa] }
`;

Deno.test("bad input gives one line on stderr, exit code 2 and no results folder", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "run-bad-" });
  const results = join(tmp, "results");
  const cases: [string, string, RegExp][] = [
    [
      "malformed.yaml",
      "name: bad\nrule: [bp\n",
      /^error: .*malformed\.yaml:\d+:\d+: invalid YAML: /,
    ],
    [
      "unknown_key.yaml",
      SINE + "colour: blue\n",
      /^error: .*unknown_key\.yaml:11:1: colour: unknown key \(value "blue"\)/,
    ],
    [
      "wrong_type.yaml",
      SINE.replace("epochs: 3", "epochs: three"),
      /^error: .*wrong_type\.yaml:6:1: epochs: expected an integer ≥ 0 ≤ 1000000, got "three" \(grid point rule\.name="bp"\)$/,
    ],
    [
      "unknown_rule.yaml",
      SINE.replace('"rule.name": [bp, fa]', '"rule.name": [bp, nope]'),
      /^error: .*unknown_rule\.yaml:10:9: rule\.name: Unknown rule "nope": expected one of .*bp.*\(grid point rule\.name="nope"\)$/,
    ],
    [
      "unknown_dataset.yaml",
      SINE.replace("name: sine,", "name: sinus,"),
      /^error: .*unknown_dataset\.yaml:2:12: dataset\.name: Unknown dataset "sinus": expected one of .*sine/,
    ],
    ["missing.yaml", "", /^error: .*nothere\.yaml: cannot read config: no such file$/],
  ];
  await Promise.all(cases.map(async ([file, text, re]) => {
    const path = file === "missing.yaml" ? join(tmp, "nothere.yaml") : writeConfig(tmp, file, text);
    const r = await cli([path], results);
    assert.equal(r.code, 2, `${file}: ${r.stderr}`);
    assert.equal(r.stdout, "", file);
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, `${file}: ${r.stderr}`);
    assert.match(lines[0]!, re, file);
  }));
  const r = await cli([writeConfig(tmp, "ok.yaml", SINE), "--jobs", "zero"], results);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: --jobs: expected a positive integer, got "zero"\n$/);
  assert.ok(!exists(results), "no results folder is left behind");
  Deno.removeSync(tmp, { recursive: true });
});

Deno.test("a sweep killed with SIGKILL resumes to the same results, each trial once", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "run-kill-" });
  const config = writeConfig(tmp, "sine.yaml", SINE);
  const epochs = 3;

  // Uninterrupted reference run, alongside the interrupted one.
  const refRoot = join(tmp, "ref");
  const refRun = cli([config, "--jobs", "2", "--progress", "plain"], refRoot);

  // Interrupted run: kill the runner once one trial is done and another is part-way through.
  const root = join(tmp, "killed");
  const expDir = join(root, "sine-e2e");
  const child = cliCommand([config, "--jobs", "2", "--progress", "plain"], root).spawn();
  let killedMidRun = false;
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const dirs = trialDirs(expDir);
    const done = dirs.filter((d) => readStatus(d)?.state === "done");
    // a trial in its first or second of three epochs, at least a whole epoch from its end (a
    // trial killed late in its run can finish before its orphaned process notices the kill)
    const midway = dirs.filter((d) => {
      const rows = readMetrics(d).length;
      return readStatus(d)?.state === "running" && rows >= 1 && rows <= 2;
    });
    if (done.length >= 1 && midway.length >= 1) {
      child.kill("SIGKILL");
      killedMidRun = true;
      break;
    }
  }
  const status = await child.status;
  await Promise.all([child.stdout.cancel(), child.stderr.cancel()]);
  assert.ok(killedMidRun, "the sweep was killed while a trial was running");
  assert.equal(status.signal, "SIGKILL");
  await new Promise((r) => setTimeout(r, 300)); // let orphaned trial processes notice and exit

  const before = new Map<string, string>();
  let unfinished = 0;
  for (const d of trialDirs(expDir)) {
    const st = readStatus(d);
    if (st?.state === "done") {
      // anything that looks done is complete
      assert.ok(exists(join(d, "summary.json")) && exists(join(d, "meta.json")));
      assert.deepEqual(readMetrics(d).map((m) => m.epoch), [0, 1, 2, 3]);
      before.set(d, st.started);
    } else unfinished++;
  }
  assert.ok(before.size >= 1 && before.size < 4, `done before the kill: ${before.size}`);
  assert.ok(unfinished >= 1);

  const ref = await refRun;
  assert.equal(ref.code, 0, ref.stderr);
  const refDirs = trialDirs(join(refRoot, "sine-e2e"));
  assert.equal(refDirs.length, 4);

  const resumed = await cli([config, "--jobs", "2", "--progress", "plain"], root);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`${before.size} of 4 trials already finished`));
  const dirs = trialDirs(expDir);
  assert.deepEqual(dirs.map((d) => d.split("/").pop()), refDirs.map((d) => d.split("/").pop()));
  for (const d of dirs) {
    const st = readStatus(d)!;
    assert.equal(st.state, "done");
    // trials finished before the kill were not run again
    if (before.has(d)) assert.equal(st.started, before.get(d));
    const metrics = readMetrics(d);
    assert.deepEqual(metrics.map((m) => m.epoch), Array.from({ length: epochs + 1 }, (_, i) => i));
    // the same seed gives identical metrics.jsonl, interrupted or not
    const id = d.split("/").pop()!;
    assert.equal(
      Deno.readTextFileSync(join(d, "metrics.jsonl")),
      Deno.readTextFileSync(join(refRoot, "sine-e2e", id, "metrics.jsonl")),
    );
    const meta = JSON.parse(Deno.readTextFileSync(join(d, "meta.json")));
    assert.equal(meta.backend, "js");
  }
  Deno.removeSync(tmp, { recursive: true });
});

Deno.test("yin-yang: same seed twice gives identical metrics; accuracies are counts over the test set", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "run-yy-" });
  const testSize = 200;
  const config = writeConfig(
    tmp,
    "yy.yaml",
    `name: yy
dataset: { name: yin-yang, train_size: 300, validation_size: 0, test_size: ${testSize} }
network: { sizes: [4, 12, 3], activation: relu }
rule: { name: bp }
optimizer: { name: adam, lr: 0.01 }
loss: ce
epochs: 2
batch_size: 20
seeds: [7]
metrics: { diagnostics: false }
`,
  );
  const [a, b] = await Promise.all([
    cli([config, "--progress", "none", "--backend", "js"], join(tmp, "a")),
    cli([config, "--progress", "none", "--backend", "js"], join(tmp, "b")),
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const [da] = trialDirs(join(tmp, "a", "yy"));
  const [db] = trialDirs(join(tmp, "b", "yy"));
  const text = Deno.readTextFileSync(join(da!, "metrics.jsonl"));
  assert.equal(text, Deno.readTextFileSync(join(db!, "metrics.jsonl")));
  // the --backend flag wins over the config's default (auto) and is recorded
  assert.equal(JSON.parse(Deno.readTextFileSync(join(da!, "meta.json"))).backend, "js");
  assert.match(Deno.readTextFileSync(join(da!, "config.yaml")), /^backend: js$/m);
  const metrics = readMetrics(da!);
  assert.equal(metrics.length, 3);
  for (const m of metrics) {
    const acc = m.test_accuracy!;
    assert.ok(acc >= 0 && acc <= 1);
    assert.ok(
      Math.abs(acc * testSize - Math.round(acc * testSize)) < 1e-9,
      `accuracy ${acc} is k/${testSize}`,
    );
    assert.deepEqual(Object.keys(m), ["epoch", "train_loss", "test_loss", "test_accuracy"]);
  }
  Deno.removeSync(tmp, { recursive: true });
});

Deno.test("diverged and failed trials are recorded, the sweep goes on; status and clean", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "run-life-" });
  const root = join(tmp, "results");
  const config = writeConfig(
    tmp,
    "lin.yaml",
    `name: lin
dataset: { name: sine, train_size: 400, validation_size: 0, test_size: 400 }
network: { sizes: [1, 1] }
rule: { name: test-linear }
optimizer: { name: sgd, lr: 0.1 }
epochs: 15
batch_size: 10
seeds: [0]
backend: js
grid: { "rule.explode_after": [-1, 5], "network.sizes": [[1, 1], [2, 1]] }
`,
  );
  const args = ["--import", FIXTURES, "--progress", "plain"];
  const run1 = await cli([config, ...args], root);
  assert.equal(run1.code, 1, "a failed trial makes the exit code 1");
  const dirs = trialDirs(join(root, "lin"));
  assert.equal(dirs.length, 4);
  const states = dirs.map((d) => readStatus(d)!.state).sort();
  assert.deepEqual(states, ["diverged", "done", "failed", "failed"]);
  for (const d of dirs) {
    const st = readStatus(d)!;
    if (st.state === "failed") {
      assert.equal(
        st.error,
        "network.sizes: first size 2 does not match the 1 inputs of dataset sine",
      );
    }
    if (st.state === "diverged") {
      assert.equal(st.error, "Non-finite training loss NaN at epoch 1, batch 6");
      assert.ok(!exists(join(d, "summary.json")) || readMetrics(d).at(-1)!.train_loss === null);
    }
    if (st.state === "done") {
      // Least squares of sin x on x ~ U[−π, π): slope E[x sin x]/E[x²] = 3/π², and the half mean
      // squared residual ½(E[sin² x] − 3/π²) = ½(½ − 3/π²).
      const last = readMetrics(d).at(-1)!;
      assert.ok(Math.abs(last.weight_norm! - 3 / Math.PI ** 2) < 0.03, `slope ${last.weight_norm}`);
      assert.ok(
        Math.abs(last.test_loss! - 0.5 * (0.5 - 3 / Math.PI ** 2)) < 0.015,
        `loss ${last.test_loss}`,
      );
    }
  }
  const status = await cli(["status", config, "--import", FIXTURES], root);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /4 trials: (?=.*done 1)(?=.*diverged 1)(?=.*failed 2)/);
  const clean = await cli(["clean", join(root, "lin")], root);
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, /^removed 3 trial folders/);
  assert.equal(trialDirs(join(root, "lin")).length, 1);
  const dry = await cli([config, "--dry-run", ...args], root);
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal((dry.stdout.match(/pending/g) ?? []).length, 3);
  assert.equal((dry.stdout.match(/ done/g) ?? []).length, 1);
  assert.match(dry.stdout, /4 trials \(4 grid points × 1 seed\)/);
  Deno.removeSync(tmp, { recursive: true });
});

Deno.test("simulation trials record what the simulation emits, thinned by metrics.every", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "run-sim-" });
  const root = join(tmp, "results");
  const config = writeConfig(
    tmp,
    "decay.yaml",
    `name: decay
kind: simulation
simulation: { name: test-decay, params: { x0: 2, steps: 10, dt: 0.5 } }
metrics: { every: 3 }
backend: js
grid: { "simulation.params.tau": [1, 4] }
`,
  );
  const r = await cli([config, "--import", FIXTURES, "--progress", "none"], root);
  assert.equal(r.code, 0, r.stderr);
  const dirs = trialDirs(join(root, "decay"));
  assert.equal(dirs.length, 2);
  for (const d of dirs) {
    const tau = Deno.readTextFileSync(join(d, "config.yaml")).includes("tau: 4") ? 4 : 1;
    const metrics = readMetrics(d);
    assert.deepEqual(metrics.map((m) => m.t), [0, 1.5, 3, 4.5, 5]);
    for (const m of metrics) assert.ok(Math.abs(m.x! - 2 * Math.exp(-m.t! / tau)) < 1e-12);
    const summary = JSON.parse(Deno.readTextFileSync(join(d, "summary.json")));
    assert.ok(Math.abs(summary.x_final - 2 * Math.exp(-5 / tau)) < 1e-12);
    assert.ok(summary.wall_s >= 0);
    assert.equal(readStatus(d)!.state, "done");
  }
  Deno.removeSync(tmp, { recursive: true });
});

Deno.test("--dry-run of a 10⁶-trial sweep: refused without --allow-large, else a summary in seconds and bounded memory", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "run-huge-" });
  const results = join(tmp, "results");
  const lrs = Array.from({ length: 100 }, (_, i) => (i + 1) / 1000);
  const moms = Array.from({ length: 100 }, (_, i) => i / 100);
  const seeds = Array.from({ length: 100 }, (_, i) => i);
  const text = (momentum: number[]) =>
    `name: huge
dataset: { name: sine }
network: { sizes: [1, 4, 1] }
rule: bp
optimizer: { name: sgd }
epochs: 1
seeds: [${seeds.join(", ")}]
grid:
  optimizer.lr: [${lrs.join(", ")}]
  optimizer.momentum: [${momentum.join(", ")}]
`;
  const config = writeConfig(tmp, "huge.yaml", text(moms));
  // 256 MB of heap: far less than 10⁶ resolved trials take.
  const heap = ["--max-old-space-size=256"];

  const refused = await cli([config, "--dry-run"], results, { v8Flags: heap });
  assert.equal(refused.code, 2, refused.stderr);
  assert.equal(refused.stdout, "");
  assert.equal(
    refused.stderr,
    `error: ${config}:8:1: grid: 1000000 trials (10000 grid points × 100 seeds); expected at most 100000: shrink the sweep, or allow it with --allow-large (option maxTrials)\n`,
  );
  const refusedRun = await cli([config], results, { v8Flags: heap });
  assert.equal(refusedRun.code, 2, refusedRun.stderr);

  const dry = await cli([config, "--dry-run", "--allow-large"], results, { v8Flags: heap });
  assert.equal(dry.code, 0, dry.stderr);
  assert.ok(dry.seconds < 30, `took ${dry.seconds} s`);
  const lines = dry.stdout.trimEnd().split("\n");
  assert.match(lines[0]!, /^#\s+trial\s+optimizer\.lr\s+optimizer\.momentum\s+seed\s+state$/);
  // 20 rows: the first grid point (lr[0], momentum[0]) with seeds 0..19.
  for (let i = 0; i < 20; i++) {
    const cells = lines[1 + i]!.split(/\s+/);
    assert.deepEqual(
      [cells[0], cells[2], cells[3], cells[4], cells[5]],
      [String(i), String(lrs[0]), String(moms[0]), String(seeds[i]), "pending"],
    );
    assert.match(cells[1]!, /^[0-9a-f]{12}$/);
  }
  assert.equal(lines[21], "… and 999980 more");
  assert.equal(
    lines[22],
    `1000000 trials (10000 grid points × 100 seeds) → ${join(results, "huge")}`,
  );
  assert.match(lines[23]!, /^checked 101 of 10000 grid points/);
  assert.equal(lines.length, 24);
  assert.ok(!exists(results), "a dry run writes nothing");

  // Every grid value is checked once, so a bad last value is found without expanding the grid.
  const bad = writeConfig(tmp, "bad.yaml", text([...moms.slice(0, 99), 1.5]));
  const r = await cli([bad, "--dry-run", "--allow-large"], results, { v8Flags: heap });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(
    r.stderr,
    `error: ${bad}:10:3: optimizer.momentum: expected a number ≥ 0 ≤ 1, got 1.5 (grid point optimizer.lr=0.1, optimizer.momentum=1.5)\n`,
  );
  Deno.removeSync(tmp, { recursive: true });
});

Deno.test("status finds trials run with any backend; --backend may not contradict the config", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "run-status-" });
  const root = join(tmp, "results");
  const config = writeConfig(
    tmp,
    "decay.yaml",
    `name: decay-status
kind: simulation
simulation: { name: test-decay, params: { steps: 3 } }
grid: { "simulation.params.tau": [1, 2] }
`,
  );
  const imp = ["--import", FIXTURES];
  const run = await cli([config, ...imp, "--backend", "js", "--progress", "none"], root);
  assert.equal(run.code, 0, run.stderr);
  const dirs = trialDirs(join(root, "decay-status"));
  assert.equal(dirs.length, 2);
  const ids = dirs.map((d) => d.split("/").pop()!);
  // Whatever backend status is asked for, by flag or variable, it finds the js runs.
  for (
    const [args, env] of [
      [[], {}],
      [[], { PLASTICITY_BACKEND: "tfjs-wasm" }],
      [["--backend", "blas"], {}],
    ] as [string[], Record<string, string>][]
  ) {
    const s = await cli(["status", config, ...imp, ...args], root, { env });
    assert.equal(s.code, 0, s.stderr);
    const lines = s.stdout.trimEnd().split("\n");
    assert.equal(
      lines[0],
      `${join(root, "decay-status")}: 2 trials: done 2 (run with js 2)`,
      JSON.stringify(env),
    );
    assert.match(lines[1]!, /^#\s+trial\s+simulation\.params\.tau\s+seed\s+state\s+backends$/);
    const rows = lines.slice(2).map((l) => l.split(/\s+/));
    assert.deepEqual(rows.map((c) => [c[2], c[4], c[5]]), [["1", "done", "js"], [
      "2",
      "done",
      "js",
    ]]);
    assert.deepEqual(rows.map((c) => c[1]).sort(), ids);
  }
  // A config's backend that the flag contradicts is a config error; nothing is run or written.
  const pinned = writeConfig(tmp, "pinned.yaml", SINE);
  for (const extra of [[], ["--dry-run"]]) {
    const r = await cli([pinned, "--backend", "blas", ...extra], root);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      `error: --backend: "blas" conflicts with the config's backend "js"; drop one\n`,
    );
  }
  const grid = writeConfig(
    tmp,
    "grid.yaml",
    SINE.replace("backend: js\n", "").replace(
      'grid: { "rule.name": [bp, fa] }',
      'grid: { "rule.name": [bp, fa], backend: [js, tfjs-wasm] }',
    ),
  );
  const g = await cli([grid, "--backend", "js", "--dry-run"], root);
  assert.equal(g.code, 2, g.stderr);
  assert.equal(
    g.stderr,
    `error: --backend: "js" conflicts with the config's grid over backend ["js","tfjs-wasm"]; drop one\n`,
  );
  assert.ok(!exists(join(root, "sine-e2e")));
  Deno.removeSync(tmp, { recursive: true });
});

Deno.test("schema: prints the committed JSON Schema; --import adds a module's rules", async () => {
  const root = await Deno.makeTempDir();
  const plain = await cli(["schema"], root);
  assert.equal(plain.code, 0, plain.stderr);
  const committed = new URL("../../apps/run/experiment.schema.json", import.meta.url);
  assert.equal(plain.stdout, Deno.readTextFileSync(committed));
  const withFixtures = await cli(["schema", "--import", FIXTURES], root);
  const rules = (s: string) => JSON.parse(s).properties.rule.anyOf[0].enum as string[];
  assert.ok(!rules(plain.stdout).includes("test-linear"));
  assert.ok(rules(withFixtures.stdout).includes("test-linear"));
  const bad = await cli(["schema", "extra"], root);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /schema: expected no arguments, got 1/);
  await Deno.remove(root, { recursive: true });
});

Deno.test("every error of a config at once, each with its line and column", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "run-errors-" });
  const results = join(tmp, "results");
  const text = `name: many-errors
dataset: { name: sine, train_size: 64, test_size: 16 }
network: { sizes: [1, 8, 1], activation: tanh }
rule: { name: fa, T: 3 }
optimizer: { name: sgd, lr: -1 }
epochs: 2
batch_size: 0
colour: blue
seeds: [0]
`;
  const path = writeConfig(tmp, "many.yaml", text);
  const r = await cli([path], results);
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trimEnd().split("\n");
  const expected = [
    /^error: .*many\.yaml:8:1: colour: unknown key/,
    /^error: .*many\.yaml:4:19: rule\.T: unknown key \(value 3\)/,
    /^error: .*many\.yaml:5:25: optimizer\.lr: expected a number/,
    /^error: .*many\.yaml:7:1: batch_size: expected an integer ≥ 1/,
  ];
  assert.equal(lines.length, expected.length, r.stderr);
  for (const re of expected) assert.ok(lines.some((l) => re.test(l)), `${re} in\n${r.stderr}`);
  assert.equal(await exists(results), false, "nothing written");
  // The same file with the errors fixed runs.
  const fixed = writeConfig(
    tmp,
    "fixed.yaml",
    text.replace(", T: 3", "").replace("lr: -1", "lr: 0.1").replace(
      "batch_size: 0",
      "batch_size: 8",
    )
      .replace("colour: blue\n", ""),
  );
  assert.equal((await cli([fixed, "--dry-run"], results)).code, 0);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("several configs run one after another; a bad one stops the command before any trial", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "run-several-" });
  const results = join(tmp, "results");
  const tiny = (name: string) =>
    SINE.replace("name: sine-e2e", `name: ${name}`).replace("train_size: 2400", "train_size: 40")
      .replace("epochs: 3", "epochs: 1");
  const a = writeConfig(tmp, "a.yaml", tiny("first"));
  const b = writeConfig(tmp, "b.yaml", tiny("second"));
  const bad = writeConfig(tmp, "bad.yaml", tiny("third") + "colour: blue\n");
  // The bad file is last: nothing runs, one line names it, exit code 2.
  const refused = await cli([a, b, bad], results);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(
    refused.stderr,
    /^error: .*bad\.yaml:11:1: colour: unknown key \(value "blue"\); expected one of [^\n]*\n$/,
  );
  assert.ok(!exists(results), "no trial ran before the bad config was found");
  // Good files: each experiment's trials, in the order given, with one summary line each.
  const r = await cli([a, b, "--jobs", "2", "--progress", "none"], results);
  assert.equal(r.code, 0, r.stderr);
  const summaries = r.stderr.split("\n").filter((l) => / trials: /.test(l));
  assert.deepEqual(summaries.map((l) => l.split(":")[0]), ["first", "second"]);
  for (const name of ["first", "second"]) {
    const dirs = trialDirs(join(results, name));
    assert.equal(dirs.length, 4, name);
    for (const d of dirs) assert.equal(readStatus(d)?.state, "done", d);
  }
  // One config at most with --dry-run, and for status.
  for (const args of [[a, b, "--dry-run"], ["status", a, b]]) {
    const x = await cli(args, results);
    assert.equal(x.code, 2);
    assert.match(x.stderr, /^error: (run|status): expected /);
  }
  Deno.removeSync(tmp, { recursive: true });
});
