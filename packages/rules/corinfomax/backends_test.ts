// The learners give the js reference's results on the other backends (blas: fused kernels on
// OpenBLAS products; tfjs: the generic path), and leak no TF.js or WebGPU tensors.
import { type Backend, createBlasBackend, createRng } from "@plasticity/core";
import { loadTfjsBackend } from "@plasticity/tfjs";
import { createWebgpuBackend } from "@plasticity/webgpu";
import {
  type AgreeOptions,
  assertBackendsAgree,
  assertNoTensorLeaks,
  type Batch,
  type LearnerSetup,
} from "@plasticity/core/testing";
import "./mod.ts";

const RULES = ["corinfomax", "corinfomax-sparse"];

const rng = createRng(3);
/** One batch, trained on three times, then predicted on. */
const batch: Batch = {
  rows: 6,
  x: Array.from({ length: 6 * 12 }, () => rng.next()),
  y: Array.from({ length: 6 * 4 }, (_, i) => (i % 5 === 0 ? 1 : 0)),
};
const setup: LearnerSetup = {
  network: { sizes: [12, 9, 7, 4], activation: "hardSigmoid", output_activation: "hardSigmoid" },
  hyper: { "lr_ff": [0.5, 0.4, 0.3], "lr_fb": [0.1, 0.1] },
  seed: 2,
};
const agree: AgreeOptions = { batches: [batch, batch, batch], probe: batch, tol: 1e-4 };

let blas: Backend | undefined;
try {
  blas = createBlasBackend();
} catch (e) {
  console.error(`corinfomax backends test: blas unavailable (${(e as Error).message})`);
}

for (const rule of RULES) {
  Deno.test({
    name: `${rule}: blas gives the js results`,
    ignore: blas === undefined,
    fn: () => assertBackendsAgree(rule, setup, blas!, agree).learner.dispose(),
  });
}

Deno.test("corinfomax and corinfomax-sparse: tfjs gives the js results and frees every intermediate", async () => {
  const b = await loadTfjsBackend("cpu");
  for (const rule of RULES) {
    const got = assertBackendsAgree(rule, setup, b, agree);
    await assertNoTensorLeaks(got.learner, batch, { warmup: 0, steps: 2 });
    got.learner.dispose();
  }
});

Deno.test({
  name:
    "corinfomax and corinfomax-sparse: webgpu gives the js results and frees every intermediate",
  ignore: Deno.env.get("PLASTICITY_SKIP_WEBGPU") === "1",
  fn: async () => {
    const b = await createWebgpuBackend();
    try {
      for (const rule of RULES) {
        const got = assertBackendsAgree(rule, setup, b, agree);
        await assertNoTensorLeaks(got.learner, batch, { warmup: 0, steps: 2 });
        got.learner.dispose();
      }
    } finally {
      b.close();
    }
  },
});
