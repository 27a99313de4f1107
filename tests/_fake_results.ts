// Test helper: writes small results folders in the layout of the runner contract
// (<root>/<experiment>/<trial id>/config.yaml, status.json, metrics.jsonl, summary.json, meta.json),
// by hand rather than through @plasticity/runner, so that reading them back checks the runner's
// reader against an independent writer.
import { join } from "node:path";
import { stringify } from "yaml";
import { FAKE_META, type FakeTrial, trialId } from "../packages/analysis/_fake_results.ts";

export { learnerConfig } from "../packages/analysis/_fake_results.ts";

/** One fake trial on disk. */
export interface FakeTrialFiles extends FakeTrial {
  /** Raw metrics.jsonl text, replacing `metrics`. */
  metricsText?: string;
}

/** Writes one trial under `<root>/<config.name>/<id>/` and returns its folder. */
export async function writeFakeTrial(root: string, t: FakeTrialFiles): Promise<string> {
  const id = await trialId(t.config);
  const dir = join(root, String(t.config.name), id);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(join(dir, "config.yaml"), stringify(t.config));
  await Deno.writeTextFile(
    join(dir, "metrics.jsonl"),
    t.metricsText ?? t.metrics.map((m) => JSON.stringify(m) + "\n").join(""),
  );
  await Deno.writeTextFile(join(dir, "summary.json"), JSON.stringify(t.summary ?? { wall_s: 1.5 }));
  await Deno.writeTextFile(join(dir, "meta.json"), JSON.stringify(FAKE_META));
  if (!t.noStatus) {
    await Deno.writeTextFile(
      join(dir, "status.json"),
      JSON.stringify({
        state: t.state ?? "done",
        ...(t.error === undefined ? {} : { error: t.error }),
        started: "2026-01-01T00:00:00.000Z",
        finished: "2026-01-01T00:01:00.000Z",
      }),
    );
  }
  return dir;
}
