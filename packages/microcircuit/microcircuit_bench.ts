// Speed of the microcircuit step on the Fig3abc network 5-20-10-20-5 (the numpy reference takes
// 171 µs per PAL step on the build machines; target ≤ 5.7 µs). Each iteration runs 1000 steps, so
// the time per iteration in ms is the time per step in µs.
import { buildMicrocircuit, inputSamples } from "./experiment.ts";
import { parseParams } from "./params.ts";

function stepper(modelType: "PAL" | "BP" | "FA", learnWeights: boolean) {
  const p = parseParams({ model_type: modelType });
  const { mc } = buildMicrocircuit(p, 123);
  const x = inputSamples(p, 123);
  const opts = { learnWeights, learnLatWeights: true, learnBwWeights: true };
  let i = 0;
  return () => {
    for (let n = 0; n < 1000; n++, i++) mc.step(x, null, opts, (Math.floor(i / 100) % 100) * 5);
  };
}

const palBw = stepper("PAL", false);
Deno.bench("1000 PAL steps, bw_only (5-20-10-20-5)", { group: "step", baseline: true }, palBw);
const palFw = stepper("PAL", true);
Deno.bench("1000 PAL steps, learning W too (5-20-10-20-5)", { group: "step" }, palFw);
const fa = stepper("FA", false);
Deno.bench("1000 FA steps, bw_only (5-20-10-20-5)", { group: "step" }, fa);
const bp = stepper("BP", true);
Deno.bench("1000 BP steps, learning W (5-20-10-20-5)", { group: "step" }, bp);
