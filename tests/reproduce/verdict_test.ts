import assert from "node:assert/strict";
import {
  dipsBelow,
  firstBelow,
  fmt,
  maxOf,
  minOf,
  staysAbove,
  tally,
  valueAt,
  verdictOf,
} from "@plasticity/reproduce/verdict";

Deno.test("3a thresholds on hand-made trajectories: the paper's PC and BP dips", () => {
  // Paper: PC's second output stays above ≈ 0.93, BP's dips to ≈ 0.76.
  const pc = [1, 0.975, 0.957, 0.945, 0.937, 0.933, 0.934, 0.95, 0.99];
  const bp = [1, 0.80, 0.762, 0.764, 0.78, 0.85, 0.95, 0.99];
  assert.equal(staysAbove(pc, 0.9), true);
  assert.equal(dipsBelow(bp, 0.8), true);
  assert.equal(staysAbove(bp, 0.9), false);
  assert.equal(dipsBelow(pc, 0.8), false);
  // Equality is not "above" / "below".
  assert.equal(staysAbove([0.95, 0.9], 0.9), false);
  assert.equal(dipsBelow([0.85, 0.8], 0.8), false);
  // A non-finite value never counts as staying above.
  assert.equal(staysAbove([1, NaN], 0.9), false);
  assert.equal(dipsBelow([1, NaN], 0.8), false);
});

Deno.test("empty series give no verdict", () => {
  assert.equal(staysAbove([], 0.9), undefined);
  assert.equal(dipsBelow([], 0.8), undefined);
  assert.equal(verdictOf(undefined), "not run");
  assert.equal(verdictOf(true), "met");
  assert.equal(verdictOf(false), "not met");
  assert.equal(minOf([]), undefined);
  assert.equal(maxOf([NaN]), undefined);
});

Deno.test("PAL: value at 10 s and first time below 30° on a sigmoidal decay", () => {
  // Records every 10 ms from 0.01 s to 10.1 s of 90° / (1 + e^{(t − 3)·1.5}): below 30° when
  // e^{1.5(t−3)} > 2, i.e. t > 3 + ln 2 / 1.5 = 3.4621 s.
  const ts = Array.from({ length: 1010 }, (_, i) => Number(((i + 1) * 0.01).toFixed(2)));
  const ys = ts.map((t) => 90 / (1 + Math.exp((t - 3) * 1.5)));
  const first = firstBelow(ts, ys, 30)!;
  assert.ok(Math.abs(first - (3 + Math.log(2) / 1.5)) <= 0.01, `first ${first}`);
  const at10 = valueAt(ts, ys, 10)!;
  assert.ok(Math.abs(at10 - 90 / (1 + Math.exp(10.5))) < 1e-9);
  assert.equal(valueAt(ts, ys, 0), undefined);
  assert.equal(valueAt(ts, ys, Infinity), ys[ys.length - 1]);
  assert.throws(() => valueAt([1, 2], [1], 1), /lengths differ/);
  assert.equal(firstBelow(ts, ys.map(() => 45), 30), undefined);
});

Deno.test("fmt and tally", () => {
  assert.equal(fmt(0.76123), "0.761");
  assert.equal(fmt(20.7456), "20.7");
  assert.equal(fmt(0.0005), "5.00e-4");
  assert.equal(fmt(NaN), "–");
  const o = (verdict: "met" | "not met" | "not run" | "info") => ({
    panel: "3a",
    expected: "",
    paper: "",
    ours: "",
    verdict,
  });
  assert.deepEqual(tally([o("met"), o("met"), o("not met"), o("info"), o("not run")]), {
    met: 2,
    notMet: 1,
    notRun: 1,
  });
});
