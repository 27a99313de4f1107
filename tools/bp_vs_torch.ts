// BP's speed against PyTorch, measured on the registered `bp` learner itself (not a hand-written loop):
// one epoch (937 batches of 64, i.e. 60 000 samples) of a 784-256-10 ReLU MLP with biases, softmax
// cross-entropy and SGD lr 0.02, against single-threaded PyTorch written the usual way (nn.Linear,
// F.cross_entropy, loss.backward(), optim.SGD) and PyTorch with hand-written gradients. The engines
// take turns for `--rounds` rounds, so a change in machine load hits them alike; prints each one's
// median seconds per epoch and the median of its per-round ratio to the `bp` learner.
// Needs Debian's python3-torch. Run:
//   OPENBLAS_NUM_THREADS=1 deno run -A tools/bp_vs_torch.ts [--backend blas] [--rounds 7]
import { parseArgs } from "node:util";
import { createLearner, createRng, type Tensor } from "@plasticity/core";
import { parseBackendFlag, selectEnvBackend } from "@plasticity/runner/backend-env";
import "@plasticity/backprop";
import { median, pythonWorker } from "./_python_worker.ts";

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "blas" },
    rounds: { type: "string", default: "7" },
    python: { type: "string", default: "/usr/bin/python3" },
  },
});
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  throw new Error(`Invalid --rounds ${JSON.stringify(values.rounds)}: expected a whole number ≥ 1`);
}
const BATCHES = 937, B = 64, DISTINCT = 16;

// The PyTorch side stays alive and runs one epoch of the named variant per input line.
const PY = `
import sys, time, torch
import torch.nn.functional as F
torch.set_num_threads(1)
torch.manual_seed(0)
g = torch.Generator().manual_seed(0)
xs = [torch.rand(${B}, 784, generator=g) for _ in range(${DISTINCT})]
ys = [torch.randint(0, 10, (${B},), generator=g) for _ in range(${DISTINCT})]
net = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
opt = torch.optim.SGD(net.parameters(), lr=0.02)
w1 = torch.randn(784, 256) * 0.036; b1 = torch.zeros(256); w2 = torch.randn(256, 10) * 0.0625; b2 = torch.zeros(10)
onehot = [F.one_hot(y, 10).float() for y in ys]
def autograd_epoch():
    for i in range(${BATCHES}):
        opt.zero_grad()
        loss = F.cross_entropy(net(xs[i % ${DISTINCT}]), ys[i % ${DISTINCT}])
        loss.backward()
        opt.step()
def manual_epoch():
    with torch.inference_mode():
        for i in range(${BATCHES}):
            x = xs[i % ${DISTINCT}]
            a1 = torch.addmm(b1, x, w1); h = a1.clamp_min(0)
            p = torch.softmax(torch.addmm(b2, h, w2), 1)
            d2 = (p - onehot[i % ${DISTINCT}]) / ${B}; d1 = (d2 @ w2.T) * (a1 > 0)
            w2.sub_(0.02 * (h.T @ d2)); b2.sub_(0.02 * d2.sum(0))
            w1.sub_(0.02 * (x.T @ d1)); b1.sub_(0.02 * d1.sum(0))
for line in sys.stdin:
    f = autograd_epoch if line.strip() == "autograd" else manual_epoch
    t0 = time.perf_counter(); f(); print(time.perf_counter() - t0, flush=True)
`;

const py = pythonWorker(values.python, PY);
const torchEpoch = async (variant: string): Promise<number> => (await py.ask(variant));

const b = await selectEnvBackend(parseBackendFlag(values.backend));
const rng = createRng(0), data: [Tensor, Tensor][] = [];
for (let i = 0; i < DISTINCT; i++) {
  const y = new Float32Array(B * 10);
  for (let r = 0; r < B; r++) y[r * 10 + rng.int(10)] = 1;
  data.push([b.keep(b.random(B, 784, () => rng.next())), b.keep(b.fromArray(y, B, 10))]);
}
const learner = createLearner("bp", {
  network: { sizes: [784, 256, 10], activation: "relu" },
  loss: { kind: "ce" },
  optimizer: { name: "sgd", lr: 0.02 },
  backend: b,
  seed: 0,
});
function learnerEpoch(): number {
  const start = performance.now();
  for (let i = 0; i < BATCHES; i++) learner.trainBatch(...data[i % DISTINCT]!);
  return (performance.now() - start) / 1000;
}

// One warm-up round, not counted.
learnerEpoch();
await torchEpoch("autograd");
await torchEpoch("manual");
const names = [`bp learner (${b.name})`, "PyTorch nn + autograd", "PyTorch hand-written"];
const secs: number[][] = names.map(() => []);
for (let r = 0; r < rounds; r++) {
  secs[0]!.push(learnerEpoch());
  secs[1]!.push(await torchEpoch("autograd"));
  secs[2]!.push(await torchEpoch("manual"));
}
await py.close();

console.log(`${rounds} rounds, one epoch each (${BATCHES} batches of ${B}, 784-256-10)`);
names.forEach((name, k) => {
  const ratio = median(secs[0]!.map((t, i) => t / secs[k]![i]!));
  console.log(
    `${name.padEnd(24)} ${median(secs[k]!).toFixed(2)} s / epoch; bp learner / this: ${
      ratio.toFixed(2)
    }`,
  );
});
