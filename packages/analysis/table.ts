/**
 * Tables from rows: Markdown (rounded for reading), CSV (RFC 4180, full precision, for other
 * tools) and HTML (for reports).
 *
 * @module
 */
import { columnsOf, formatCell, type Row } from "./rows.ts";

/** Options of the table writers. */
export interface TableOptions {
  /** The columns, in order (default: every column, in order of first appearance). */
  readonly columns?: readonly string[];
  /** Header text per column (default: the column name). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Significant digits of numbers (Markdown and HTML; default 4). CSV always keeps every digit. */
  readonly digits?: number;
}

function headerOf(col: string, options: TableOptions): string {
  return options.headers?.[col] ?? col;
}

/**
 * Writes rows as a GitHub-flavoured Markdown table. Numbers are right-aligned and rounded to
 * `digits` significant digits; `|` in text is escaped.
 *
 * @param rows The rows.
 * @param options Columns, headers and digits.
 * @returns The table, ending in a newline.
 *
 * @example
 * ```ts
 * import { toMarkdown } from "@plasticity/analysis";
 * const md = toMarkdown([{ rule: "bp", acc: 0.912345 }], { digits: 3 });
 * console.assert(md === "| rule | acc |\n| --- | ---: |\n| bp | 0.912 |\n");
 * ```
 */
export function toMarkdown(rows: readonly Row[], options: TableOptions = {}): string {
  const cols = options.columns ?? columnsOf(rows);
  const digits = options.digits ?? 4;
  const esc = (s: string) => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
  const numeric = cols.map((c) => rows.some((r) => typeof r[c] === "number"));
  const lines = [
    `| ${cols.map((c) => esc(headerOf(c, options))).join(" | ")} |`,
    `| ${numeric.map((n) => (n ? "---:" : "---")).join(" | ")} |`,
    ...rows.map((r) => `| ${cols.map((c) => esc(formatCell(r[c] ?? null, digits))).join(" | ")} |`),
  ];
  return lines.join("\n") + "\n";
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Writes rows as CSV (RFC 4180: comma separated, fields with commas, quotes or newlines quoted,
 * quotes doubled, CRLF line ends). Numbers keep full precision; `null` and `NaN` are empty.
 *
 * @param rows The rows.
 * @param options Columns and headers.
 * @returns The CSV text, ending in CRLF.
 *
 * @example
 * ```ts
 * import { toCsv } from "@plasticity/analysis";
 * console.assert(toCsv([{ name: 'a,"b"', x: 0.1 }]) === 'name,x\r\n"a,""b""",0.1\r\n');
 * ```
 */
export function toCsv(rows: readonly Row[], options: TableOptions = {}): string {
  const cols = options.columns ?? columnsOf(rows);
  const lines = [
    cols.map((c) => csvField(headerOf(c, options))).join(","),
    ...rows.map((r) => cols.map((c) => csvField(formatCell(r[c] ?? null))).join(",")),
  ];
  return lines.join("\r\n") + "\r\n";
}

/**
 * Escapes text for HTML element content and attribute values.
 *
 * @param s The text.
 * @returns The escaped text.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "@plasticity/analysis";
 * console.assert(escapeHtml(`<a href="x">&</a>`) === "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
 * ```
 */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  )
    .replace(/'/g, "&#39;");
}

/**
 * Writes rows as an HTML `<table>`; numeric columns get the class `num`.
 *
 * @param rows The rows.
 * @param options Columns, headers and digits.
 * @returns The HTML fragment.
 *
 * @example
 * ```ts
 * import { toHtmlTable } from "@plasticity/analysis";
 * const html = toHtmlTable([{ rule: "<bp>", acc: 0.5 }]);
 * console.assert(html.includes("<td>&lt;bp&gt;</td>") && html.includes('<td class="num">0.5</td>'));
 * ```
 */
export function toHtmlTable(rows: readonly Row[], options: TableOptions = {}): string {
  const cols = options.columns ?? columnsOf(rows);
  const digits = options.digits ?? 4;
  const numeric = cols.map((c) => rows.some((r) => typeof r[c] === "number"));
  const cls = (i: number) => (numeric[i] ? ' class="num"' : "");
  const head = cols.map((c, i) => `<th${cls(i)}>${escapeHtml(headerOf(c, options))}</th>`).join("");
  const body = rows.map((r) =>
    `<tr>${
      cols.map((c, i) => `<td${cls(i)}>${escapeHtml(formatCell(r[c] ?? null, digits))}</td>`).join(
        "",
      )
    }</tr>`
  );
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${
    body.join("\n")
  }\n</tbody>\n</table>`;
}
