// What the feedback-alignment speed tools (`fa_paired.ts`, `fa_draw_floor.ts`) share: the
// backend and round count from the command line, and the 16 synthetic batches of 64 (784 inputs
// U[0, 1), one-hot targets over 10 classes) they cycle through.
import { parseArgs } from "node:util";
import { type Backend, createRng, type Tensor } from "@plasticity/core";
import { parseBackendFlag, selectEnvBackend } from "@plasticity/runner/backend-env";

/** The parsed `--backend` and `--rounds` (plus any extra string options), the backend opened. */
export async function benchSetup(
  defaultRounds: number,
  extra: Record<string, { type: "string"; default: string }> = {},
): Promise<{ b: Backend; rounds: number; values: Record<string, string> }> {
  const { values } = parseArgs({
    options: {
      backend: { type: "string", default: "blas" },
      rounds: { type: "string", default: String(defaultRounds) },
      ...extra,
    },
  });
  const v = values as Record<string, string>;
  const rounds = Number(v.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new Error(`Invalid --rounds ${JSON.stringify(v.rounds)}: expected a whole number ≥ 1`);
  }
  return { b: await selectEnvBackend(parseBackendFlag(v.backend)), rounds, values: v };
}

/** 16 kept batches of 64: inputs U[0, 1) (784 columns) and one-hot targets (10 classes), seed 0. */
export function syntheticBatches(b: Backend): [Tensor, Tensor][] {
  const rng = createRng(0), data: [Tensor, Tensor][] = [];
  for (let i = 0; i < 16; i++) {
    const y = new Float32Array(640);
    for (let r = 0; r < 64; r++) y[r * 10 + rng.int(10)] = 1;
    data.push([b.keep(b.random(64, 784, () => rng.next())), b.keep(b.fromArray(y, 64, 10))]);
  }
  return data;
}
