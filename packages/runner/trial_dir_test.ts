import assert from "node:assert/strict";
import { join } from "node:path";
import {
  commitStaged,
  isExperimentDir,
  lockTrial,
  markExperimentDir,
  recoverTrial,
  removeTrialDir,
  stagingDir,
  trialLocked,
} from "./trial_dir.ts";

function trialWith(dir: string, state: string, tag: string): void {
  Deno.mkdirSync(dir, { recursive: true });
  Deno.writeTextFileSync(join(dir, "config.yaml"), `tag: ${tag}\n`);
  Deno.writeTextFileSync(join(dir, "status.json"), JSON.stringify({ state }));
}

const tagOf = (dir: string) => Deno.readTextFileSync(join(dir, "config.yaml"));
const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("a lock is exclusive across handles and released when its holder lets go", async () => {
  const root = Deno.makeTempDirSync();
  const dir = join(root, "exp", "0123456789ab");
  assert.equal(trialLocked(dir), false);
  const held = await lockTrial(dir);
  assert.equal(trialLocked(dir), true);
  assert.equal(await lockTrial(dir, false), undefined);
  held!.release();
  assert.equal(trialLocked(dir), false);
  const again = await lockTrial(dir, false);
  assert.ok(again);
  again.release();
  Deno.removeSync(root, { recursive: true });
});

Deno.test("a lock held by a process is freed when the process is killed", async () => {
  const root = Deno.makeTempDirSync();
  const dir = join(root, "exp", "0123456789ab");
  const url = new URL("./trial_dir.ts", import.meta.url).href;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { lockTrial } from "${url}"; await lockTrial(${JSON.stringify(dir)}); ` +
      `console.log("held"); await new Promise(() => setInterval(() => {}, 1000));`,
    ],
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  assert.match((await reader.read()).value ?? "", /held/);
  assert.equal(trialLocked(dir), true);
  child.kill("SIGKILL");
  await child.status;
  await reader.cancel();
  assert.equal(trialLocked(dir), false);
  Deno.removeSync(root, { recursive: true });
});

Deno.test("experiment folders are marked by the runner", () => {
  const root = Deno.makeTempDirSync();
  assert.equal(isExperimentDir(root), false);
  markExperimentDir(join(root, "e"), "e");
  assert.equal(isExperimentDir(join(root, "e")), true);
  Deno.removeSync(root, { recursive: true });
});

Deno.test("a staged result replaces the old only when committed", () => {
  const root = Deno.makeTempDirSync();
  const dir = join(root, "0123456789ab");
  trialWith(dir, "done", "old");
  const next = stagingDir(dir);
  trialWith(next, "running", "new");
  assert.equal(tagOf(dir), "tag: old\n", "the old result stays while the new one runs");
  trialWith(next, "done", "new");
  commitStaged(next, dir);
  assert.equal(tagOf(dir), "tag: new\n");
  assert.deepEqual(names(root), ["0123456789ab"]);
  Deno.removeSync(root, { recursive: true });
});

Deno.test("recovery after a kill at each step of a forced rerun keeps a complete result", () => {
  const root = Deno.makeTempDirSync();
  const dir = join(root, "0123456789ab");
  const next = join(root, ".0123456789ab.next"), prev = join(root, ".0123456789ab.prev");
  // Killed while the new run was running: the old result stays, the staging goes.
  trialWith(dir, "done", "old");
  trialWith(next, "running", "new");
  recoverTrial(dir);
  assert.equal(tagOf(dir), "tag: old\n");
  assert.deepEqual(names(root), ["0123456789ab"]);
  // Killed between the two renames of the commit: the new complete result goes in place.
  Deno.renameSync(dir, prev);
  trialWith(next, "done", "new");
  recoverTrial(dir);
  assert.equal(tagOf(dir), "tag: new\n");
  assert.deepEqual(names(root), ["0123456789ab"]);
  // Killed after moving the old aside, with the staged run unfinished: the old comes back.
  Deno.renameSync(dir, prev);
  trialWith(next, "running", "newer");
  recoverTrial(dir);
  assert.equal(tagOf(dir), "tag: new\n");
  assert.deepEqual(names(root), ["0123456789ab"]);
  // Temp files of an interrupted atomic write and a half-deleted folder are removed.
  Deno.writeTextFileSync(join(dir, ".4242.7.tmp"), "{");
  Deno.mkdirSync(join(root, ".0123456789ab.trash"));
  const repaired = recoverTrial(dir);
  assert.equal(repaired.length, 2);
  assert.deepEqual(names(dir), ["config.yaml", "status.json"]);
  assert.deepEqual(names(root), ["0123456789ab"]);
  Deno.removeSync(root, { recursive: true });
});

Deno.test("a removed trial disappears at once, never half-deleted", () => {
  const root = Deno.makeTempDirSync();
  const dir = join(root, "0123456789ab");
  trialWith(dir, "failed", "x");
  removeTrialDir(dir);
  assert.deepEqual(names(root), []);
  Deno.removeSync(root, { recursive: true });
});
