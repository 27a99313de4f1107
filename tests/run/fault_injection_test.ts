/**
 * Fault injection against the runner's results: a sweep killed at 20 seeded random moments (the
 * runner alone or its whole process group, in normal and in `--force` runs), `clean` run against
 * a live sweep, and two runners plus a forced rerun sharing one folder. Each ends with every
 * trial finished exactly once (forced reruns aside), no complete result lost at any moment, and
 * every file equal to the one of an uninterrupted run.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readStatus, trialLocked } from "@plasticity/runner";
import { cli, cliCommand, exists, trialDirs, writeConfig } from "./_cli.ts";

const CRASH = `name: crash
dataset: { name: sine, train_size: 256, validation_size: 0, test_size: 64 }
network: { sizes: [1, 64, 1], activation: tanh }
rule: bp
optimizer: { name: sgd, lr: 0.05 }
epochs: 300
batch_size: 16
seeds: [0, 1, 2, 3]
backend: js
grid: { "rule.name": [bp, fa] }
`;
const N_TRIALS = 8;
const ANALYZE = new URL("../../apps/analyze/main.ts", import.meta.url).pathname;

/** `deno task analyze <paths> --y test_loss --group …` into a fresh folder: table.csv and stderr. */
async function analyzeCsv(
  paths: string[],
  group: string,
): Promise<{ csv: string; stderr: string }> {
  const out = Deno.makeTempDirSync({ prefix: "fault-analyze-" }) + "/report";
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      ANALYZE,
      ...paths,
      "--y",
      "test_loss",
      "--group",
      group,
      "--out",
      out,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(r.stderr);
  assert.equal(r.code, 0, stderr);
  const csv = Deno.readTextFileSync(join(out, "table.csv"));
  Deno.removeSync(join(out, ".."), { recursive: true });
  return { csv, stderr };
}

/** Mean of the final test loss of the given trials of the reference run, per rule. */
function referenceMeans(
  ref: Map<string, ReturnType<typeof result>>,
  ids: Iterable<string>,
  rule: Map<string, string>,
) {
  const sums = new Map<string, { n: number; sum: number }>();
  for (const id of ids) {
    const r = rule.get(id)!;
    const s = sums.get(r) ?? { n: 0, sum: 0 };
    s.n++;
    s.sum += ref.get(id)!.summary.test_loss as number;
    sums.set(r, s);
  }
  return sums;
}

/** A seeded generator of the kill moments (mulberry32), so a failure can be replayed. */
function moments(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The files of a finished trial that must not depend on how it was run. */
function result(dir: string): { metrics: string; summary: Record<string, unknown> } {
  const { wall_s: _w, ...summary } = JSON.parse(Deno.readTextFileSync(join(dir, "summary.json")));
  return { metrics: Deno.readTextFileSync(join(dir, "metrics.jsonl")), summary };
}

/** Waits until no trial of the experiment is held by a (possibly orphaned) process. */
/**
 * The trial folders that hold a config.yaml, as analyze finds trials: a kill between a folder's
 * creation and its config.yaml leaves a folder that is not a trial yet.
 */
function trials(expDir: string): string[] {
  return trialDirs(expDir).filter((d) => exists(join(d, "config.yaml")));
}

/** Resolves once two trials are done and another has started (polling the trial folders). */
async function partialState(expDir: string): Promise<void> {
  for (;;) {
    const dirs = trials(expDir);
    const done = dirs.filter((d) => readStatus(d)?.state === "done").length;
    if (done === N_TRIALS || (done >= 2 && dirs.length > done)) return;
    await sleep(100);
  }
}

async function settle(expDir: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (!trialDirs(expDir).some((d) => trialLocked(d))) return;
    await sleep(20);
  }
  assert.fail("trial processes kept their locks 5 s after their runner died");
}

/** Hidden leftovers of killed processes: temp files, staging and trash folders. */
function leftovers(expDir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(expDir)) {
    if (e.isDirectory && /^\.[0-9a-f]{12}\.(next|prev|trash)$/.test(e.name)) out.push(e.name);
  }
  for (const d of trialDirs(expDir)) {
    for (const e of Deno.readDirSync(d)) if (e.name.endsWith(".tmp")) out.push(e.name);
  }
  return out;
}

let reference: Map<string, ReturnType<typeof result>> | undefined;

/** The uninterrupted run, computed once for all tests. */
async function referenceRun(tmp: string, config: string) {
  if (reference) return reference;
  const root = join(tmp, "reference");
  const r = await cli([config, "--jobs", "2", "--progress", "none"], root);
  assert.equal(r.code, 0, r.stderr);
  const dirs = trialDirs(join(root, "crash"));
  assert.equal(dirs.length, N_TRIALS);
  reference = new Map(dirs.map((d) => [d.split("/").pop()!, result(d)]));
  return reference;
}

