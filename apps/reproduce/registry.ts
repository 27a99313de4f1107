/**
 * The registry of reproducible figures: one folder per figure under `figures/<paper>/<figure>/`
 * holding its runner configs (YAML), a README with the exact command, the paper's numbers and the
 * expected outcomes, and `figure.ts` with the analysis.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { BIOFLAX_MNIST } from "./figures/bioflax/mnist/figure.ts";
import { BIOFLAX_SINE } from "./figures/bioflax/sine/figure.ts";
import { BIOFLAX_TEACHER } from "./figures/bioflax/teacher-student/figure.ts";
import { BIOTORCH_LENET } from "./figures/biotorch/lenet/figure.ts";
import { CORINFOMAX_ANGLE } from "./figures/corinfomax/angle/figure.ts";
import { CORINFOMAX_CIFAR10 } from "./figures/corinfomax/cifar10/figure.ts";
import { CORINFOMAX_FASHION_MNIST } from "./figures/corinfomax/fashion-mnist/figure.ts";
import { CORINFOMAX_MNIST } from "./figures/corinfomax/mnist/figure.ts";
import { PAL_FIG3 } from "./figures/pal/fig3/figure.ts";
import { PAL_FIG4 } from "./figures/pal/fig4/figure.ts";
import { PAL_GENN_MNIST } from "./figures/pal-genn/mnist/figure.ts";
import { PAL_GENN_YIN_YANG } from "./figures/pal-genn/yin-yang/figure.ts";
import { PC_FIG3 } from "./figures/pc/fig3/figure.ts";
import { PC_FIG4 } from "./figures/pc/fig4/figure.ts";
import { PC_FIG4I } from "./figures/pc/fig4i/figure.ts";
import type { FigureDefinition } from "./types.ts";

/** Every registered figure, in listing order. */
export const FIGURES: readonly FigureDefinition[] = [
  PC_FIG3,
  PC_FIG4,
  PAL_FIG3,
  PAL_FIG4,
  PAL_GENN_YIN_YANG,
  PAL_GENN_MNIST,
  BIOFLAX_MNIST,
  BIOFLAX_TEACHER,
  BIOFLAX_SINE,
  BIOTORCH_LENET,
  CORINFOMAX_MNIST,
  CORINFOMAX_ANGLE,
  CORINFOMAX_CIFAR10,
  CORINFOMAX_FASHION_MNIST,
  PC_FIG4I,
];

/**
 * The folder of a figure (its configs and README).
 *
 * @param id Figure id, e.g. `pc/fig3`.
 * @returns The absolute folder path.
 *
 * @example
 * ```ts
 * import { figureDir } from "@plasticity/reproduce/registry";
 * console.assert(figureDir("pc/fig3").endsWith("figures/pc/fig3"));
 * ```
 */
export function figureDir(id: string): string {
  return fileURLToPath(new URL(`./figures/${id}`, import.meta.url));
}

/**
 * Resolves figure selectors: a full id (`pc/fig3`), a figure name shared by several papers
 * (`fig3` → `pc/fig3` and `pal/fig3`), or a paper (`pal`). Duplicates are dropped, order kept.
 *
 * @param selectors What the user typed.
 * @returns The figures.
 * @throws {Error} When a selector matches nothing.
 *
 * @example
 * ```ts
 * import { selectFigures } from "@plasticity/reproduce/registry";
 * console.assert(selectFigures(["fig3"]).map((f) => f.id).join(" ") === "pc/fig3 pal/fig3");
 * console.assert(selectFigures(["pal/fig3"]).length === 1);
 * ```
 */
export function selectFigures(selectors: readonly string[]): FigureDefinition[] {
  const out: FigureDefinition[] = [];
  for (const raw of selectors) {
    const sel = raw.replace(/\/+$/, "").toLowerCase();
    const hits = FIGURES.filter((f) => {
      const [paper, fig] = f.id.split("/");
      return f.id === sel || fig === sel || paper === sel;
    });
    if (hits.length === 0) {
      throw new Error(
        `Unknown figure "${raw}": expected one of ${
          FIGURES.map((f) => f.id).join(", ")
        }, a figure name such as "fig3", or a paper such as "pc"`,
      );
    }
    for (const h of hits) if (!out.includes(h)) out.push(h);
  }
  return out;
}

/**
 * The `--list` text: one block per figure with its panels and configs.
 *
 * @returns The listing.
 *
 * @example
 * ```ts
 * import { listFigures } from "@plasticity/reproduce/registry";
 * console.assert(listFigures().includes("pal/fig3"));
 * ```
 */
export function listFigures(): string {
  const lines: string[] = [];
  for (const f of FIGURES) {
    lines.push(`${f.id}  ${f.title}`);
    for (const p of f.panels) lines.push(`    ${p.id.padEnd(4)} ${p.title}`);
    lines.push(`    configs: ${f.experiments.map((e) => e.file).join(", ")}`);
    lines.push(`    command: deno task reproduce ${f.id} [--quick | --full] [--panels ...]`);
  }
  return lines.join("\n");
}
