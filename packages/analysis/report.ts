/**
 * A self-contained HTML report: headings, text, figures as inline SVG and tables, with no scripts
 * and no external resources, so it opens anywhere and prints cleanly.
 *
 * @module
 */
import type { Row } from "./rows.ts";
import { escapeHtml, type TableOptions, toHtmlTable } from "./table.ts";

/** A table in a report section. */
export interface ReportTable {
  /** The rows. */
  readonly rows: readonly Row[];
  /** Columns, headers and digits. */
  readonly options?: TableOptions;
  /** A caption under the table. */
  readonly caption?: string;
}

/** A figure in a report section. */
export interface ReportFigure {
  /** The SVG document (e.g. from {@linkcode renderSvg}). */
  readonly svg: string;
  /** A caption under the figure. */
  readonly caption?: string;
}

/** One section of a report. */
export interface ReportSection {
  /** The section heading. */
  readonly heading: string;
  /** Paragraphs of plain text (escaped). */
  readonly text?: string | readonly string[];
  /** Figures. */
  readonly figures?: readonly ReportFigure[];
  /** Tables. */
  readonly tables?: readonly ReportTable[];
}

/** Options of {@linkcode htmlReport}. */
export interface ReportOptions {
  /** The page title and top heading. */
  readonly title: string;
  /** Paragraphs under the title. */
  readonly intro?: string | readonly string[];
  /** The sections, in order. */
  readonly sections: readonly ReportSection[];
}

/**
 * Gives every `id` in an SVG a prefix and rewrites its references (`url(#…)`, `href="#…"`), so
 * several inline SVGs on one page cannot capture each other's clip paths or gradients.
 *
 * @param svg The SVG text.
 * @param prefix The prefix, e.g. `fig1-`.
 * @returns The SVG with scoped ids.
 *
 * @example
 * ```ts
 * import { scopeSvgIds } from "@plasticity/analysis";
 * const s = scopeSvgIds('<clipPath id="clip1"/><g clip-path="url(#clip1)"/>', "f2-");
 * console.assert(s === '<clipPath id="f2-clip1"/><g clip-path="url(#f2-clip1)"/>');
 * ```
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id) => `id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id) => `url(#${prefix}${id})`)
    .replace(/\b(xlink:href|href)="#([^"]+)"/g, (_, attr, id) => `${attr}="#${prefix}${id}"`);
}

function paragraphs(text: string | readonly string[] | undefined): string {
  if (text === undefined) return "";
  const list = typeof text === "string" ? [text] : text;
  return list.map((p) => `<p>${escapeHtml(p)}</p>`).join("\n");
}

const STYLE = `
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 70rem;
  padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.3rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
figure { margin: 1rem 0; }
figure svg { max-width: 100%; height: auto; }
figcaption, .caption { color: #555; font-size: 0.9rem; }
.table-wrap { overflow-x: auto; margin: 1rem 0; }
table { border-collapse: collapse; font-size: 0.88rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.55rem; text-align: left; white-space: nowrap; }
th { background: #f4f4f4; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #fafafa; }
`;

/**
 * Builds a self-contained HTML report: a title, intro paragraphs and sections with text, inline
 * SVG figures (ids scoped per figure) and tables. All text is escaped; there are no scripts.
 *
 * @param o The title, intro and sections.
 * @returns The HTML document.
 *
 * @example
 * ```ts
 * import { htmlReport } from "@plasticity/analysis";
 * const html = htmlReport({
 *   title: "Sine <fa>",
 *   sections: [{ heading: "Final", tables: [{ rows: [{ rule: "fa", acc: 0.5 }] }] }],
 * });
 * console.assert(html.includes("<h1>Sine &lt;fa&gt;</h1>") && html.includes("<table>"));
 * ```
 */
export function htmlReport(o: ReportOptions): string {
  let fig = 0;
  const sections = o.sections.map((s) => {
    const parts = [`<section>`, `<h2>${escapeHtml(s.heading)}</h2>`, paragraphs(s.text)];
    for (const f of s.figures ?? []) {
      fig++;
      parts.push(
        `<figure>\n${scopeSvgIds(f.svg, `fig${fig}-`)}\n${
          f.caption === undefined ? "" : `<figcaption>${escapeHtml(f.caption)}</figcaption>`
        }\n</figure>`,
      );
    }
    for (const t of s.tables ?? []) {
      parts.push(`<div class="table-wrap">\n${toHtmlTable(t.rows, t.options)}\n</div>`);
      if (t.caption !== undefined) parts.push(`<p class="caption">${escapeHtml(t.caption)}</p>`);
    }
    parts.push(`</section>`);
    return parts.filter((p) => p !== "").join("\n");
  });
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<link rel="icon" href="data:,">',
    `<title>${escapeHtml(o.title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    `<h1>${escapeHtml(o.title)}</h1>`,
    paragraphs(o.intro),
    ...sections,
    "</body>",
    "</html>",
    "",
  ].filter((p) => p !== "").join("\n") + "\n";
}
