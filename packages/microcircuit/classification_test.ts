import assert from "node:assert/strict";
import { NumpyRandomState } from "@plasticity/core";
import { generateYinYang } from "@plasticity/datasets/yin-yang";
import { createClassifier, YIN_YANG_PAL } from "./classification.ts";

const split = (n: number, seed: number) => {
  const s = generateYinYang(n, new NumpyRandomState(seed));
  return { x: s.x, labels: s.labels, n };
};

Deno.test("validation passes neither learn nor teach; the lateral weights start self-predicting", () => {
  const c = createClassifier({ ...YIN_YANG_PAL, n_epochs: 1 }, 123456);
  const mc = c.mc;
  // SPS with g_d = g_b: WIP = W (factor 1), BPI = −B
  assert.deepEqual([...mc.WIP[0]!], [...mc.WPP[1]!]);
  assert.deepEqual([...mc.BPI[0]!], [...mc.BPP[0]!].map((x) => -x));
  const before = [mc.WPP[0]!, mc.WPP[1]!, mc.BPP[0]!, mc.BPI[0]!, mc.WIP[0]!].map((w) => w.slice());
  c.pass(split(30, 1), false);
  const after = [mc.WPP[0]!, mc.WPP[1]!, mc.BPP[0]!, mc.BPI[0]!, mc.WIP[0]!];
  for (let i = 0; i < before.length; i++) assert.deepEqual(after[i], before[i]);
  c.pass(split(30, 2), true);
  assert.notDeepEqual([...mc.WPP[0]!], [...before[0]!]);
});

Deno.test("PAL on a yin-yang subset: validation accuracy rises well above chance and B aligns with W transposed", () => {
  const c = createClassifier({ ...YIN_YANG_PAL, n_epochs: 3 }, 123456);
  const recs: Record<string, number>[] = [];
  const start = c.pass(split(300, 9876544), false).accuracy;
  c.run(
    { train: split(600, 9876543), validation: split(300, 9876544), test: split(300, 9876545) },
    (r) => recs.push(r),
  );
  assert.equal(recs.length, 4);
  const last = recs[3]!;
  assert.ok(start < 0.45, `untrained accuracy ${start}`);
  assert.ok(last.val_accuracy! > 0.5, `validation accuracy ${last.val_accuracy}`);
  assert.ok(last.test_accuracy! > 0.45, `test accuracy ${last.test_accuracy}`);
  assert.ok(recs[2]!.angle_B_WT_0! < recs[0]!.angle_B_WT_0! - 5);
});
