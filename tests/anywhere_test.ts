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

Deno.test("a copy of the packages and apps outside the repository runs: run, analyze, reproduce --list", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "copy-" });
  try {
    // The packages and apps with the workspace's deno.json and lock, and nothing else of the
    // repository (no .git, no tools, no tests): what an install of the toolkit holds.
    const root = new URL("../", import.meta.url).pathname, kit = join(tmp, "kit");
    Deno.mkdirSync(kit);
    for (const p of ["packages", "apps", "deno.json", "deno.lock"]) {
      const cp = new Deno.Command("cp", { args: ["-r", join(root, p), kit] }).outputSync();
      assert.ok(cp.success, new TextDecoder().decode(cp.stderr));
    }
    const home = join(tmp, "home");
    Deno.mkdirSync(home);
    Deno.writeTextFileSync(
      join(home, "tiny.yaml"),
      "name: tiny\ndataset: { name: sine, train_size: 64, validation_size: 0, test_size: 32 }\n" +
        "network: { sizes: [1, 4, 1] }\nrule: bp\nepochs: 1\nseeds: [0]\nbackend: js\n",
    );
    const app = async (name: string, args: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--config",
          join(kit, "deno.json"),
          join(kit, "apps", name, "main.ts"),
          ...args,
        ],
        cwd: home,
        env: { "NO_COLOR": "1", "PLASTICITY_RESULTS": "", "INIT_CWD": "" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dec = new TextDecoder();
      return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
    };
    const run = await app("run", ["tiny.yaml", "--progress", "none"]);
    assert.equal(run.code, 0, run.stderr);
    const exp = join(home, "results", "tiny");
    const trial = [...Deno.readDirSync(exp)].find((e) => /^[0-9a-f]{12}$/.test(e.name))!;
    const meta = JSON.parse(Deno.readTextFileSync(join(exp, trial.name, "meta.json")));
    assert.equal(meta.git_commit, "unknown", "no repository around the copy");
    assert.equal(meta.versions["@plasticity/runner"], "0.1.0");
    const analyze = await app("analyze", ["results/tiny", "--y", "test_loss", "--out", "report"]);
    assert.equal(analyze.code, 0, analyze.stderr);
    assert.ok(Deno.statSync(join(home, "report", "table.csv")).isFile);
    const list = await app("reproduce", ["--list"]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /pc\/fig3/);
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
});
