// Adam's step on the first weight matrix of CorInfoMax's BP baseline (784 × 500, 392 000
// parameters) on the blas backend: the fused in-place path that backends with raw buffers take,
// against the chain of backend operations (the baseline; what backends without raw buffers run),
// both giving the same bits.
import { createBlasBackend, createRng, Optimizer } from "./mod.ts";
import { withoutRaw } from "./_test_utils.ts";

const b = createBlasBackend(), rng = createRng(3);
const w0 = b.random(784, 500, () => rng.normal() * 0.05);
const g = b.random(784, 500, () => rng.normal() * 0.01);
const spec = { name: "adam", lr: 0.001 } as const;
const group = "Adam step, 784 × 500 on blas";
for (
  const [name, backend, baseline] of [
    ["backend operations (eleven passes)", withoutRaw(b), true],
    ["in place on raw buffers", b, false],
  ] as const
) {
  const opt = new Optimizer(backend, spec);
  let w = w0;
  Deno.bench(name, { group, baseline }, () => {
    w = opt.update("w", w, g);
  });
}
