// Shared look of the reproduction charts (Vega-Lite specs with inline data).

/** Colours of the two learning rules / models, fixed across panels. */
export const RULE_COLORS: Record<string, string> = {
  PC: "#d62728",
  BP: "#1f77b4",
  PAL: "#2ca02c",
  FA: "#7f7f7f",
};

/** Colours of hidden layers 1–3 (PAL figures). */
export const LAYER_COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e"];

/**
 * The frame of a chart: title, subtitle lines, size and fonts.
 *
 * @param title Panel title.
 * @param subtitle Lines under the title (protocol, what bands show).
 * @param body Marks, encodings, layers.
 * @param size Plot width and height.
 * @returns The Vega-Lite spec.
 */
export function chart(
  title: string,
  subtitle: readonly string[],
  body: Record<string, unknown>,
  size: { width?: number; height?: number } = {},
): Record<string, unknown> {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: title, subtitle: subtitle.flatMap((line) => wrap(line, 105)) },
    width: size.width ?? 460,
    height: size.height ?? 300,
    background: "white",
    padding: 12,
    config: {
      font: "DejaVu Sans",
      title: {
        fontSize: 15,
        subtitleFontSize: 11,
        subtitleColor: "#555",
        anchor: "start",
        offset: 10,
      },
      axis: { labelFontSize: 12, titleFontSize: 13, grid: true, gridColor: "#e8e8e8" },
      legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 300, symbolStrokeWidth: 2.5 },
      line: { strokeWidth: 2 },
      header: { labelFontSize: 12, titleFontSize: 12 },
    },
    ...body,
  };
}

/** Splits a line at spaces into lines of at most `width` characters (longer words stay whole). */
export function wrap(line: string, width: number): string[] {
  const out: string[] = [];
  let cur = "";
  for (const word of line.split(" ")) {
    if (cur && cur.length + 1 + word.length > width) {
      out.push(cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) out.push(cur);
  return out;
}

/** A categorical colour scale with a fixed domain. */
export function colorScale(domain: readonly string[], colors: Record<string, string> | string[]) {
  const range = Array.isArray(colors)
    ? domain.map((_, i) => colors[i % colors.length]!)
    : domain.map((d) => colors[d] ?? "#333");
  return { domain: [...domain], range };
}
