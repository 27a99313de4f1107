// One layer's voltage step of the CorInfoMax dynamics, fused into a single pass on backends with
// raw Float32Array buffers (`Backend.raw`: js, blas), and written with backend operations elsewhere.
import type { Activation, Backend, RawKernels, SimdArena, Tensor } from "@plasticity/core";

/** The coefficients of one layer's step u' = keep·u + η·(cBelow·below + cFb·fb + cB·rB + cR·r + βy − ℓ). */
export interface VoltageCoefficients {
  keep: number;
  eta: number;
  cBelow: number;
  cFb: number;
  cB: number;
  cR: number;
  act: Activation;
  slope: number;
}

/** Inputs of one layer's step: the coefficients and the tensors. */
export interface VoltageStep extends VoltageCoefficients {
  u: Tensor;
  r: Tensor;
  below: Tensor;
  fb?: Tensor | undefined;
  rB: Tensor;
  /** β·y (output layer, nudged phases). */
  betaY?: Tensor | undefined;
  /** Dual variable ℓ, m × 1, subtracted from every unit of its row (sparse layers). */
  dual?: Tensor | undefined;
}

/** The new voltage, the new rate σ(u') and ‖u' − u‖². */
export interface VoltageResult {
  u: Tensor;
  r: Tensor;
  step2: number;
}

/** The storage of one layer's step (`n` units per row): inputs, and the outputs `un`, `rn`. */
export interface VoltageBuffers {
  u: Float32Array;
  r: Float32Array;
  below: Float32Array;
  fb?: Float32Array | undefined;
  rB: Float32Array;
  betaY?: Float32Array | undefined;
  dual?: Float32Array | undefined;
  un: Float32Array;
  rn: Float32Array;
  n: number;
}

/** Whether the fused kernel covers this activation (hard sigmoid and ReLU). */
export function fusedActivation(act: Activation): boolean {
  return act === "hardSigmoid" || act === "relu";
}

/**
 * The fused step on raw buffers: writes u' into `un` and σ(u') into `rn` (neither may alias an
 * input) and returns ‖u' − u‖². The activation must be one of {@linkcode fusedActivation}.
 */
export function voltageStepInto(a: VoltageBuffers, s: VoltageCoefficients): number {
  const hi = s.act === "hardSigmoid" ? 1 : Infinity;
  if (a.fb && !a.betaY && !a.dual) {
    return hiddenKernel(a.u, a.r, a.below, a.fb, a.rB, a.un, a.rn, s, hi);
  }
  return generalKernel(a.u, a.r, a.below, a.fb, a.rB, a.betaY, a.dual, a.un, a.rn, s, hi, a.n);
}

/**
 * A hidden layer's step (`fb` given, no targets, no dual variable) without ‖u' − u‖², for the
 * steps whose size is not used: the u' and σ(u') of {@linkcode voltageStepInto}, taken by the
 * arena's SIMD kernel (every buffer must be the arena's).
 */
export function hiddenRatesInto(
  arena: SimdArena,
  a: VoltageBuffers & { fb: Float32Array },
  s: VoltageCoefficients,
): void {
  const eta = s.eta;
  arena.linearRates(
    [a.u, a.below, a.fb, a.rB, a.r],
    [s.keep, s.cBelow * eta, s.cFb * eta, s.cB * eta, s.cR * eta],
    a.un,
    a.rn,
    s.act === "hardSigmoid" ? 1 : Infinity,
  );
}

/** The tensors' storage, through the backend's raw-buffer capability. */
function arrays(raw: RawKernels, ts: (Tensor | undefined)[]): (Float32Array | undefined)[] {
  return ts.map((t) => (t === undefined ? undefined : raw.data(t)));
}

/**
 * One layer's voltage update and rate. `fast` (default) uses the fused kernel on the backend's raw
 * buffers when it has them; both paths compute the same formula.
 */
export function voltageStep(b: Backend, s: VoltageStep, fast = true): VoltageResult {
  const raw = fast && fusedActivation(s.act) ? b.raw : undefined;
  if (raw) {
    const a = arrays(raw, [s.u, s.r, s.below, s.fb, s.rB, s.betaY, s.dual]);
    const [u, r, below, fb, rB, betaY, dual] = a as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array | undefined,
      Float32Array,
      Float32Array | undefined,
      Float32Array | undefined,
    ];
    const m = s.u.rows, n = s.u.cols;
    const un = new Float32Array(m * n), rn = new Float32Array(m * n);
    const step2 = voltageStepInto({ u, r, below, fb, rB, betaY, dual, un, rn, n }, s);
    return { u: raw.wrap(un, m, n), r: raw.wrap(rn, m, n), step2 };
  }
  let d = b.axpy(s.cB, s.rB, b.scale(s.r, s.cR));
  d = b.axpy(s.cBelow, s.below, d);
  if (s.fb) d = b.axpy(s.cFb, s.fb, d);
  if (s.betaY) d = b.add(d, s.betaY);
  if (s.dual) d = b.sub(d, b.matmul(s.dual, b.fill(1, s.u.cols, 1)));
  const un = b.axpy(s.eta, d, b.scale(s.u, s.keep));
  return { u: un, r: b.activate(un, s.act, s.slope), step2: b.sumSquares(b.sub(un, s.u)) };
}

