import { ok as assert, throws as assertThrows } from "node:assert/strict";
import { createRng } from "./random.ts";
import { fastExp } from "./fast_exp.ts";
import { SimdArena } from "./simd_arena.ts";

// The formulas the kernels document, written out in JavaScript element by element.
const f = Math.fround;
const clamp = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
const stepRef = (s: number, a: number, c: number, eta: number, hi: number) =>
  f(clamp(f(-eta * f(f(s - a) - c) + s), hi));

const SPECIAL = [NaN, Infinity, -Infinity, -0, 0, 1, -1, 3e38, -3e38, 1e-45, 0.9999999, 1.0000001];
const LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 1000];

function fill(a: Float32Array, rng: ReturnType<typeof createRng>, special: boolean): void {
  for (let j = 0; j < a.length; j++) {
    a[j] = special && rng.next() < 0.3
      ? SPECIAL[rng.int(SPECIAL.length)]!
      : (rng.next() * 4 - 2) * (rng.next() < 0.1 ? 1e6 : 1);
  }
}

function sameBits(got: Float32Array, want: number[], what: string): void {
  for (let j = 0; j < want.length; j++) {
    assert(
      Object.is(got[j], want[j]),
      `${what}[${j}]: ${got[j]} where the formula gives ${want[j]}`,
    );
  }
}

Deno.test("gradientStepRates is clamp(f32(−η·f32(f32(s − a) − c) + s)) in every lane and the tail, with and without d", () => {
  const rng = createRng(3);
  for (const n of LENGTHS) {
    for (const special of [false, true]) {
      for (const [eta, hi] of [[0.5, 1], [0.1, 1], [0.37, Infinity], [1e-3, Infinity]] as const) {
        const arena = new SimdArena(6 * n + 24);
        const [s, a, c, out] = [0, 1, 2, 3].map(() => arena.alloc(n)) as Float32Array[];
        [s!, a!, c!].forEach((t) => fill(t, rng, special));
        const want = Array.from(s!, (sj, j) => stepRef(sj, a![j]!, c![j]!, eta, hi));
        arena.gradientStepRates(s!, a!, c!, out!, eta, hi);
        sameBits(out!, want, `out (n ${n}, η ${eta}, hi ${hi})`);
        // With a lateral term d: g = f32(f32(f32(s − a) − c) + d).
        const d = arena.alloc(n), outD = arena.alloc(n);
        fill(d, rng, special);
        const wantD = Array.from(s!, (sj, j) => {
          const g = f(f(f(sj - a![j]!) - c![j]!) + d[j]!);
          return f(clamp(f(-eta * g + sj), hi));
        });
        arena.gradientStepRates(s!, a!, c!, outD, eta, hi, d);
        sameBits(outD, wantD, `out with d (n ${n}, η ${eta}, hi ${hi})`);
        // In place over s: the same values.
        arena.gradientStepRates(s!, a!, c!, s!, eta, hi);
        sameBits(s!, want, `s in place (n ${n})`);
      }
    }
  }
});

Deno.test("linearRates is f32 of the float64 sum c₀x0 + … + c₄x4 left to right, and its clamp", () => {
  const rng = createRng(4);
  for (const n of LENGTHS) {
    for (const special of [false, true]) {
      for (const hi of [1, Infinity]) {
        const arena = new SimdArena(7 * n + 28);
        const xs = [0, 1, 2, 3, 4].map(() => arena.alloc(n)) as Float32Array[];
        const un = arena.alloc(n), rn = arena.alloc(n);
        xs.forEach((t) => fill(t, rng, special));
        const c = [0.9, 0.05 / 0.15, 0.05 / 0.15, 2 * 0.3 * 0.05, -0.5 * 0.05] as const;
        const v = Array.from(
          xs[0]!,
          (_, j) =>
            c[0] * xs[0]![j]! + c[1] * xs[1]![j]! + c[2] * xs[2]![j]! + c[3] * xs[3]![j]! +
            c[4] * xs[4]![j]!,
        );
        arena.linearRates(
          xs as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array],
          c,
          un,
          rn,
          hi,
        );
        sameBits(un, v.map(f), `un (n ${n}, hi ${hi})`);
        sameBits(rn, v.map((x) => clamp(f(x), hi)), `rn (n ${n}, hi ${hi})`);
      }
    }
  }
});

