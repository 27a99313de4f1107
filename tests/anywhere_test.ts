/**
 * The apps from a folder outside the toolkit, as a user runs them (`deno task --config
 * <toolkit>/deno.json …` from their own folder): configs and results resolve against that
 * folder, and results record its git commit and whether it had uncommitted changes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";

const ROOT_CONFIG = new URL("../deno.json", import.meta.url).pathname;

async function task(cwd: string, args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "--config", ROOT_CONFIG, ...args],
    cwd,
    // As from a plain shell: without the INIT_CWD of the task that runs these tests.
    clearEnv: true,
    env: {
      ...Object.fromEntries(
        Object.entries(Deno.env.toObject()).filter(([k]) =>
          !["INIT_CWD", "PLASTICITY_RESULTS", "PLASTICITY_BACKEND"].includes(k)
        ),
      ),
      "NO_COLOR": "1",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function git(cwd: string, ...args: string[]): string {
  const out = new Deno.Command("git", {
    args: ["-c", "user.name=t", "-c", "user.email=t@t", ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("run, analyze and reproduce --list work from a folder outside the toolkit", async () => {
  const home = Deno.makeTempDirSync({ prefix: "anywhere-" });
  Deno.writeTextFileSync(
    join(home, "tiny.yaml"),
    `name: tiny
dataset: { name: sine, train_size: 64, validation_size: 0, test_size: 32 }
network: { sizes: [1, 8, 1] }
rule: bp
epochs: 2
seeds: [0, 1]
backend: js
`,
  );
  const run = await task(home, ["run", "tiny.yaml", "--progress", "none"]);
  assert.equal(run.code, 0, run.stderr);
  const exp = join(home, "results", "tiny");
  const ids = [...Deno.readDirSync(exp)].filter((e) => /^[0-9a-f]{12}$/.test(e.name));
  assert.equal(ids.length, 2, "results land in the user's folder");
  const meta = () =>
    JSON.parse(Deno.readTextFileSync(join(exp, ids[0]!.name, "meta.json"))) as {
      "workdir_git"?: { commit: string; dirty: boolean };
    };
  assert.equal(meta().workdir_git, undefined, "no repository, no workdir git state");

  const analyze = await task(home, [
    "analyze",
    "results/tiny",
    "--y",
    "test_loss",
    "--out",
    "report",
  ]);
  assert.equal(analyze.code, 0, analyze.stderr);
  assert.ok(Deno.statSync(join(home, "report", "table.csv")).isFile);
  const list = await task(home, ["reproduce", "--list"]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /pc\/fig3/);

  // In a repository: its commit, and whether it had uncommitted changes.
  git(home, "init", "-q");
  git(home, "add", "tiny.yaml");
  git(home, "commit", "-q", "-m", "sweep");
  const commit = git(home, "rev-parse", "HEAD");
  Deno.writeTextFileSync(join(home, ".gitignore"), "results/\nreport/\n");
  git(home, "add", ".gitignore");
  git(home, "commit", "-q", "-m", "ignore results");
  const clean = await task(home, ["run", "tiny.yaml", "--progress", "none", "--force"]);
  assert.equal(clean.code, 0, clean.stderr);
  assert.deepEqual(meta().workdir_git, { commit: git(home, "rev-parse", "HEAD"), dirty: false });
  assert.notEqual(meta().workdir_git!.commit, commit);
  Deno.writeTextFileSync(
    join(home, "tiny.yaml"),
    Deno.readTextFileSync(join(home, "tiny.yaml")) + "\n",
  );
  const dirty = await task(home, ["run", "tiny.yaml", "--progress", "none", "--force"]);
  assert.equal(dirty.code, 0, dirty.stderr);
  assert.equal(meta().workdir_git!.dirty, true);
  Deno.removeSync(home, { recursive: true });
});
