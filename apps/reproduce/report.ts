/**
 * The written outcome of a figure: `summary.md` and `summary.csv` (paper vs ours with a verdict
 * per expected outcome), one Markdown/CSV file per extra table, and `report.html` with the panels.
 *
 * @module
 */
import { join } from "node:path";
import { escapeHtml, type Row, toCsv, toHtmlTable, toMarkdown } from "@plasticity/analysis";
import type { FigureOutput, Mode } from "./types.ts";
import { type Outcome, tally } from "./verdict.ts";
import type { FigureReport } from "./reproduce.ts";

const SUMMARY_COLUMNS = ["panel", "expected", "paper", "ours", "verdict"];
const SUMMARY_HEADERS = {
  panel: "panel",
  expected: "expected outcome",
  paper: "paper (source)",
  ours: "ours",
  verdict: "verdict",
};

/** The heading of the experiments a `--no-run` invocation analysed on part of their trials. */
const UNFINISHED =
  "Analysed without running (--no-run); these experiments have unfinished trials, and the verdicts rest on the finished ones:";

/**
 * Outcomes as table rows.
 *
 * @param outcomes The outcomes.
 * @returns One row per outcome.
 *
 * @example
 * ```ts
 * import { outcomeRows } from "./report.ts";
 * const rows = outcomeRows([{ panel: "3a", expected: "x", paper: "p", ours: "o", verdict: "met" }]);
 * console.assert(rows[0]!.verdict === "met");
 * ```
 */
export function outcomeRows(outcomes: readonly Outcome[]): Row[] {
  return outcomes.map((o) => ({ ...o }));
}

/**
 * The verdict lines printed at the end of a run, one per outcome with a verdict.
 *
 * @param figureId The figure.
 * @param outcomes Its outcomes.
 * @returns The lines.
 *
 * @example
 * ```ts
 * import { verdictLines } from "./report.ts";
 * const l = verdictLines("pc/fig3", [{ panel: "3a", expected: "x", paper: "p", ours: "o", verdict: "met" }]);
 * console.assert(l[0]!.startsWith("  MET"));
 * ```
 */
export function verdictLines(figureId: string, outcomes: readonly Outcome[]): string[] {
  return outcomes.filter((o) => o.verdict !== "info").map((o) =>
    `  ${
      o.verdict.toUpperCase().padEnd(8)
    } ${figureId} ${o.panel}: ${o.expected} — ours: ${o.ours}; paper: ${o.paper}`
  );
}

/**
 * Writes the summary table, extra tables and the HTML report of a figure.
 *
 * @param r The figure's run.
 * @param output The analysis output.
 * @param info Mode and the quick-mode reductions per config.
 * @returns Files written, relative to the figure's output folder.
 */
