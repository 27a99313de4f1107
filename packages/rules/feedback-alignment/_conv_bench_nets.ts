// The two conv nets the speed comparisons time (`conv_fa_bench.ts` here and
// `tools/conv_vs_torch.ts` against PyTorch), in the runner's network schema:
// - BioTorch's LeNet on 1×28×28 MNIST-shaped images (first conv padded by 2), batch 64;
// - the CNN of Song et al. 2024 Fig. 4i on 3×32×32 images, batch 200.

/** LeNet and the Fig. 4i CNN with their batch sizes, keyed by the tools' `--net` names. */
export const CONV_BENCH_NETS = {
  lenet: {
    name: "LeNet batch 64",
    batch: 64,
    network: {
      input_shape: [1, 28, 28],
      activation: "relu",
      init: { kind: "xavierUniform" },
      layers: [
        { conv: { out: 6, kernel: 5, padding: 2 } },
        { pool: { kind: "max", size: 2 } },
        { conv: { out: 16, kernel: 5 } },
        { pool: { kind: "max", size: 2 } },
        { conv: { out: 120, kernel: 5 } },
        "flatten",
        { dense: 84 },
        { dense: 10 },
      ],
    },
  },
  fig4i: {
    name: "Fig. 4i CNN batch 200",
    batch: 200,
    network: {
      input_shape: [3, 32, 32],
      activation: "relu",
      layers: [
        { conv: { out: 64, kernel: 3, stride: 2, padding: 1, bias: false } },
        { conv: { out: 128, kernel: 3, stride: 2, padding: 1, bias: false } },
        "flatten",
        { dense: 512 },
        { dense: 10 },
      ],
    },
  },
} as const;
