/**
 * `@plasticity/reproduce`: regenerates paper figures end to end (`deno task reproduce fig3`).
 * A registry of figures (`figures/<paper>/<figure>/`: runner configs, README, analysis), quick and
 * full protocols, verdicts that set the paper's numbers beside ours, and SVG/PNG panels, Markdown
 * and CSV tables and an HTML report under `results/reproduce/<paper>/<figure>/`.
 *
 * @example List the figures and pick those behind `fig3`
 * ```ts
 * import { selectFigures } from "@plasticity/reproduce";
 * console.assert(selectFigures(["fig3"]).length === 2);
 * ```
 *
 * @module
 */
export * from "./types.ts";
export * from "./verdict.ts";
export * from "./overrides.ts";
export * from "./registry.ts";
export * from "./cli.ts";
export * from "./reproduce.ts";
export * from "./report.ts";
