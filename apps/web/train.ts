// The training side of the web page, run in a Web Worker (bundled for the browser by `build.ts`):
// BP and FA on the same MNIST subset, one batch each in turn, on WebGPU where a hardware adapter
// and blocking readback are available, else on the js backend; every loss goes back to the page.
import { type Backend, createLearner, jsBackend } from "@plasticity/core";
import "@plasticity/feedback-alignment"; // registers fa (and bp)
import { createWebgpuBackend } from "@plasticity/webgpu";

/** What the page sends: `count` images of 784 pixels (bytes) with their labels. */
interface Start {
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
  readonly steps: number;
}

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<Start>) => void) | null;
  postMessage(message: unknown): void;
};

async function pickBackend(): Promise<{ backend: Backend; why: string }> {
  try {
    return { backend: await createWebgpuBackend({ allowSoftware: false }), why: "" };
  } catch (e) {
    return {
      backend: jsBackend,
      why: (e instanceof Error ? e.message : String(e)).split("\n")[0]!,
    };
  }
}

scope.onmessage = async (e: MessageEvent<Start>) => {
  const { pixels, labels, count, steps } = e.data;
  const { backend: b, why } = await pickBackend();
  scope.postMessage({ type: "backend", name: b.name, why });
  const batch = 32, x = new Float32Array(batch * 784), y = new Float32Array(batch * 10);
  const learners = ["bp", "fa"].map((rule) =>
    createLearner(rule, {
      network: { sizes: [784, 64, 10], activation: "relu" },
      optimizer: { name: "sgd", lr: 0.05 },
      loss: "ce",
      backend: b,
      seed: 0,
    })
  );
  for (let step = 0; step < steps; step++) {
    y.fill(0);
    for (let r = 0; r < batch; r++) {
      const i = (step * batch + r) % count;
      for (let p = 0; p < 784; p++) x[r * 784 + p] = pixels[i * 784 + p]! / 255;
      y[r * 10 + labels[i]!] = 1;
    }
    const xt = b.fromArray(x, batch, 784), yt = b.fromArray(y, batch, 10);
    const losses = learners.map((l) => l.trainBatch(xt, yt).loss);
    b.dispose(xt, yt);
    scope.postMessage({ type: "loss", step, bp: losses[0], fa: losses[1] });
  }
  for (const l of learners) l.dispose();
  scope.postMessage({ type: "done" });
};
