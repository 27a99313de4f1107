// `deno task bench` part 2: prints GFLOPS per backend for the MLP matmul shapes and the wall
// time of one explicit-backprop epoch of a 784-256-10 ReLU/softmax MLP (batch 64, 60 000
// samples, synthetic data), with numpy side by side when python3 + numpy are installed.
// Medians of repeated trials; the machine is reported.
import {
  type Backend,
  createBlasBackend,
  createRng,
  initWeights,
  jsBackend,
  type Tensor,
} from "@plasticity/core";
import { loadTfjsBackend } from "@plasticity/tfjs";
import { envBlasPaths } from "@plasticity/runner/backend-env";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median seconds per call over `trials` trials of auto-calibrated repetitions (~200 ms each). */
function timeCall(fn: () => void, trials = 7): number {
  fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const dt = performance.now() - t0;
    if (dt > 50) {
      reps = Math.max(1, Math.round(reps * 200 / dt));
      break;
    }
    reps *= 4;
  }
  const per: number[] = [];
  for (let t = 0; t < trials; t++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    per.push((performance.now() - t0) / 1000 / reps);
  }
  return median(per);
}

const SHAPES = [[256, 784, 256], [64, 784, 256], [1, 100, 100]] as const;

function matmulGflops(b: Backend): number[] {
  const rng = createRng(0);
  return SHAPES.map(([m, k, n]) => {
    const a = b.random(m, k, () => rng.next()), w = b.random(k, n, () => rng.next());
    const s = timeCall(() => {
      const c = b.matmul(a, w);
      b.read(c);
      b.dispose(c);
    });
    return (2 * m * k * n) / s / 1e9;
  });
}

/** One epoch of explicit backprop (SGD, lr 0.05) on synthetic data; returns [seconds, final loss]. */
function mlpEpoch(b: Backend, batches = 937): [number, number] {
  const rng = createRng(1), bs = 64;
  let w1 = initWeights(b, 784, 256, { kind: "xavierUniform" }, rng);
  let w2 = initWeights(b, 256, 10, { kind: "xavierUniform" }, rng);
  const nData = 8 * bs;
  const xs: Tensor[] = [], ys: Tensor[] = [];
  const proj = Array.from({ length: 784 * 10 }, () => rng.normal());
  for (let i = 0; i < nData / bs; i++) {
    const x = new Float32Array(bs * 784), y = new Float32Array(bs * 10);
    for (let r = 0; r < bs; r++) {
      const s = new Float64Array(10);
      for (let j = 0; j < 784; j++) {
        const v = rng.next();
        x[r * 784 + j] = v;
        for (let c = 0; c < 10; c++) s[c]! += v * proj[j * 10 + c]!;
      }
      let best = 0;
      for (let c = 1; c < 10; c++) if (s[c]! > s[best]!) best = c;
      y[r * 10 + best] = 1;
    }
    xs.push(b.fromArray(x, bs, 784));
    ys.push(b.fromArray(y, bs, 10));
  }
  let loss = 0;
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) {
    const x = xs[i % xs.length]!, y = ys[i % ys.length]!;
    const [n1, n2, l] = b.tidy(() => {
      const a1 = b.matmul(x, w1), h = b.activate(a1, "relu");
      const p = b.softmax(b.matmul(h, w2));
      const d2 = b.scale(b.sub(p, y), 1 / bs);
      const d1 = b.mul(b.matmul(d2, w2, false, true), b.activateGrad(a1, "relu"));
      const g2 = b.matmul(h, d2, true, false), g1 = b.matmul(x, d1, true, false);
      const l = i === batches - 1 ? -b.sumAll(b.mul(y, b.matmul(h, w2))) : 0;
      return [b.axpy(-0.05, g1, w1), b.axpy(-0.05, g2, w2), l] as const;
    });
    b.dispose(w1, w2);
    w1 = n1;
    w2 = n2;
    loss = l;
  }
  b.read(w1);
  return [(performance.now() - t0) / 1000, loss];
}

async function numpyReference(): Promise<
  { gflops: number[]; epoch: number; torchEpoch: number } | string
