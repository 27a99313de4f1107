// Test helper: trial records as @plasticity/runner's readTrials returns them for a results folder
// in the runner's layout (<root>/<experiment>/<trial id>/config.yaml, status.json, metrics.jsonl,
// summary.json, meta.json), made in memory.
import type { TrialRecord } from "./trials.ts";

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
  /** No status.json: the state reads as `unknown`. */
  noStatus?: boolean;
}

/** The `meta.json` of every fake trial. */
export const FAKE_META: Record<string, unknown> = {
  "git_commit": "abc123",
  versions: { "@plasticity/core": "0.1.0" },
  backend: "js",
  deno: "2.9.6",
};

/** The record of one trial `<root>/<config.name>/<id>/`, as read back from its files. */
export async function fakeTrial(t: FakeTrial, root = "/results"): Promise<TrialRecord> {
  const id = await trialId(t.config);
  const experiment = String(t.config.name);
  return {
    id,
    experiment,
    dir: `${root}/${experiment}/${id}`,
    config: structuredClone(t.config),
    state: t.noStatus ? "unknown" : t.state ?? "done",
    ...(t.error === undefined || t.noStatus ? {} : { error: t.error }),
    metrics: structuredClone(t.metrics),
    summary: structuredClone(t.summary ?? { wall_s: 1.5 }),
    meta: structuredClone(FAKE_META),
  };
}

/** The records of several fake trials, in the order `readTrials` gives (experiment, then id). */
export async function fakeTrials(list: readonly FakeTrial[]): Promise<TrialRecord[]> {
  const out = await Promise.all(list.map((t) => fakeTrial(t)));
  const key = (t: TrialRecord) => `${t.experiment}\u0000${t.id}`;
  return out.sort((a, b) => key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
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