Deno.test("SimdArena hands out disjoint zeroed buffers and refuses what it cannot hold", () => {
  const arena = new SimdArena(20000);
  const a = arena.alloc(5), b = arena.alloc(3);
  assert(a.byteOffset % 16 === 0 && b.byteOffset % 16 === 0 && b.byteOffset >= a.byteOffset + 20);
  assert(a.every((x) => x === 0));
  assertThrows(
    () => arena.alloc(1e9),
    /Cannot allocate 1000000000 floats in a SimdArena with \d+ free/,
  );
  assertThrows(() => arena.alloc(-1), /Cannot allocate -1 floats/);
  assertThrows(
    () => new SimdArena(-2),
    /SimdArena size -2 is not valid: expected a count of floats from 0 to 268435456/,
  );
  assertThrows(() => new SimdArena(2 ** 28 + 1), /SimdArena size 268435457 is not valid/);
  // forRows: each buffer rounded up to 4 floats; a batch too large is refused naming its rows.
  const w = SimdArena.forRows(3, [5, 1]);
  assert(w.free >= 16 + 4);
  w.alloc(15);
  w.alloc(3);
  assertThrows(
    () => SimdArena.forRows(1e6, [300, 300]),
    /A batch of 1000000 rows needs 600000000 floats of relaxation buffers: expected at most 268435456/,
  );
});

Deno.test("SimdArena kernels refuse buffers from elsewhere or of the wrong length", () => {
  const arena = new SimdArena(64);
  const s = arena.alloc(4), a = arena.alloc(4), out = arena.alloc(4);
  assertThrows(
    () => arena.gradientStepRates(s, a, new Float32Array(4), out, 0.5, 1),
    /Buffer c is not in this SimdArena: expected a buffer from its alloc/,
  );
  assertThrows(
    () => arena.gradientStepRates(s, a, arena.alloc(3), out, 0.5, 1),
    /Buffer c has 3 values: expected 4, as the output has/,
  );
  const other = new SimdArena(8).alloc(4);
  assertThrows(
    () => arena.linearRates([s, a, s, a, other], [1, 1, 1, 1, 1], out, s, 1),
    /Buffer x4 is not in this SimdArena/,
  );
  assertThrows(
    () => arena.linearRates([s, a, s, a, a], [1, 1, 1, 1, 1], out, out, 1),
    /Buffers un and rn are the same: expected two buffers/,
  );
});

// Predictive coding's value-node steps, written out element by element (the loops the kernels
// replace): ReLU / leaky ReLU with the error and Σε², and the logistic through fastExp.
function reluStepRef(
  x: number[],
  eps: number[],
  back: number[],
  mu: number[],
  step: number,
  slope: number,
) {
  const s = slope, k = 1 - slope, out = { x: [] as number[], a: [] as number[], e: [] as number[] };
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const nv = f(v - step * (eps[i]! - (s + k * +(v > 0)) * back[i]!));
    out.x.push(nv);
    out.a.push(f(nv * (s + k * +(nv > 0))));
    const e = nv - mu[i]!;
    out.e.push(f(e));
    sum += e * e;
  }
  return { ...out, sum };
}

const logistic = (v: number) => 1 / (1 + fastExp(-v));

