/**
 * `deno task analyze <results…> --y <metric> [--x epoch] [--group rule.name] [--out dir]`: tables,
 * figures (SVG and PNG) and an HTML report from runner results. See `--help`.
 *
 * @example
 * ```sh
 * deno task analyze results/fa-sine --x epoch --y test_loss --group rule.name --out out/fa-sine
 * ```
 *
 * @module
 */
import { enterUserWorkdir } from "@plasticity/runner/workdir";
import { main } from "./cli.ts";

if (import.meta.main) {
  // Relative paths are the user's: `deno task` starts us in the toolkit's folder.
  enterUserWorkdir();
  Deno.exit(await main(Deno.args));
}
