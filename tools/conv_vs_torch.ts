// Conv nets' training step against PyTorch, measured on the registered `bp` learner: one SGD step
// (forward pass, cross-entropy, backward pass, update) of BioTorch's LeNet on 1×28×28 images at
// batch 64 and of the CNN of Song et al. 2024 Fig. 4i on 3×32×32 images at batch 200, against
// single-threaded PyTorch (nn + autograd, the layers of tools/conv_fa_torch.py). The engines take
// turns for `--rounds` rounds of `--steps` steps each, so a change in machine load hits them alike;
// prints each one's median milliseconds per step and the median of the per-round ratios.
// Needs Debian's python3-torch. Run:
//   OPENBLAS_NUM_THREADS=1 deno run -A tools/conv_vs_torch.ts [--rounds 7] [--steps 20] [--net lenet|fig4i|both]
import { parseArgs } from "node:util";
import { createLearner, createRng, type Tensor } from "@plasticity/core";
import { parseBackendFlag, selectEnvBackend } from "@plasticity/runner/backend-env";
import { median, pythonWorker } from "./_python_worker.ts";
import { CONV_BENCH_NETS } from "../packages/rules/feedback-alignment/_conv_bench_nets.ts";
import "@plasticity/backprop";

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "blas" },
    rounds: { type: "string", default: "7" },
    steps: { type: "string", default: "20" },
    net: { type: "string", default: "both" },
    python: { type: "string", default: "/usr/bin/python3" },
  },
});
const rounds = Number(values.rounds), steps = Number(values.steps);
for (const [flag, v] of [["rounds", rounds], ["steps", steps]] as const) {
  if (!Number.isInteger(v) || v < 1) {
    throw new Error(
      `Invalid --${flag} ${JSON.stringify(values[flag])}: expected a whole number ≥ 1`,
    );
  }
}

const NETS = CONV_BENCH_NETS;
type NetKey = keyof typeof NETS;
const chosen: NetKey[] = values.net === "both" ? ["lenet", "fig4i"] : [values.net as NetKey];
if (!(chosen[0]! in NETS)) {
  throw new Error(`Invalid --net ${JSON.stringify(values.net)}: expected lenet, fig4i or both`);
}

// The PyTorch side stays alive and runs `steps` steps of the named net per input line, printing
// the median step in seconds.
const PY = `
import sys, time, statistics, torch
import torch.nn as nn
import torch.nn.functional as F
torch.set_num_threads(1)
torch.manual_seed(0)
def lenet():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 120, 5), nn.ReLU(),
        nn.Flatten(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
def fig4i():
    return nn.Sequential(nn.Conv2d(3, 64, 3, 2, 1, bias=False), nn.ReLU(),
        nn.Conv2d(64, 128, 3, 2, 1, bias=False), nn.ReLU(), nn.Flatten(),
        nn.Linear(128 * 8 * 8, 512), nn.ReLU(), nn.Linear(512, 10))
nets = {"lenet": (lenet(), 64, (1, 28, 28)), "fig4i": (fig4i(), 200, (3, 32, 32))}
runs = {}
for k, (net, b, shape) in nets.items():
    data = [(torch.randn(b, *shape), torch.randint(0, 10, (b,))) for _ in range(4)]
    runs[k] = (net, torch.optim.SGD(net.parameters(), lr=1e-4), data)
for line in sys.stdin:
    net, opt, data = runs[line.strip()]
    times = []
    for i in range(${steps}):
        x, y = data[i % 4]
        t0 = time.perf_counter()
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()
        times.append(time.perf_counter() - t0)
    print(statistics.median(times), flush=True)
`;

const py = pythonWorker(values.python, PY);
const torchRound = async (net: string): Promise<number> => (await py.ask(net)) * 1000;

const b = await selectEnvBackend(parseBackendFlag(values.backend));
for (const key of chosen) {
  const net = NETS[key], [c, h, w] = net.network.input_shape;
  const rng = createRng(0), data: [Tensor, Tensor][] = [];
  for (let i = 0; i < 4; i++) {
    const y = new Float32Array(net.batch * 10);
    for (let r = 0; r < net.batch; r++) y[r * 10 + rng.int(10)] = 1;
    data.push([
      b.keep(b.random(net.batch, c * h * w, () => rng.normal())),
      b.keep(b.fromArray(y, net.batch, 10)),
    ]);
  }
  const learner = createLearner("bp", {
    network: net.network as never,
    loss: { kind: "ce" },
    optimizer: { name: "sgd", lr: 1e-4 },
    backend: b,
    seed: 0,
  });
  const ourRound = (): number => {
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      learner.trainBatch(...data[i % 4]!);
      times.push(performance.now() - t0);
    }
    return median(times);
  };
  // One warm-up round each, not counted.
  ourRound();
  await torchRound(key);
  const ours: number[] = [], torch: number[] = [];
  for (let r = 0; r < rounds; r++) {
    ours.push(ourRound());
    torch.push(await torchRound(key));
  }
  const ratio = median(ours.map((t, i) => t / torch[i]!));
  console.log(
    `${net.name}: bp learner (${b.name}) ${median(ours).toFixed(2)} ms/step, PyTorch ${
      median(torch).toFixed(2)
    } ms/step; ratio ${
      ratio.toFixed(2)
    }× (median of ${rounds} per-round ratios, ${steps} steps each)`,
  );
}
await py.close();
