// Test helper: writes small results folders in the layout of the runner contract
// (<root>/<experiment>/<trial id>/config.yaml, status.json, metrics.jsonl, summary.json, meta.json).
import { join } from "node:path";
import { stringify } from "yaml";

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${
      Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(",")
    }}`;
  }
  return JSON.stringify(v);
}

/** The contract's trial id: first 12 hex chars of SHA-256 of the canonical JSON of the config. */
export async function trialId(config: Record<string, unknown>): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical(config)));
  return [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, "0")).join("").slice(
    0,
    12,
  );
}

/** One fake trial. */
export interface FakeTrial {
  config: Record<string, unknown>;
  metrics: Record<string, unknown>[];
  state?: string;
  error?: string;
  summary?: Record<string, unknown>;
  /** Raw metrics.jsonl text, replacing `metrics`. */
  metricsText?: string;
  /** Leave status.json out. */
  noStatus?: boolean;
}

/** Writes one trial under `<root>/<config.name>/<id>/` and returns its folder. */
export async function writeFakeTrial(root: string, t: FakeTrial): Promise<string> {
  const id = await trialId(t.config);
  const dir = join(root, String(t.config.name), id);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(join(dir, "config.yaml"), stringify(t.config));
  await Deno.writeTextFile(
    join(dir, "metrics.jsonl"),
    t.metricsText ?? t.metrics.map((m) => JSON.stringify(m) + "\n").join(""),
  );
  await Deno.writeTextFile(join(dir, "summary.json"), JSON.stringify(t.summary ?? { wall_s: 1.5 }));
  await Deno.writeTextFile(
    join(dir, "meta.json"),
    JSON.stringify({
      git_commit: "abc123",
      versions: { "@plasticity/core": "0.1.0" },
      backend: "js",
      deno: "2.9.6",
    }),
  );
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

/** A learner config as the runner resolves it. */
export function learnerConfig(
  name: string,
  rule: string,
  lr: number,
  seed: number,
  sizes: number[] = [4, 8, 3],
): Record<string, unknown> {
  return {
    name,
    kind: "learner",
    dataset: { name: "sine", n_train: 64 },
    network: { sizes, activation: "tanh", output_activation: "identity", bias: true },
    rule: { name: rule },
    optimizer: { name: "sgd", lr, momentum: 0, weight_decay: 0 },
    loss: { kind: "mse", half: true, reduction: "mean" },
    epochs: 3,
    batch_size: 16,
    seed,
    backend: "js",
    metrics: { every: 1, diagnostics: true, test_batch_size: 1000 },
  };
}
