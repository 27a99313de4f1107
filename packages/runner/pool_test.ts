// How a trial process is started: with the workspace's deno.json in a checkout, by URL alone from a
// registry or from files that have no workspace around them.
import assert from "node:assert/strict";
import { join } from "node:path";
import { trialCommandArgs } from "./pool.ts";

Deno.test("trial processes get the workspace config in a checkout, none without one", async () => {
  const here = trialCommandArgs();
  const root = new URL("../../deno.json", import.meta.url).pathname;
  assert.deepEqual(here.slice(0, 5), ["run", "-A", "--quiet", "--config", root]);
  assert.ok(here.at(-1)!.endsWith("packages/runner/trial_main.ts"));
  // a copy of the package with no workspace two folders up
  const tmp = await Deno.makeTempDir({ prefix: "pool_args_" });
  try {
    const lone = new URL(`file://${join(tmp, "a", "b", "trial_main.ts")}`);
    assert.deepEqual(trialCommandArgs(lone), ["run", "-A", "--quiet", lone.pathname]);
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
  const jsr = new URL("https://jsr.io/@plasticity/runner/0.1.0/trial_main.ts");
  assert.deepEqual(trialCommandArgs(jsr), ["run", "-A", "--quiet", jsr.href]);
});
