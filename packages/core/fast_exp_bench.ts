// The logistic 1/(1 + e^−x) over 1920 values (a 60 × 32 layer of predictive coding's relaxation,
// Fig. 4h) with `Math.exp` (baseline) and with `fastExp`.
import { fastExp } from "./fast_exp.ts";

const n = 1920, x = new Float64Array(n), out = new Float32Array(n);
for (let i = 0; i < n; i++) x[i] = (i / n - 0.5) * 8;

Deno.bench({
  name: "logistic with Math.exp, 1920 values",
  group: "logistic",
  baseline: true,
  fn() {
    for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-x[i]!));
  },
});

Deno.bench({
  name: "logistic with fastExp, 1920 values",
  group: "logistic",
  fn() {
    for (let i = 0; i < n; i++) out[i] = 1 / (1 + fastExp(-x[i]!));
  },
});