// The hidden-layer case without a dual variable, the hot loop of CorInfoMax. The rate is written
// without a data-dependent branch: (v + |v|)/2 is max(v, 0) exactly for every finite v (and NaN for
// NaN), and the hard sigmoid's upper bound is a branch taken by few units; the bound is a literal,
// as V8 compiles the select against a parameter several times slower. A non-finite voltage makes
// the step non-finite, and then the rates are written again with min/max, whose value for −∞ (0)
// the shortcut does not give.
function hiddenKernel(
  u: Float32Array,
  r: Float32Array,
  below: Float32Array,
  fb: Float32Array,
  rB: Float32Array,
  un: Float32Array,
  rn: Float32Array,
  s: VoltageCoefficients,
  hi: number,
): number {
  const keep = s.keep,
    eta = s.eta,
    cBelow = s.cBelow * eta,
    cFb = s.cFb * eta,
    cB = s.cB * eta,
    cR = s.cR * eta;
  let step2 = 0;
  if (hi === 1) {
    for (let j = 0; j < un.length; j++) {
      const uj = u[j]!;
      const v = keep * uj + cBelow * below[j]! + cFb * fb[j]! + cB * rB[j]! + cR * r[j]!;
      const dv = v - uj;
      step2 += dv * dv;
      un[j] = v;
      const p = (v + Math.abs(v)) * 0.5;
      rn[j] = p > 1 ? 1 : p;
    }
  } else {
    for (let j = 0; j < un.length; j++) {
      const uj = u[j]!;
      const v = keep * uj + cBelow * below[j]! + cFb * fb[j]! + cB * rB[j]! + cR * r[j]!;
      const dv = v - uj;
      step2 += dv * dv;
      un[j] = v;
      rn[j] = (v + Math.abs(v)) * 0.5;
    }
  }
  if (!Number.isFinite(step2)) exactRates(un, rn, hi);
  return step2;
}

/** σ(u) = min(max(u, 0), hi) for every element, as the tensor path computes it. */
function exactRates(un: Float32Array, rn: Float32Array, hi: number): void {
  for (let j = 0; j < un.length; j++) rn[j] = Math.min(Math.max(un[j]!, 0), hi);
}

function generalKernel(
  u: Float32Array,
  r: Float32Array,
  below: Float32Array,
  fb: Float32Array | undefined,
  rB: Float32Array,
  betaY: Float32Array | undefined,
  dual: Float32Array | undefined,
  un: Float32Array,
  rn: Float32Array,
  s: VoltageCoefficients,
  hi: number,
  n: number,
): number {
  const { keep, eta, cBelow, cFb, cB, cR } = s;
  let step2 = 0;
  for (let j = 0; j < un.length; j++) {
    let d = cBelow * below[j]! + cB * rB[j]! + cR * r[j]!;
    if (fb) d += cFb * fb[j]!;
    if (betaY) d += betaY[j]!;
    if (dual) d -= dual[(j / n) | 0]!;
    const v = keep * u[j]! + eta * d;
    const dv = v - u[j]!;
    step2 += dv * dv;
    un[j] = v;
    rn[j] = Math.min(Math.max(v, 0), hi);
  }
  return step2;
}

/**
 * W' = W + c·D written into D's storage (D must be a temporary the caller owns) on backends with
 * raw buffers; `b.axpy` elsewhere.
 */
export function addScaledInto(b: Backend, W: Tensor, D: Tensor, c: number, fast = true): Tensor {
  const raw = fast ? b.raw : undefined;
  if (raw) {
    const Wd = raw.data(W), Dd = raw.data(D);
    for (let i = 0; i < Dd.length; i++) Dd[i] = Wd[i]! + c * Dd[i]!;
    return D;
  }
  return b.axpy(c, D, W);
}

/**
 * B' = (1/λ)(B − c·Z) with c = γ/m and Z = zᵀz, fused on backends with raw buffers (written into
 * Z's storage: Z must be a temporary the caller owns).
 */
export function lateralCombine(
  b: Backend,
  B: Tensor,
  Z: Tensor,
  c: number,
  lambda: number,
  fast = true,
): Tensor {
  const raw = fast ? b.raw : undefined;
  if (raw) {
    const Bd = raw.data(B), Zd = raw.data(Z);
    const inv = 1 / lambda;
    for (let i = 0; i < Zd.length; i++) Zd[i] = inv * (Bd[i]! - c * Zd[i]!);
    return Z;
  }
  return b.scale(b.axpy(-c, Z, B), 1 / lambda);
}
