/**
 * `--where PATH=VALUE`: a sweep run a part at a time writes the trial folders the whole sweep
 * would, and the whole sweep afterwards runs only the rest.
 */
import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { readStatus } from "@plasticity/runner";
import { cli, exists, trialDirs, writeConfig } from "./_cli.ts";

const SWEEP = `name: filtered
dataset: { name: sine, train_size: 64, validation_size: 0, test_size: 16 }
network: { sizes: [1, 8, 1], activation: tanh }
rule: bp
optimizer: { name: sgd, lr: 0.05 }
epochs: 3
batch_size: 16
seeds: [0, 1, 2]
backend: js
grid: { "rule.name": [bp, fa], "optimizer.lr": [0.05, 0.01] }
`;

Deno.test("--where runs the part of a sweep it names, into the whole sweep's trial folders", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "where-" });
  const config = writeConfig(tmp, "sweep.yaml", SWEEP);
  const root = join(tmp, "results"), exp = join(root, "filtered");
  const args = [config, "--jobs", "1", "--progress", "plain"];

  // The ids the whole sweep has, and those of its fa trials at lr 0.01.
  const all = await cli([...args, "--dry-run"], root);
  assert.equal(all.code, 0, all.stderr);
  const rows = all.stdout.split("\n").filter((l) => /^\d+ +[0-9a-f]{12} /.test(l));
  assert.equal(rows.length, 12);
  const faSlow = rows.filter((l) => / fa +0\.01 /.test(l)).map((l) => l.split(/ +/)[1]!);
  assert.equal(faSlow.length, 3);

  const part = await cli(
    [...args, "--where", "rule.name=fa", "--where", "optimizer.lr=1e-2"],
    root,
  );
  assert.equal(part.code, 0, part.stderr);
  assert.match(part.stderr, /filtered: where rule\.name="fa" optimizer\.lr=0\.01: 3 of 12 trials/);
  assert.deepEqual(trialDirs(exp).map((d) => basename(d)), [...faSlow].sort());
  for (const d of trialDirs(exp)) assert.equal(readStatus(d)?.state, "done");

  // Two values of one path: either; the three already done are skipped.
  const more = await cli([...args, "--where", "rule.name=fa"], root);
  assert.equal(more.code, 0, more.stderr);
  assert.match(more.stderr, /3 of 6 trials already finished/);
  const rest = await cli(args, root);
  assert.equal(rest.code, 0, rest.stderr);
  assert.match(rest.stderr, /6 of 12 trials already finished/);
  assert.equal(trialDirs(exp).length, 12);

  // A value the sweep does not have: one line, exit 2, nothing run.
  const before = trialDirs(exp).length;
  const bad = await cli([...args, "--where", "optimizer.lr=0.5"], join(tmp, "other"));
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /^error: Invalid --where optimizer\.lr=0\.5: no trial has that value; expected one of 0\.05, 0\.01\n$/,
  );
  assert.equal(exists(join(tmp, "other")), false);
  const typo = await cli([...args, "--where", "optimiser.lr=0.05", "--dry-run"], root);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /^error: Invalid --where path "optimiser\.lr": no trial/);
  assert.equal(trialDirs(exp).length, before);
  Deno.removeSync(tmp, { recursive: true });
});