export function writeReport(
  r: FigureReport,
  output: FigureOutput,
  info: { mode: Mode; notes: { file: string; reduced: string }[] },
): string[] {
  const files: string[] = [];
  const write = (name: string, text: string) => {
    Deno.writeTextFileSync(join(r.outDir, name), text);
    files.push(name);
  };
  const rows = outcomeRows(r.outcomes);
  const t = tally(r.outcomes);
  const protocol = info.mode === "full"
    ? "Full mode: the paper's protocol."
    : "Quick mode (reduced protocol): " +
      (reducedByNote(info.notes).join("; ") || "nothing reduced");
  const timing = `Wall time ${r.wallS.toFixed(0)} s for ${r.trials.total} trials${
    r.trials.reused ? ` (${r.trials.reused} reused from an earlier invocation)` : ""
  }.`;
  const head = [
    `# ${r.figure.title}`,
    "",
    `Paper: ${r.figure.paper}.`,
    `Numbers from ${r.figure.source}.`,
    "",
    protocol,
    "",
    `Verdicts: ${t.met} met, ${t.notMet} not met, ${t.notRun} not run. ${timing}`,
    ...(r.failures.length ? ["", "Failed trials:", ...r.failures.map((f) => `- ${f}`)] : []),
    ...(r.skipped.length ? ["", "Not run, data missing:", ...r.skipped.map((f) => `- ${f}`)] : []),
    ...(r.unfinished.length ? ["", UNFINISHED, ...r.unfinished.map((f) => `- ${f}`)] : []),
    "",
  ];
  write(
    "summary.md",
    head.join("\n") +
      toMarkdown(rows, { columns: SUMMARY_COLUMNS, headers: SUMMARY_HEADERS }) +
      output.tables.map((tb) =>
        `\n## ${tb.title}\n\n${toMarkdown(tb.rows, { columns: tb.columns, digits: 4 })}`
      ).join(""),
  );
  write("summary.csv", toCsv(rows, { columns: SUMMARY_COLUMNS }));
  for (const tb of output.tables) {
    write(`${tb.name}.md`, `# ${tb.title}\n\n${toMarkdown(tb.rows, { columns: tb.columns })}`);
    write(`${tb.name}.csv`, toCsv(tb.rows, { columns: tb.columns }));
  }
  const verdictClass = (v: string) => v === "met" ? "met" : v === "not met" ? "notmet" : "other";
  const summaryHtml = `<table><thead><tr>${
    SUMMARY_COLUMNS.map((c) =>
      `<th>${escapeHtml(SUMMARY_HEADERS[c as keyof typeof SUMMARY_HEADERS])}</th>`
    )
      .join("")
  }</tr></thead><tbody>${
    r.outcomes.map((o) =>
      `<tr class="${verdictClass(o.verdict)}">${
        SUMMARY_COLUMNS.map((c) => `<td>${escapeHtml(String(o[c as keyof Outcome]))}</td>`).join("")
      }</tr>`
    ).join("\n")
  }</tbody></table>`;
  const panelsHtml = output.charts.map((c) =>
    `<figure><img src="${c.name}.svg" alt="panel ${escapeHtml(c.panel)}"><figcaption>Panel ${
      escapeHtml(c.panel)
    }: ${
      escapeHtml(r.figure.panels.find((p) => p.id === c.panel)?.title ?? "")
    } (<a href="${c.name}.png">PNG</a>)</figcaption></figure>`
  ).join("\n");
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(r.figure.id)}</title>
<style>
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; vertical-align: top; text-align: left; }
tr.met td:last-child { background: #d9f2d9; font-weight: bold; }
tr.notmet td:last-child { background: #f7d4d4; font-weight: bold; }
figure { display: inline-block; margin: 1em 1em 1em 0; }
img { max-width: 100%; border: 1px solid #eee; }
.protocol { background: #fff8e0; padding: 0.5em 1em; border-left: 4px solid #e0b000; }
</style></head><body>
<h1>${escapeHtml(r.figure.title)}</h1>
<p>Paper: ${escapeHtml(r.figure.paper)}. Numbers from ${escapeHtml(r.figure.source)}.</p>
<p class="protocol">${escapeHtml(protocol)}</p>
<p>Verdicts: ${t.met} met, ${t.notMet} not met, ${t.notRun} not run. ${escapeHtml(timing)}</p>
${
    r.failures.length
      ? `<p>Failed trials:</p><ul>${
        r.failures.map((f) => `<li>${escapeHtml(f)}</li>`).join("")
      }</ul>`
      : ""
  }
${
    r.skipped.length
      ? `<p>Not run, data missing:</p><ul>${
        r.skipped.map((f) => `<li>${escapeHtml(f)}</li>`).join("")
      }</ul>`
      : ""
  }
${
    r.unfinished.length
      ? `<p>${escapeHtml(UNFINISHED)}</p><ul>${
        r.unfinished.map((f) => `<li>${escapeHtml(f)}</li>`).join("")
      }</ul>`
      : ""
  }
<h2>Expected outcomes: paper vs ours</h2>
${summaryHtml}
<h2>Panels</h2>
${panelsHtml}
${
    output.tables.map((tb) =>
      `<h2>${escapeHtml(tb.title)}</h2>\n${toHtmlTable(tb.rows, { columns: tb.columns })}`
    ).join("\n")
  }
</body></html>
`;
  write("report.html", html);
  return files;
}

/** Each distinct quick-mode reduction once, after the files it applies to (`a.yaml, b.yaml: …`). */
function reducedByNote(notes: readonly { file: string; reduced: string }[]): string[] {
  const files = new Map<string, string[]>();
  for (const n of notes) {
    if (n.reduced) files.set(n.reduced, [...(files.get(n.reduced) ?? []), n.file]);
  }
  return [...files].map(([reduced, f]) => `${f.join(", ")}: ${reduced}`);
}
