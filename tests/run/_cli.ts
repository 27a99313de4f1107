/**
 * Test helpers: run `deno task run` (apps/run/main.ts) as a subprocess against a results root,
 * write configs, and list trial folders.
 *
 * @module
 */
import { join } from "node:path";

const MAIN = new URL("../../apps/run/main.ts", import.meta.url).pathname;
const ROOT_CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** The fixtures module (test-only rules and simulations), for `--import`. */
export const FIXTURES = new URL("./_fixtures.ts", import.meta.url).pathname;

/** What a finished command printed. */
export interface CliResult {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/**
 * The command that runs the runner's command line with `args`, writing under `results`.
 *
 * @param args Command-line arguments.
 * @param results The results root.
 * @param setsid Start it in its own process group (via `setsid`), so the group can be killed.
 * @returns The command, to spawn or run.
 */
export function cliCommand(args: string[], results: string, setsid = false): Deno.Command {
  const deno = ["run", "-A", "--quiet", "--config", ROOT_CONFIG, MAIN, ...args];
  return new Deno.Command(setsid ? "setsid" : Deno.execPath(), {
    args: setsid ? [Deno.execPath(), ...deno] : deno,
    env: { PLASTICITY_RESULTS: results, OPENBLAS_NUM_THREADS: "1", PLASTICITY_BACKEND: "" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

/**
 * Runs the runner's command line to its end.
 *
 * @param args Command-line arguments.
 * @param results The results root.
 * @returns Exit code and output.
 */
export async function cli(args: string[], results: string): Promise<CliResult> {
  const out = await cliCommand(args, results).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * Writes a config file.
 *
 * @param dir The folder.
 * @param name The file name.
 * @param text The YAML.
 * @returns Its path.
 */
export function writeConfig(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  Deno.writeTextFileSync(path, text);
  return path;
}

/**
 * The trial folders of an experiment folder (hidden staging and lock folders left out), sorted.
 *
 * @param expDir The experiment folder.
 * @returns Their paths; empty when the folder does not exist.
 */
export function trialDirs(expDir: string): string[] {
  try {
    return [...Deno.readDirSync(expDir)].filter((e) => e.isDirectory && !e.name.startsWith("."))
      .map((e) => join(expDir, e.name)).sort();
  } catch {
    return [];
  }
}

/**
 * Whether a path exists.
 *
 * @param path The path.
 * @returns Whether it exists.
 */
export function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
