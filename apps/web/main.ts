/**
 * `deno task web`: builds the web page that trains BP against FA on an MNIST subset in the
 * browser — on WebGPU where the browser has a hardware adapter (in a Worker, as the webgpu backend
 * blocks on readbacks), else on the js backend — into one HTML file that opens from disk.
 *
 * ```sh
 * deno task web                      # writes web/index.html (2000 images, 200 steps per rule)
 * deno task web --out site --images 500 --steps 100
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { loadDataset } from "@plasticity/datasets";
import { pageHtml } from "./page.ts";

/**
 * Builds the page into `out/index.html`.
 *
 * @param options Output folder, images and steps.
 * @returns The path written.
 *
 * @example
 * ```ts ignore
 * import { buildPage } from "./main.ts";
 * console.log(await buildPage({ out: "web", images: 500, steps: 50 }));
 * ```
 */
export async function buildPage(
  options: { out: string; images: number; steps: number },
): Promise<string> {
  const data = await loadDataset("mnist", {
    train_size: options.images,
    validation_size: 0,
    normalize: "unit",
  }, {
    seed: 0,
    log: () => {},
  });
  const split = data.train, n = split.n;
  const pixels = new Uint8Array(n * 784), labels = new Uint8Array(n);
  // The dataset scales pixels to [0, 1]; the page carries the bytes.
  for (let i = 0; i < n * 784; i++) pixels[i] = Math.round(split.x[i]! * 255);
  for (let i = 0; i < n; i++) labels[i] = split.labels![i]!;
  const built = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      new URL("./train.ts", import.meta.url).pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!built.success) {
    throw new Error(
      `Bundling the page's worker failed: ${new TextDecoder().decode(built.stderr).split("\n")[0]}`,
    );
  }
  const worker = new TextDecoder().decode(built.stdout);
  Deno.mkdirSync(options.out, { recursive: true });
  const path = join(options.out, "index.html");
  Deno.writeTextFileSync(path, pageHtml({ worker, pixels, labels, steps: options.steps }));
  return path;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      out: { type: "string", default: "web" },
      images: { type: "string", default: "2000" },
      steps: { type: "string", default: "200" },
    },
  });
  const images = Number(values.images), steps = Number(values.steps);
  if (!Number.isInteger(images) || images < 1 || !Number.isInteger(steps) || steps < 1) {
    console.error(
      `Invalid --images "${values.images}" or --steps "${values.steps}": expected positive integers`,
    );
    Deno.exit(2);
  }
  console.log(await buildPage({ out: values.out!, images, steps }));
}
