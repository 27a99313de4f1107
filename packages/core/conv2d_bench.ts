// conv2d forward + backward (output, ∂x, ∂W, ∂b) at the convolution layers of LeNet on MNIST
// (batch 64; BioTorch's benchmark) and of the CNN of Song et al. 2024, Fig. 4i (CIFAR-10, batch
// 200), on the js and blas backends, the unfolded input kept from the forward pass for the weight
// gradient as a ConvNet keeps it. One iteration does 3 × 2·o·(c·k·k)·(oh·ow)·batch FLOP.
import {
  type Backend,
  conv2d,
  conv2dBiasGrad,
  Conv2dColumns,
  type Conv2dGeometry,
  conv2dInputGrad,
  conv2dOutputShape,
  conv2dWeightGrad,
  createBlasBackend,
  createRng,
  imageSize,
  jsBackend,
} from "./mod.ts";

const list: Backend[] = [jsBackend];
try {
  list.push(createBlasBackend());
} catch (e) {
  console.error(`conv2d bench: ${(e as Error).message}`);
}

const LAYERS: [string, number, Conv2dGeometry][] = [
  ["LeNet conv1", 64, { input: { c: 1, h: 28, w: 28 }, outChannels: 6, kernel: 5, padding: 2 }],
  ["LeNet conv2", 64, { input: { c: 6, h: 14, w: 14 }, outChannels: 16, kernel: 5 }],
  ["Fig. 4i conv1", 200, {
    input: { c: 3, h: 32, w: 32 },
    outChannels: 64,
    kernel: 3,
    stride: 2,
    padding: 1,
  }],
  ["Fig. 4i conv2", 200, {
    input: { c: 64, h: 16, w: 16 },
    outChannels: 128,
    kernel: 3,
    stride: 2,
    padding: 1,
  }],
];

for (const [name, batch, g] of LAYERS) {
  const out = conv2dOutputShape(g), ckk = g.input.c * g.kernel * g.kernel;
  const gflop = 3 * 2 * g.outChannels * ckk * out.h * out.w * batch / 1e9;
  for (const b of list) {
    const rng = createRng(0);
    const x = b.random(batch, imageSize(g.input), () => rng.next() - 0.5);
    const w = b.random(g.outChannels, ckk, () => rng.next() - 0.5);
    const bias = b.zeros(1, g.outChannels);
    const dy = b.random(batch, imageSize(out), () => rng.next() - 0.5);
    const keep = new Conv2dColumns();
    Deno.bench({
      name: `${b.name} ${name} fwd+bwd (batch ${batch}, ${gflop.toFixed(3)} GFLOP)`,
      group: name,
      baseline: b.name === "js",
      // The js reference takes seconds per iteration at Fig. 4i's sizes.
      ...(b.name === "js" && batch > 100 ? { n: 3, warmup: 1 } : {}),
      fn() {
        conv2d(b, x, w, g, bias, keep);
        conv2dInputGrad(b, dy, w, g);
        conv2dWeightGrad(b, x, dy, g, keep);
        conv2dBiasGrad(b, dy, g);
      },
    });
  }
}
