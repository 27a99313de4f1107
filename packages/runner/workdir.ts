/**
 * The user's working folder. `deno task` runs a task in the folder of the `deno.json` that
 * defines it and puts the folder it was started from in `INIT_CWD`; the apps move back there
 * first ({@linkcode enterUserWorkdir}), so configs, data and results given as relative paths
 * resolve against the user's folder wherever the toolkit lives. Results also record the git
 * commit of that folder and whether it had uncommitted changes ({@linkcode workdirGit}).
 *
 * @module
 */

/**
 * The folder the user started the command in: `INIT_CWD` when `deno task` set it, else the
 * process's working folder.
 *
 * @param env The environment (default: the process's).
 * @returns The folder.
 *
 * @example
 * ```ts
 * import { userWorkdir } from "@plasticity/runner";
 * const where = new URL("./sweeps/", import.meta.url).pathname; // the folder `deno task` ran in
 * console.assert(userWorkdir({ INIT_CWD: where }) === where);
 * ```
 */
export function userWorkdir(
  env: Readonly<Record<string, string | undefined>> = Deno.env.toObject(),
): string {
  return env.INIT_CWD || Deno.cwd();
}

/**
 * Makes the user's folder the working folder (see {@linkcode userWorkdir}).
 *
 * @example
 * ```ts ignore
 * import { enterUserWorkdir } from "@plasticity/runner";
 * enterUserWorkdir(); // relative paths now resolve where the user ran `deno task …`
 * ```
 */
export function enterUserWorkdir(): void {
  const dir = userWorkdir();
  if (dir !== Deno.cwd()) Deno.chdir(dir);
}

/** The git state of a folder. */
export interface WorkdirGit {
  /** `git rev-parse HEAD`. */
  commit: string;
  /** Whether `git status --porcelain` lists changes (tracked or untracked files). */
  dirty: boolean;
}

/**
 * The git commit of the repository a folder is in, and whether it has uncommitted changes;
 * `undefined` when the folder is in no repository (or git is missing).
 *
 * @param dir The folder (default: the working folder).
 * @returns The state.
 *
 * @example
 * ```ts
 * import { workdirGit } from "@plasticity/runner";
 * console.assert(workdirGit(Deno.makeTempDirSync()) === undefined);
 * ```
 */
export function workdirGit(dir: string = Deno.cwd()): WorkdirGit | undefined {
  const git = (args: string[]) => {
    try {
      const out = new Deno.Command("git", { args, cwd: dir, stdout: "piped", stderr: "null" })
        .outputSync();
      return out.success ? new TextDecoder().decode(out.stdout) : undefined;
    } catch {
      return undefined;
    }
  };
  const commit = git(["rev-parse", "HEAD"])?.trim();
  if (!commit || !/^[0-9a-f]{40}$/.test(commit)) return undefined;
  const status = git(["status", "--porcelain"]);
  return { commit, dirty: status === undefined ? true : status.trim() !== "" };
}
