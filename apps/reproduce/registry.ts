/**
 * The registry of reproducible figures: one folder per figure under `figures/<paper>/<figure>/`
 * holding its runner configs (YAML), a README with the exact command, the paper's numbers and the
 * expected outcomes, and `figure.ts` with the analysis.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
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
 * A local folder holding a figure's configs. In a checkout (or any install on the file system)
 * that is the figure's own folder; run from a registry (JSR), the package's files are URLs, so
 * the figure's configs — its experiments' files and the configs their `init_from` names — are
 * fetched into `dest/figure/` first, where the runner reads them like any config file.
 *
 * @param figure The figure.
 * @param dest A folder for the fetched copy (the figure's output folder).
 * @param base The figure's folder as a URL (default: beside this module).
 * @returns The folder to read the configs from.
 *
 * @example
 * ```ts
 * import { figureFolder, FIGURES } from "@plasticity/reproduce/registry";
 * const pc = FIGURES.find((f) => f.id === "pc/fig3")!;
 * console.assert((await figureFolder(pc, "unused")).endsWith("figures/pc/fig3"));
 * ```
 */
export async function figureFolder(
  figure: FigureDefinition,
  dest: string,
  base: URL = new URL(`./figures/${figure.id}/`, import.meta.url),
): Promise<string> {
  if (base.protocol === "file:") return fileURLToPath(base).replace(/\/$/, "");
  return await fetchFigureFiles(figure, base, join(dest, "figure"));
}

/**
 * Copies a figure's configs from `base` (any URL `fetch` reads) into `dest`: each experiment's
 * file and, transitively, every config an `init_from` in them names. Throws one line naming the
 * URL when a file cannot be fetched.
 *
 * @param figure The figure.
 * @param base The figure's folder as a URL.
 * @param dest The folder to write into (made if missing).
 * @returns `dest`.
 *
 * @example
 * ```ts
 * import { fetchFigureFiles, FIGURES } from "@plasticity/reproduce/registry";
 * const fig = FIGURES.find((f) => f.id === "pc/fig4")!;
 * const base = new URL("./figures/pc/fig4/", import.meta.resolve("@plasticity/reproduce/registry"));
 * const dir = await fetchFigureFiles(fig, base, await Deno.makeTempDir());
 * console.assert(Deno.statSync(`${dir}/4fg_pretrain.yaml`).isFile); // named by 4fg.yaml's init_from
 * ```
 */
export async function fetchFigureFiles(
  figure: FigureDefinition,
  base: URL,
  dest: string,
): Promise<string> {
  const todo = figure.experiments.map((e) => e.file), done = new Set<string>();
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (done.has(file)) continue;
    done.add(file);
    const url = new URL(file, base);
    const res = await fetch(url);
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(
        `Cannot fetch the figure config "${url.href}": ${res.status} ${res.statusText}`,
      );
    }
    const text = await res.text();
    const target = join(dest, file);
    Deno.mkdirSync(dirname(target), { recursive: true });
    Deno.writeTextFileSync(target, text);
    const from = (parse(text) as { init_from?: unknown } | null)?.init_from;
    const other = typeof from === "string" ? from : from && typeof from === "object" &&
        typeof (from as { config?: unknown }).config === "string"
      ? (from as { config: string }).config
      : undefined;
    if (other !== undefined && !other.startsWith("/")) todo.push(other);
  }
  return dest;
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