Deno.test("reluRelaxError and reluRelax: ReLU and leaky ReLU steps, errors and the float64 sum Σε² in index order", () => {
  const rng = createRng(5);
  for (const n of LENGTHS) {
    for (const special of [false, true]) {
      for (const [step, slope] of [[0.1, 0], [0.37, 0.01], [1, 0]] as const) {
        const arena = new SimdArena(5 * n + 20);
        const [x, a, eps, back, mu] = [0, 1, 2, 3, 4].map(() => arena.alloc(n)) as Float32Array[];
        [x!, eps!, back!, mu!].forEach((t) => fill(t, rng, special));
        const want = {
          ...reluStepRef([...x!], [...eps!], [...back!], [...mu!], step, slope),
          eps0: [...eps!],
        };
        const arena2 = new SimdArena(4 * n + 16);
        // reluRelax on copies: the same x and a, ε untouched.
        const [x2, a2, eps2, back2] = [x!, a!, eps!, back!].map((t) => {
          const c = arena2.alloc(n);
          c.set(t);
          return c;
        }) as Float32Array[];
        arena2.reluRelax(x2!, a2!, eps2!, back2!, step, slope);
        const sum = arena.reluRelaxError(x!, a!, eps!, back!, mu!, step, slope);
        const tag = `(n ${n}, γ ${step}, slope ${slope})`;
        sameBits(x2!, want.x, `reluRelax x ${tag}`);
        sameBits(a2!, want.a, `reluRelax a ${tag}`);
        assert(eps2!.every((v, i) => Object.is(v, want.eps0[i])), `reluRelax ε ${tag}`);
        sameBits(x!, want.x, `x ${tag}`);
        sameBits(a!, want.a, `a ${tag}`);
        sameBits(eps!, want.e, `eps ${tag}`);
        assert(Object.is(sum, want.sum), `sum ${tag}: ${sum} where the loop gives ${want.sum}`);
      }
    }
  }
});

Deno.test("sigmoidRelax: x − γ(ε − σ(1 − σ)·back) and σ through fastExp, out-of-range exponents included", () => {
  const rng = createRng(6);
  for (const n of LENGTHS) {
    for (const wide of [false, true]) {
      for (const step of [0.1, 1, 0.0025]) {
        const arena = new SimdArena(7 * n + 32);
        const [x, a, eps, back] = [0, 1, 2, 3].map(() => arena.alloc(n)) as Float32Array[];
        // Exponents over fastExp's whole table range and, with `wide`, beyond ±700 and NaN.
        for (let i = 0; i < n; i++) {
          x![i] = wide && rng.next() < 0.05
            ? SPECIAL[rng.int(SPECIAL.length)]! * (rng.next() < 0.5 ? 1e3 : 1)
            : (rng.next() * 2 - 1) * (rng.next() < 0.2 ? 690 : 8);
          eps![i] = rng.next() * 2 - 1;
          back![i] = rng.next() * 4 - 2;
        }
        // Three steps: the first fills the memo, the next use it; between the second and the
        // third some values change (their memo entries must not be used).
        const memo = { x: arena.alloc(n).fill(NaN), phi: arena.allocF64(n) };
        for (let k = 0; k < 3; k++) {
          if (k === 2) { for (let i = 0; i < n; i += 3) x![i] = 0.25 * i - 1; }
          const wx: number[] = [], wa: number[] = [];
          for (let i = 0; i < n; i++) {
            const v = x![i]!, s = logistic(v);
            const nv = f(v - step * (eps![i]! - s * (1 - s) * back![i]!));
            wx.push(nv);
            wa.push(f(logistic(nv)));
          }
          arena.sigmoidRelax(x!, a!, eps!, back!, step, memo);
          const tag = `(n ${n}, γ ${step}, wide ${wide}, step ${k})`;
          sameBits(x!, wx, `x ${tag}`);
          sameBits(a!, wa, `a ${tag}`);
          sameBits(memo.x, wx, `memo.x ${tag}`);
          assert(memo.phi.every((p, i) => Object.is(p, logistic(wx[i]!))), `memo.phi ${tag}`);
        }
      }
    }
  }
});
