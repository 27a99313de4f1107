// The learners give the js reference's results on the other backends (blas: OpenBLAS products;
// tfjs: TF.js kernels), and leak no TF.js or WebGPU tensors.
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

const RULES = ["ep", "csm"];

const rng = createRng(3);
/** One batch, trained on three times, then predicted on. */
const batch: Batch = {
  rows: 6,
  x: Array.from({ length: 6 * 12 }, () => rng.next()),
  y: Array.from({ length: 6 * 4 }, (_, i) => (i % 5 === 0 ? 1 : 0)),
};
function setup(rule: string): LearnerSetup {
  return {
    network: { sizes: [12, 9, 7, 4], activation: "hardSigmoid", output_activation: "hardSigmoid" },
    hyper: rule === "csm"
      ? { lr: [0.3, 0.2, 0.1], "lr_m": [-0.01, -0.01] }
      : { lr: [0.3, 0.2, 0.1] },
    seed: 2,
  };
}
const agree: AgreeOptions = { batches: [batch, batch, batch], probe: batch, tol: 1e-4 };

let blas: Backend | undefined;
try {
  blas = createBlasBackend();
} catch (e) {
  console.error(`ep backends test: blas unavailable (${(e as Error).message})`);
}

for (const rule of RULES) {
  Deno.test({
    name: `${rule}: blas gives the js results`,
    ignore: blas === undefined,
    fn: () => assertBackendsAgree(rule, setup(rule), blas!, agree).learner.dispose(),
  });
}

Deno.test("ep and csm: tfjs gives the js results and frees every intermediate", async () => {
  const b = await loadTfjsBackend("cpu");
  for (const rule of RULES) {
    const got = assertBackendsAgree(rule, setup(rule), b, agree);
    await assertNoTensorLeaks(got.learner, batch, { warmup: 0, steps: 2 });
    got.learner.dispose();
  }
});

Deno.test({
  name: "ep and csm: webgpu gives the js results and frees every intermediate",
  ignore: Deno.env.get("PLASTICITY_SKIP_WEBGPU") === "1",
  fn: async () => {
    const b = await createWebgpuBackend();
    try {
      for (const rule of RULES) {
        const got = assertBackendsAgree(rule, setup(rule), b, agree);
        await assertNoTensorLeaks(got.learner, batch, { warmup: 0, steps: 2 });
        got.learner.dispose();
      }
    } finally {
      b.close();
    }
  },
});
