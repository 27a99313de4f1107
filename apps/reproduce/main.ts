// Entry point of `deno task reproduce`: see cli.ts for the options.
import type { Executor } from "@plasticity/runner";
import { enterUserWorkdir } from "@plasticity/runner/workdir";
import { parseCli, USAGE } from "./cli.ts";
import { listFigures, selectFigures } from "./registry.ts";
import { type FigureReport, reproduceFigure, selectPanels } from "./reproduce.ts";
import { verdictLines } from "./report.ts";
import { tally } from "./verdict.ts";

async function main(args: string[]): Promise<number> {
  const o = parseCli(args);
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  if (o.list) {
    console.log(listFigures());
    return 0;
  }
  if (o.figures.length === 0) {
    throw new Error("No figure given: expected e.g. `fig3` or `pc/fig3` (see --list)");
  }
  const figures = selectFigures(o.figures);
  const unknown = o.panels.filter((p) => !figures.some((f) => f.panels.some((q) => q.id === p)));
  if (unknown.length > 0) {
    throw new Error(
      `Unknown panel "${unknown[0]}" for ${figures.map((f) => f.id).join(", ")}: expected one of ${
        [...new Set(figures.flatMap((f) => f.panels.map((p) => p.id)))].join(", ")
      }`,
    );
  }
  const t0 = performance.now();
  const reports: FigureReport[] = [];
  let executor: Executor | undefined;
  if (o.executor === "bullmq") {
    const { bullmqExecutor, redisTarget } = await import("@plasticity/cluster");
    executor = bullmqExecutor({ redis: redisTarget(o.redis, Deno.env.toObject()) });
  }
  for (const f of figures) {
    if (selectPanels(f, o.panels).size === 0) {
      console.error(`${f.id}: none of the requested panels; skipped`);
      continue;
    }
    console.error(`== ${f.id} (${o.mode} mode): ${f.title}`);
    const r = await reproduceFigure(f, {
      mode: o.mode,
      panels: o.panels,
      outRoot: o.out,
      jobs: o.jobs,
      force: o.force,
      noRun: o.noRun,
      ...(executor ? { executor } : {}),
    });
    reports.push(r);
    console.error(`== ${f.id}: done in ${r.wallS.toFixed(1)} s; report ${r.outDir}/report.html`);
  }
  const total = (performance.now() - t0) / 1000;
  console.log(`\nVerdicts (${o.mode} mode, ${total.toFixed(0)} s in all):`);
  let failed = 0;
  for (const r of reports) {
    for (const line of verdictLines(r.figure.id, r.outcomes)) console.log(line);
    const t = tally(r.outcomes);
    console.log(
      `  ${r.figure.id}: ${t.met} met, ${t.notMet} not met, ${t.notRun} not run — ${r.outDir}/summary.md`,
    );
    for (const f of r.failures) console.log(`  FAILED TRIAL ${r.figure.id} ${f}`);
    for (const f of r.skipped) console.log(`  NOT RUN (data missing) ${r.figure.id} ${f}`);
    for (const f of r.unfinished) console.log(`  UNFINISHED (--no-run) ${r.figure.id} ${f}`);
    failed += r.failures.length;
  }
  return failed > 0 ? 1 : 0;
}

if (import.meta.main) {
  try {
    // Relative paths (--out) are the user's: `deno task` starts us in the toolkit's folder.
    enterUserWorkdir();
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(`reproduce: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    Deno.exit(2);
  }
}
