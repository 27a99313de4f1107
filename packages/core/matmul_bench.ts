// Matrix products of MLP shapes (256×784 @ 784×256, 64×784 @ 784×256, 1×100 @ 100×100) on each
// backend; `deno task bench` also prints GFLOPS.
import { type Backend, createBlasBackend, createRng, jsBackend } from "./mod.ts";
import { loadTfjsBackend } from "@plasticity/tfjs";

const list: Backend[] = [jsBackend];
try {
  list.push(createBlasBackend());
} catch (e) {
  console.error(`matmul bench: ${(e as Error).message}`);
}
try {
  list.push(await loadTfjsBackend("wasm"));
} catch (e) {
  console.error(`matmul bench: ${(e as Error).message}`);
}

for (const [m, k, n] of [[256, 784, 256], [64, 784, 256], [1, 100, 100]] as const) {
  for (const b of list) {
    const rng = createRng(0);
    const a = b.random(m, k, () => rng.next()), w = b.random(k, n, () => rng.next());
    Deno.bench({
      name: `${b.name} matmul ${m}×${k} @ ${k}×${n}`,
      group: `${m}×${k}×${n}`,
      baseline: b.name === "js",
      fn() {
        const c = b.matmul(a, w);
        b.read(c);
        b.dispose(c);
      },
    });
  }
}
