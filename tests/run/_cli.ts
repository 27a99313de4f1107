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

/** How to start the runner's command line. */
export interface CliOptions {
  /** Start it in its own process group (via `setsid`), so the whole group can be killed. */
  setsid?: boolean;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** V8 flags, e.g. a heap limit. */
  v8Flags?: string[];
}

/**
 * The command that runs the runner's command line with `args`, writing under `results`.
 *
 * @param args Command-line arguments.
 * @param results The results root.
 * @param options Process group, environment and V8 flags.
 * @returns The command, to spawn or run.
 */
export function cliCommand(
  args: string[],
  results: string,
  options: CliOptions = {},
): Deno.Command {
  const v8 = options.v8Flags?.length ? [`--v8-flags=${options.v8Flags.join(",")}`] : [];
  const deno = ["run", "-A", "--quiet", ...v8, "--config", ROOT_CONFIG, MAIN, ...args];
  return new Deno.Command(options.setsid ? "setsid" : Deno.execPath(), {
    args: options.setsid ? [Deno.execPath(), ...deno] : deno,
    env: {
      PLASTICITY_RESULTS: results,
      OPENBLAS_NUM_THREADS: "1",
      PLASTICITY_BACKEND: "",
      ...options.env,
    },
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
 * @param options Environment and V8 flags.
 * @returns Exit code, output and the wall time in seconds.
 */
export async function cli(
  args: string[],
  results: string,
  options: CliOptions = {},
): Promise<CliResult & { seconds: number }> {
  const t0 = performance.now();
  const out = await cliCommand(args, results, options).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
    seconds: (performance.now() - t0) / 1000,
  };
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
