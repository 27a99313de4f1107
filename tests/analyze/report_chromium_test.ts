// The HTML report renders in headless Chromium with no console errors. Skipped, with a printed
// reason, only when /usr/bin/chromium is missing (CI installs Debian's `chromium`).
import assert from "node:assert/strict";
import { join } from "node:path";
import { analyze, DEJAVU_FONT_FILES } from "@plasticity/analysis";
import {
  type FakeTrial,
  fakeTrials,
  learnerConfig,
} from "../../packages/analysis/_fake_results.ts";
import { CHROMIUM, haveChromium, openPage } from "./_chromium.ts";

const present = haveChromium();
if (!present) {
  console.log(
    `skipping the Chromium report tests: ${CHROMIUM} does not exist (apt-get install chromium)`,
  );
}

const PROBE = `JSON.stringify({
  title: document.title,
  figures: document.querySelectorAll("figure > svg").length,
  drawn: [...document.querySelectorAll("figure > svg")].map((s) => s.getBoundingClientRect().width),
  lines: document.querySelectorAll("figure .mark-line path").length,
  tables: document.querySelectorAll("table").length,
  cells: document.querySelectorAll("tbody td").length,
  brokenRefs: [...document.querySelectorAll("[clip-path]")]
    .filter((e) => !document.getElementById(e.getAttribute("clip-path").slice(5, -1))).length,
})`;

Deno.test({
  name: "the HTML report renders in headless Chromium with no console errors",
  ignore: !present,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "analyze_report_" });
    try {
      const list: FakeTrial[] = [];
      for (const rule of ["bp", "fa"]) {
        for (const seed of [0, 1]) {
          list.push({
            config: learnerConfig("report", rule, 0.1, seed),
            metrics: [0, 1, 2].map((epoch) => ({
              epoch,
              test_loss: 1 / (epoch + 1 + seed),
              test_accuracy: 0.2 * epoch + 0.1 + 0.01 * seed,
            })),
          });
        }
      }
      const out = join(root, "_out");
      const result = await analyze({
        trials: await fakeTrials(list),
        y: ["test_accuracy", "test_loss"],
        group: "rule.name",
        out,
        bestBy: [],
        fontFiles: DEJAVU_FONT_FILES,
      });
      await Deno.mkdir(out);
      await Deno.writeTextFile(join(out, "report.html"), result.files.get("report.html") as string);
      const visit = await openPage(`file://${join(out, "report.html")}`, PROBE);
      const problems = visit.messages.filter((m) =>
        m.source === "exception" || ["error", "warning", "assert"].includes(m.level)
      );
      assert.deepEqual(problems, [], `console: ${JSON.stringify(visit.messages)}`);
      const page = JSON.parse(visit.value as string);
      assert.equal(page.title, "Test accuracy (fraction correct), Test loss — report");
      assert.equal(page.figures, 2);
      assert.ok(page.drawn.every((w: number) => w > 300), `figure widths ${page.drawn}`);
      assert.equal(page.lines, 4); // 2 rules × 2 figures
      assert.equal(page.tables, 2); // summary and best
      assert.ok(page.cells > 0);
      assert.equal(page.brokenRefs, 0);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "the Chromium harness does see console errors and exceptions (control)",
  ignore: !present,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "analyze_control_" });
    try {
      const page = join(dir, "bad.html");
      await Deno.writeTextFile(
        page,
        '<!DOCTYPE html><title>x</title><script>console.error("boom"); null.x;</script><img src="missing.png">',
      );
      const visit = await openPage(`file://${page}`, "document.title");
      assert.equal(visit.value, "x");
      assert.ok(
        visit.messages.some((m) =>
          m.source === "console" && m.level === "error" && m.text === "boom"
        ),
      );
      assert.ok(visit.messages.some((m) => m.source === "exception" && /TypeError/.test(m.text)));
      assert.ok(
        visit.messages.some((m) =>
          m.source === "log" && m.level === "error" &&
          /missing\.png|ERR_FILE_NOT_FOUND/.test(m.text)
        ),
        JSON.stringify(visit.messages),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
