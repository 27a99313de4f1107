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
import { main } from "./cli.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