/** Every trial folder holds a result equal to the reference's, or no complete result at all. */
function checkAgainst(
  ref: Map<string, ReturnType<typeof result>>,
  expDir: string,
  { allDone = false } = {},
): Map<string, string> {
  const started = new Map<string, string>();
  for (const d of trialDirs(expDir)) {
    const id = d.split("/").pop()!;
    const st = readStatus(d);
    assert.notEqual(st?.state, "failed", `${id} failed: ${st?.error}`);
    assert.notEqual(st?.state, "diverged", `${id} diverged: ${st?.error}`);
    if (st?.state !== "done") {
      assert.ok(!allDone, `${id} is ${st?.state ?? "without a status"}`);
      continue;
    }
    assert.ok(exists(join(d, "config.yaml")) && exists(join(d, "meta.json")), `${id} complete`);
    assert.deepEqual(result(d), ref.get(id), `${id} equals the uninterrupted run`);
    started.set(id, st.started);
  }
  if (allDone) assert.equal(started.size, N_TRIALS);
  return started;
}

Deno.test("20 kills at random moments: each trial ends once, nothing complete is lost, results equal an uninterrupted run", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "fault-kill-" });
  const config = writeConfig(tmp, "crash.yaml", CRASH);
  const ref = await referenceRun(tmp, config);
  const root = join(tmp, "killed");
  const expDir = join(root, "crash");
  const next = moments(16);
  const finishedAt = new Map<string, string>();
  let kills = 0, forcedKills = 0, groupKills = 0;
  // A copy of the folder taken part-way, holding finished and unfinished trials.
  const partial = join(tmp, "partial");
  let partialDone: string[] | undefined;
  for (let round = 0; kills < 20 && round < 60; round++) {
    // Once everything is done, the kills hit forced reruns instead.
    const force = finishedAt.size === N_TRIALS;
    // On a slow (loaded) machine the kills at random moments may all land before any trial
    // finishes. From the 15th kill on, a normal run is killed only once it has two trials done and
    // another started (so a partial copy can be taken), and once that copy exists a normal run is
    // left to finish, so the remaining kills hit forced reruns whatever the machine's speed.
    const progress = !force && kills >= 14;
    const args = [config, "--jobs", "2", "--progress", "none", ...(force ? ["--force"] : [])];
    const child = cliCommand(args, root, { setsid: true }).spawn();
    const exited = child.status.then(() => true);
    const delay = 400 + next() * 2600;
    const group = next() < 0.5;
    const early = progress && partialDone ? await exited : await Promise.race([
      exited,
      progress ? partialState(expDir).then(() => false) : sleep(delay).then(() => false),
    ]);
    if (!early) {
      if (group) Deno.kill(-child.pid, "SIGKILL");
      else child.kill("SIGKILL");
      kills++;
      if (force) forcedKills++;
      if (group) groupKills++;
    }
    await child.status;
    await Promise.all([child.stdout.cancel(), child.stderr.cancel()]);
    await settle(expDir);
    const started = checkAgainst(ref, expDir, { allDone: force });
    for (const [id, s] of started) {
      // A trial done before is never run again by a normal run.
      if (!force && finishedAt.has(id)) assert.equal(s, finishedAt.get(id), `${id} ran twice`);
      finishedAt.set(id, s);
    }
    const unfinished = trials(expDir).length - started.size;
    if (!partialDone && started.size >= 2 && unfinished >= 1) {
      const copy = await new Deno.Command("cp", { args: ["-r", root, partial] }).output();
      assert.ok(copy.success);
      partialDone = [...started.keys()];
    }
  }
  assert.equal(kills, 20);
  assert.ok(forcedKills >= 1 && groupKills >= 1 && groupKills < 20, `${forcedKills} ${groupKills}`);
  const last = await cli([config, "--jobs", "2", "--progress", "none"], root);
  assert.equal(last.code, 0, last.stderr);
  checkAgainst(ref, expDir, { allDone: true });
  assert.deepEqual(leftovers(expDir), [], "a run removes what killed runs left behind");

  // analyze: the killed-and-resumed folder gives the statistics of the uninterrupted one.
  const killed = await analyzeCsv([root], "rule.name");
  const uninterrupted = await analyzeCsv([join(tmp, "reference")], "rule.name");
  assert.equal(killed.csv, uninterrupted.csv);
  // The partial copy: unfinished trials are left out and counted; the rest are the reference's.
  assert.ok(partialDone, "a copy was taken part-way");
  const part = await analyzeCsv([partial], "rule.name");
  const leftOut = trials(join(partial, "crash")).length - partialDone.length;
  assert.match(part.stderr, new RegExp(`^Left out ${leftOut} unfinished trials? `, "m"));
  const rule = new Map(
    trialDirs(expDir).map((d) => [
      d.split("/").pop()!,
      /rule:\n\s+name: (\w+)/.exec(Deno.readTextFileSync(join(d, "config.yaml")))![1]!,
    ]),
  );
  const want = referenceMeans(ref, partialDone, rule);
  const rows = part.csv.trim().split("\n").slice(1).map((l) => l.split(","));
  assert.equal(rows.length, want.size);
  for (const [r, n, mean] of rows) {
    assert.equal(Number(n), want.get(r!)!.n, `${r}: n`);
    assert.ok(Math.abs(Number(mean) - want.get(r!)!.sum / want.get(r!)!.n) < 1e-12, `${r}: mean`);
  }
  // Two copies of one folder, told apart by their commit: two groups, each complete.
  const copy = join(tmp, "copy");
  assert.ok((await new Deno.Command("cp", { args: ["-r", root, copy] }).output()).success);
  for (const d of trialDirs(join(copy, "crash"))) {
    const meta = JSON.parse(Deno.readTextFileSync(join(d, "meta.json")));
    Deno.writeTextFileSync(
      join(d, "meta.json"),
      JSON.stringify({ ...meta, "git_commit": "other" }),
    );
  }
  const both = await analyzeCsv([root, copy], "meta.git_commit");
  const groups = both.csv.trim().split("\n").slice(1).map((l) => l.split(","));
  assert.equal(groups.length, 2);
  for (const g of groups) assert.equal(g[1], String(N_TRIALS), both.csv);
  Deno.removeSync(tmp, { recursive: true });
});

