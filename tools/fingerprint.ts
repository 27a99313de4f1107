/**
 * Behaviour fingerprint: runs the small experiments in `tools/fingerprint/` (every rule and every
 * simulation, on js and blas) into a fresh results folder and prints, per trial, the hashes of
 * `metrics.jsonl` and of `summary.json` without its wall time. Two code versions behave the same
 * on these configs when their outputs are identical (trial ids are printed for information; they
 * change when the resolved config's form changes).
 *
 * Usage: `deno run -A tools/fingerprint.ts [--keep DIR]`
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { runExperiment, TRIAL_FILES } from "@plasticity/runner";
import { parseArgs } from "node:util";

const { values } = parseArgs({ args: Deno.args, options: { keep: { type: "string" } } });
const here = new URL("./fingerprint/", import.meta.url);
const root = values.keep ?? Deno.makeTempDirSync({ prefix: "fingerprint-" });
const sha = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 16);
const files = [...Deno.readDirSync(here)].map((e) => e.name).filter((n) => n.endsWith(".yaml"))
  .sort();
const lines: string[] = [];
for (const f of files) {
  const report = await runExperiment(new URL(f, here), {
    resultsDir: root,
    jobs: 2,
    progress: "none",
  });
  for (const t of report.trials) {
    const point = Object.entries(t.trial.point).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    const label = [report.experiment, ...point, `seed=${t.trial.seed}`].join(" ");
    const read = (name: string) => {
      try {
        return Deno.readTextFileSync(join(t.dir, name));
      } catch {
        return "{}";
      }
    };
    const metrics = read(TRIAL_FILES.metrics);
    const summary = JSON.parse(read(TRIAL_FILES.summary));
    delete summary.wall_s;
    const backend = JSON.parse(read(TRIAL_FILES.meta)).backend;
    lines.push(
      `${label} | state ${t.state} | backend ${backend} | metrics ${sha(metrics)} | summary ${
        sha(JSON.stringify(summary))
      } | id ${t.trial.id}`,
    );
  }
}
lines.sort();
console.log(lines.join("\n"));
if (!values.keep) Deno.removeSync(root, { recursive: true });
