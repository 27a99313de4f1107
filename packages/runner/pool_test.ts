// How a trial process is started: with the workspace's deno.json in a checkout, by URL alone from a
// registry or from files that have no workspace around them.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runPool, trialCommandArgs } from "./pool.ts";

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

Deno.test("runPool takes ready items first, in order, and the others when nothing else is left", async () => {
  const push = (to: number[]) => (x: number) => {
    to.push(x);
    return Promise.resolve();
  };
  // One worker: the items not ready wait until every ready one has run, then run in order.
  const seen: number[] = [];
  await runPool([0, 1, 2, 3, 4], 1, push(seen), undefined, (x) => x % 2 === 0);
  assert.deepEqual(seen, [0, 2, 4, 1, 3]);
  // Readiness is asked at each pick: an item that becomes ready is taken in its place.
  const held = new Set([0, 1]), order: number[] = [];
  const release = (x: number) => {
    order.push(x);
    if (x === 2) held.delete(1);
    return Promise.resolve();
  };
  await runPool([0, 1, 2, 3], 1, release, undefined, (x) => !held.has(x));
  assert.deepEqual(order, [2, 1, 3, 0]);
  // Several workers: every item exactly once; without `ready`, the order of the items.
  const twice: number[] = [];
  await runPool(
    [...Array(9).keys()],
    3,
    async (x) => {
      await new Promise((r) => setTimeout(r, (x * 7) % 5));
      twice.push(x);
    },
    undefined,
    (x) => x > 4,
  );
  assert.deepEqual([...twice].sort((a, b) => a - b), [...Array(9).keys()]);
  const plain: number[] = [];
  await runPool([3, 1, 2], 1, push(plain));
  assert.deepEqual(plain, [3, 1, 2]);
});
