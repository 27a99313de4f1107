// Whether the data files an experiment needs are present: a figure whose dataset has no embedded
// copy (CIFAR-10) runs where its files were downloaded, and elsewhere reports the experiment as
// not run instead of failing.
import { dataDir, DatasetError, locateImageData } from "@plasticity/datasets";

/** Image sets read from files (MNIST and Fashion-MNIST fall back to their embedded copies). */
const FILE_DATASETS = new Set(["mnist", "fashion-mnist", "cifar10"]);

function nameOf(section: unknown): string | undefined {
  if (typeof section === "string") return section;
  if (section && typeof section === "object") {
    const n = (section as { name?: unknown }).name;
    if (typeof n === "string") return n;
  }
  return undefined;
}

/**
 * The dataset names an experiment config uses: its `dataset` section and the values a grid gives
 * `dataset` or `dataset.name`.
 *
 * @param raw The experiment config (as read from YAML).
 * @returns The names, without duplicates.
 */
export function datasetNames(raw: Record<string, unknown>): string[] {
  const names = new Set<string>();
  const add = (s: unknown) => {
    const n = nameOf(s);
    if (n !== undefined) names.add(n);
  };
  add(raw.dataset);
  const grid = raw.grid;
  if (grid && typeof grid === "object") {
    for (const key of ["dataset", "dataset.name"]) {
      const values = (grid as Record<string, unknown>)[key];
      if (Array.isArray(values)) values.forEach(add);
    }
  }
  return [...names];
}

/**
 * Why an experiment cannot run here for want of data files: the loader's one-line message (which
 * names the folder searched and the download command) for the first image set of the config whose
 * files are absent or incomplete, `undefined` when every dataset it uses can be loaded.
 *
 * @param raw The experiment config.
 * @param dir The data directory (default: `$PLASTICITY_DATA`, as the runner reads it).
 * @returns The reason, or `undefined`.
 */
export async function missingData(
  raw: Record<string, unknown>,
  dir: string = dataDir(),
): Promise<string | undefined> {
  for (const name of datasetNames(raw)) {
    if (!FILE_DATASETS.has(name)) continue;
    try {
      await locateImageData(name as "mnist" | "fashion-mnist" | "cifar10", dir);
    } catch (e) {
      if (e instanceof DatasetError) return e.message;
      throw e;
    }
  }
  return undefined;
}
