// Speed of the analysis steps on a sweep-sized table: 240 trials × 65 epochs (15,600 rows).
import {
  aggregate,
  DEJAVU_FONT_FILES,
  lineBandChart,
  reduceTrials,
  renderPng,
  renderSvg,
  type Row,
} from "./mod.ts";

const rows: Row[] = [];
for (let t = 0; t < 240; t++) {
  for (let epoch = 0; epoch <= 64; epoch++) {
    rows.push({
      trial: `t${t}`,
      "rule.name": t % 2 ? "bp" : "pc",
      "optimizer.lr": [0.1, 0.01, 0.001][t % 3]!,
      "network.depth": 1 + (t % 8),
      seed: Math.floor(t / 48),
      epoch,
      test_error: 0.9 * Math.exp(-epoch / (10 + (t % 7))) + 0.1,
    });
  }
}

Deno.bench("aggregate 15,600 rows by rule, lr and epoch", () => {
  aggregate(rows, { by: ["rule.name", "optimizer.lr"], x: "epoch", y: "test_error" });
});

Deno.bench("reduceTrials mean over epochs of 240 trials", () => {
  reduceTrials(rows, { y: "test_error", reduce: "mean" });
});

const spec = lineBandChart({
  rows,
  x: "epoch",
  y: "test_error",
  group: ["rule.name", "optimizer.lr"],
  title: "Error",
});
const svg = await renderSvg(spec);

Deno.bench("lineBandChart + renderSvg, 6 lines × 65 epochs", async () => {
  await renderSvg(
    lineBandChart({
      rows,
      x: "epoch",
      y: "test_error",
      group: ["rule.name", "optimizer.lr"],
      title: "E",
    }),
  );
});

Deno.bench("renderPng at 1200 px", () => {
  renderPng(svg, { width: 1200, fontFiles: DEJAVU_FONT_FILES });
});