Deno.test("clean against a live sweep removes only orphans, never a trial a runner holds", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "fault-clean-" });
  const config = writeConfig(tmp, "crash.yaml", CRASH);
  const ref = await referenceRun(tmp, config);
  const root = join(tmp, "live");
  const expDir = join(root, "crash");
  // Orphans first: a runner killed alone leaves its trials `running` with nobody holding them.
  const first = cliCommand([config, "--jobs", "2", "--progress", "none"], root).spawn();
  // Kill it once a trial has logged an epoch (well before its 300th).
  for (let i = 0; i < 1500; i++) {
    await sleep(20);
    const running = trialDirs(expDir).filter((d) => readStatus(d)?.state === "running");
    if (running.some((d) => exists(join(d, "meta.json")))) break;
  }
  first.kill("SIGKILL");
  await first.status;
  await Promise.all([first.stdout.cancel(), first.stderr.cancel()]);
  await settle(expDir);
  const orphans = trialDirs(expDir).filter((d) => readStatus(d)?.state === "running");
  assert.ok(orphans.length >= 1, "the kill left orphaned trials");
  const status = await cli(["status", expDir], root);
  assert.match(status.stdout, /incomplete \d/, "status calls orphans incomplete");

  const sweep = cliCommand([config, "--jobs", "2", "--progress", "none"], root).spawn();
  let alive = true;
  const ended = sweep.status.then((s) => {
    alive = false;
    return s;
  });
  let cleans = 0, sawBusy = 0;
  while (alive) {
    const c = await cli(["clean", expDir, "--stale"], root);
    assert.equal(c.code, 0, c.stderr);
    if (/left \d+ trials? a live runner holds/.test(c.stdout)) sawBusy++;
    cleans++;
  }
  const s = await ended;
  const err = new TextDecoder().decode((await sweep.output().catch(() => undefined))?.stderr);
  assert.equal(s.code, 0, err);
  assert.ok(cleans >= 3, `clean ran ${cleans} times during the sweep`);
  assert.ok(sawBusy >= 1, "clean met trials a live runner held and left them");
  checkAgainst(ref, expDir, { allDone: true });

  // A folder the runner did not write is not touched, even with trial-like sub-folders.
  const foreign = join(tmp, "foreign");
  Deno.mkdirSync(join(foreign, "0123456789ab"), { recursive: true });
  Deno.writeTextFileSync(join(foreign, "0123456789ab", "status.json"), '{"state":"failed"}');
  const c = await cli(["clean", foreign], root);
  assert.equal(c.code, 2);
  assert.match(c.stderr, /^error: ".*foreign" is not an experiment folder written by the runner/);
  assert.ok(exists(join(foreign, "0123456789ab", "status.json")));
  Deno.removeSync(tmp, { recursive: true });
});

Deno.test("two runners and a forced rerun on one folder: each trial done once by the runners, results intact", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "fault-two-" });
  const config = writeConfig(tmp, "crash.yaml", CRASH);
  const ref = await referenceRun(tmp, config);
  const root = join(tmp, "shared");
  const expDir = join(root, "crash");
  const args = [config, "--jobs", "2", "--progress", "plain"];
  const a = cli(args, root), b = cli(args, root);
  await sleep(2000);
  const forced = cli([...args, "--force"], root);
  const [ra, rb, rf] = await Promise.all([a, b, forced]);
  for (const r of [ra, rb, rf]) assert.equal(r.code, 0, r.stderr);
  const doneLines = (ra.stderr + rb.stderr).split("\n").filter((l) => /\] done /.test(l));
  const ids = doneLines.map((l) => l.split(" ")[2]!);
  assert.equal(ids.length, N_TRIALS, doneLines.join("\n"));
  assert.equal(new Set(ids).size, N_TRIALS, "no trial was run by both runners");
  checkAgainst(ref, expDir, { allDone: true });
  assert.deepEqual(leftovers(expDir), []);
  Deno.removeSync(tmp, { recursive: true });
});
