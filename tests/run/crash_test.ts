/**
 * A trial process that crashes is reported in one line: its message, no colour codes, no stack
 * trace unless `--verbose`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readStatus } from "@plasticity/runner";
import { cli, FIXTURES, trialDirs, writeConfig } from "./_cli.ts";

const CRASHING = `name: crashing
dataset: { name: sine, train_size: 64, validation_size: 0, test_size: 32 }
network: { sizes: [1, 1] }
rule: { name: test-linear, crash_after: 2 }
optimizer: { name: sgd, lr: 0.1 }
epochs: 5000
batch_size: 8
backend: js
`;

Deno.test("a crashing trial process is one line on stderr; --verbose adds its stack", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "run-crash-" });
  const config = writeConfig(tmp, "crash.yaml", CRASHING);
  const root = join(tmp, "results");
  const r = await cli([config, "--import", FIXTURES, "--progress", "plain"], root);
  assert.equal(r.code, 1, r.stderr);
  assert.ok(!r.stderr.includes("\u001b["), "no colour codes");
  assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
  const mentions = r.stderr.split("\n").filter((l) => l.includes("crashed on purpose"));
  // the process's own line, the trial's end line and the sweep's summary of failed trials
  assert.equal(mentions.length, 3, r.stderr);
  const [dir] = trialDirs(join(root, "crashing"));
  const st = readStatus(dir!)!;
  assert.equal(st.state, "failed");
  assert.match(st.error!, /^Trial process exited with code 1: error: .*crashed on purpose$/);

  const v = await cli([config, "--import", FIXTURES, "--progress", "plain", "--verbose"], root);
  assert.equal(v.code, 1);
  assert.match(v.stderr, /^.*\s+at .*_fixtures\.ts/m, "the stack, with --verbose");
  Deno.removeSync(tmp, { recursive: true });
});
