// Three SIMD kernels of SimdArena against the same loops in JavaScript, over 10 000 units (one
// 20 × 500 hidden layer: equilibrium propagation's and CorInfoMax's relaxation at 784-500-10,
// batches of 20; for predictive coding's logistic step, its value nodes).
import { fastExp } from "./fast_exp.ts";
import { createRng } from "./random.ts";
import { SimdArena } from "./simd_arena.ts";

const n = 10000, rng = createRng(0), f = Math.fround;
const arena = new SimdArena(14 * n);
const [s, a, c, d, e, out, un] = Array.from({ length: 7 }, () => {
  const t = arena.alloc(n);
  for (let j = 0; j < n; j++) t[j] = rng.next() * 4 - 2;
  return t;
}) as Float32Array[];
const eta = 0.37, k = [0.9, 6.7, 6.7, 0.03, 0.025] as const;

Deno.bench({
  name: "gradient step and hard sigmoid, JavaScript loop",
  group: "gradient step",
  baseline: true,
  fn() {
    for (let j = 0; j < n; j++) {
      const sj = s![j]!;
      const v = f(-eta * f(f(sj - a![j]!) - c![j]!) + sj);
      const q = (v + Math.abs(v)) * 0.5;
      out![j] = q > 1 ? 1 : q;
    }
  },
});

Deno.bench({
  name: "gradient step and hard sigmoid, SimdArena.gradientStepRates",
  group: "gradient step",
  fn() {
    arena.gradientStepRates(s!, a!, c!, out!, eta, 1);
  },
});

Deno.bench({
  name: "five-term voltage and hard sigmoid, JavaScript loop",
  group: "linear rates",
  baseline: true,
  fn() {
    for (let j = 0; j < n; j++) {
      const v = k[0] * s![j]! + k[1] * a![j]! + k[2] * c![j]! + k[3] * d![j]! + k[4] * e![j]!;
      un![j] = v;
      const q = (v + Math.abs(v)) * 0.5;
      out![j] = q > 1 ? 1 : q;
    }
  },
});

Deno.bench({
  name: "five-term voltage and hard sigmoid, SimdArena.linearRates",
  group: "linear rates",
  fn() {
    arena.linearRates([s!, a!, c!, d!, e!], k, un!, out!, 1);
  },
});

// Predictive coding's logistic value-node step, σ remembered from the step that set each value
// (as PC's BufferOps runs it). The values stay in (−8, 8): every step moves them a little.
const [x, ax, eps, back, xs] = Array.from({ length: 5 }, () => {
  const t = arena.alloc(n);
  for (let j = 0; j < n; j++) t[j] = rng.next() * 16 - 8;
  return t;
}) as Float32Array[];
const phi = arena.allocF64(n), gamma = 1e-3;
xs!.fill(NaN);

Deno.bench({
  name: "logistic value-node step, JavaScript loop",
  group: "sigmoid relax",
  baseline: true,
  fn() {
    for (let j = 0; j < n; j++) {
      const v = x![j]!, sg = xs![j] === v ? phi[j]! : 1 / (1 + fastExp(-v));
      const nv = f(v - gamma * (eps![j]! - sg * (1 - sg) * back![j]!));
      const sn = 1 / (1 + fastExp(-nv));
      x![j] = nv;
      ax![j] = sn;
      xs![j] = nv;
      phi[j] = sn;
    }
  },
});

Deno.bench({
  name: "logistic value-node step, SimdArena.sigmoidRelax",
  group: "sigmoid relax",
  fn() {
    arena.sigmoidRelax(x!, ax!, eps!, back!, gamma, { x: xs!, phi });
  },
});
