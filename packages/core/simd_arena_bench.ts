// The two SIMD kernels of SimdArena against the same loops in JavaScript, over 10 000 units (one
// 20 × 500 hidden layer: equilibrium propagation's and CorInfoMax's relaxation at 784-500-10,
// batches of 20).
import { createRng } from "./random.ts";
import { SimdArena } from "./simd_arena.ts";

const n = 10000, rng = createRng(0), f = Math.fround;
const arena = new SimdArena(8 * n);
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