> {
  const script = `
import time, numpy as np
def med(f, trials=7):
    f(); reps = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(reps): f()
        dt = time.perf_counter() - t0
        if dt > 0.05: reps = max(1, round(reps * 0.2 / dt)); break
        reps *= 4
    per = []
    for _ in range(trials):
        t0 = time.perf_counter()
        for _ in range(reps): f()
        per.append((time.perf_counter() - t0) / reps)
    return sorted(per)[len(per)//2]
# The same one-off product the blas backend makes when it opens OpenBLAS (see warmUp in
# packages/core/blas_backend.ts), so that both sides are measured in the same OpenBLAS state.
np.zeros((64, 256), dtype=np.float32) @ np.zeros((256, 784), dtype=np.float32)
rng = np.random.default_rng(0)
out = []
for m, k, n in [(256,784,256),(64,784,256),(1,100,100)]:
    a = rng.random((m,k), dtype=np.float32); w = rng.random((k,n), dtype=np.float32)
    out.append(2*m*k*n/med(lambda: a @ w)/1e9)
x = rng.random((64,784), dtype=np.float32); y = np.eye(10, dtype=np.float32)[rng.integers(0,10,64)]
w1 = (rng.random((784,256), dtype=np.float32)-0.5)*0.1; w2 = (rng.random((256,10), dtype=np.float32)-0.5)*0.1
t0 = time.perf_counter()
for i in range(937):
    a1 = x @ w1; h = np.maximum(a1, 0); z = h @ w2; z = z - z.max(1, keepdims=True); p = np.exp(z); p /= p.sum(1, keepdims=True)
    d2 = (p - y) / 64; d1 = (d2 @ w2.T) * (a1 > 0)
    w2 -= 0.05 * (h.T @ d2); w1 -= 0.05 * (x.T @ d1)
np_epoch = time.perf_counter() - t0
torch_epoch = float("nan")
try:
    import torch
    torch.set_num_threads(1)
    tx = torch.from_numpy(x); ty = torch.from_numpy(y)
    tw1 = torch.from_numpy((rng.random((784,256), dtype=np.float32)-0.5)*0.1); tw2 = torch.from_numpy((rng.random((256,10), dtype=np.float32)-0.5)*0.1)
    with torch.inference_mode():
        t0 = time.perf_counter()
        for i in range(937):
            a1 = tx @ tw1; h = a1.clamp_min(0); p = torch.softmax(h @ tw2, 1)
            d2 = (p - ty) / 64; d1 = (d2 @ tw2.T) * (a1 > 0)
            tw2 -= 0.05 * (h.T @ d2); tw1 -= 0.05 * (tx.T @ d1)
        torch_epoch = time.perf_counter() - t0
except ImportError:
    pass
print(" ".join(f"{v:.3f}" for v in out), np_epoch, torch_epoch)
`;
  // Debian's python3 (python3-numpy, python3-torch) first, then whatever python3 is on PATH.
  let why = "no python3";
  for (const python of [Deno.env.get("PLASTICITY_PYTHON") ?? "/usr/bin/python3", "python3"]) {
    try {
      const out = await new Deno.Command(python, {
        args: ["-c", script],
        env: { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1" },
        stderr: "piped",
      }).output();
      if (!out.success) {
        why = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1) ?? "failed";
        continue;
      }
      const v = new TextDecoder().decode(out.stdout).trim().split(/\s+/).map(Number);
      return { gflops: v.slice(0, 3), epoch: v[3]!, torchEpoch: v[4]! };
    } catch (e) {
      why = (e as Error).message.split("\n")[0]!;
    }
  }
  return why;
}

const cpu = (() => {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    return /model name\s*:\s*(.*)/.exec(info)?.[1] ?? "unknown CPU";
  } catch {
    return "unknown CPU";
  }
})();
console.log(
  `machine: ${cpu}, ${navigator.hardwareConcurrency} logical CPUs; Deno ${Deno.version.deno}; OPENBLAS_NUM_THREADS=${
    Deno.env.get("OPENBLAS_NUM_THREADS") ?? "unset"
  }, OPENBLAS_CORETYPE=${Deno.env.get("OPENBLAS_CORETYPE") ?? "unset"}`,
);
const rows: [string, number[], number][] = [];
const backends: Array<() => Promise<Backend>> = [
  () => Promise.resolve(jsBackend),
  () => Promise.resolve(createBlasBackend(envBlasPaths())),
  () => loadTfjsBackend("wasm"),
];
const jsBatches = Deno.args.includes("--full") ? 937 : 150;
for (const load of backends) {
  let b: Backend;
  try {
    b = await load();
  } catch (e) {
    console.log(`skipped: ${(e as Error).message}`);
    continue;
  }
  const g = matmulGflops(b);
  // The js backend is slow; unless --full, time 150 batches and scale to 937.
  const nb = b.name === "js" ? jsBatches : 937;
  const epochs = b.name === "js" ? [mlpEpoch(b, nb)[0]] : [0, 1, 2].map(() => mlpEpoch(b)[0]);
  rows.push([b.name, g, median(epochs) * 937 / nb]);
}
const np = await numpyReference();
if (typeof np === "string") console.log(`numpy reference skipped: ${np}`);
else {
  rows.push(["numpy (same machine)", np.gflops, np.epoch]);
  if (Number.isFinite(np.torchEpoch)) {
    rows.push(["PyTorch, 1 thread (same machine)", [NaN, NaN, NaN], np.torchEpoch]);
  } else {console.log(
      "PyTorch reference skipped: python3 cannot import torch (Debian package python3-torch)",
    );}
}
console.log(
  "\n| engine | GFLOPS 256×784@784×256 | GFLOPS 64×784@784×256 | GFLOPS 1×100@100×100 | MLP epoch 784-256-10, batch 64, 60k (s) |",
);
console.log("|---|---|---|---|---|");
for (const [name, g, e] of rows) {
  console.log(
    `| ${name} | ${g.map((v) => (Number.isFinite(v) ? v.toFixed(1) : "–")).join(" | ")} | ${
      e.toFixed(2)
    } |`,
  );
}
const blas = rows.find((r) => r[0] === "blas"), npRow = rows.find((r) => r[0].startsWith("numpy"));
const torchRow = rows.find((r) => r[0].startsWith("PyTorch"));
if (blas && torchRow) console.log(`epoch blas / PyTorch: ${(blas[2] / torchRow[2]).toFixed(2)}`);
if (blas && npRow) {
  console.log(
    `\nblas / numpy GFLOPS: ${
      blas[1].map((v, i) => (v / npRow[1][i]!).toFixed(2)).join(", ")
    }; epoch blas / numpy: ${(blas[2] / npRow[2]).toFixed(2)}`,
  );
}
