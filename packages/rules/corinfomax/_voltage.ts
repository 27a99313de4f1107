// One layer's voltage step of the CorInfoMax dynamics, fused into a single pass on backends whose
// tensors are plain Float32Arrays (js, blas), and written with backend operations elsewhere.
import { type Activation, type Backend, JsBackend, JsTensor, type Tensor } from "@plasticity/core";

/** Inputs of one layer's step u' = keep·u + η·(cBelow·below + cFb·fb + cB·rB + cR·r + βy − ℓ). */
export interface VoltageStep {
  u: Tensor;
  r: Tensor;
  below: Tensor;
  fb?: Tensor | undefined;
  rB: Tensor;
  /** β·y (output layer, nudged phases). */
  betaY?: Tensor | undefined;
  /** Dual variable ℓ, m × 1, subtracted from every unit of its row (sparse layers). */
  dual?: Tensor | undefined;
  keep: number;
  eta: number;
  cBelow: number;
  cFb: number;
  cB: number;
  cR: number;
  act: Activation;
  slope: number;
}

/** The new voltage, the new rate σ(u') and ‖u' − u‖². */
export interface VoltageResult {
  u: Tensor;
  r: Tensor;
  step2: number;
}

function arrays(b: Backend, ts: (Tensor | undefined)[]): (Float32Array | undefined)[] | undefined {
  if (!(b instanceof JsBackend)) return undefined;
  const out: (Float32Array | undefined)[] = [];
  for (const t of ts) {
    if (t === undefined) out.push(undefined);
    else if (t instanceof JsTensor && t.backend === b.name) out.push(t.data);
    else return undefined;
  }
  return out;
}

/**
 * One layer's voltage update and rate. `fast` (default) uses the fused Float32Array kernel
 * when the backend allows it; both paths compute the same formula.
 */
export function voltageStep(b: Backend, s: VoltageStep, fast = true): VoltageResult {
  const a = fast && (s.act === "hardSigmoid" || s.act === "relu")
    ? arrays(b, [s.u, s.r, s.below, s.fb, s.rB, s.betaY, s.dual])
    : undefined;
  if (a) {
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
    const hi = s.act === "hardSigmoid" ? 1 : Infinity;
    let step2: number;
    if (fb && !betaY && !dual) step2 = hiddenKernel(u, r, below, fb, rB, un, rn, s, hi);
    else step2 = generalKernel(u, r, below, fb, rB, betaY, dual, un, rn, s, hi, n);
    return { u: new JsTensor(un, m, n, b.name), r: new JsTensor(rn, m, n, b.name), step2 };
  }
  let d = b.axpy(s.cB, s.rB, b.scale(s.r, s.cR));
  d = b.axpy(s.cBelow, s.below, d);
  if (s.fb) d = b.axpy(s.cFb, s.fb, d);
  if (s.betaY) d = b.add(d, s.betaY);
  if (s.dual) d = b.sub(d, b.matmul(s.dual, b.fill(1, s.u.cols, 1)));
  const un = b.axpy(s.eta, d, b.scale(s.u, s.keep));
  return { u: un, r: b.activate(un, s.act, s.slope), step2: b.sumSquares(b.sub(un, s.u)) };
}

// The hidden-layer case without a dual variable, the hot loop of CorInfoMax: no branches but the
// clamp (min/max keep a NaN voltage visible as a NaN rate).
function hiddenKernel(
  u: Float32Array,
  r: Float32Array,
  below: Float32Array,
  fb: Float32Array,
  rB: Float32Array,
  un: Float32Array,
  rn: Float32Array,
  s: VoltageStep,
  hi: number,
): number {
  const keep = s.keep,
    eta = s.eta,
    cBelow = s.cBelow * eta,
    cFb = s.cFb * eta,
    cB = s.cB * eta,
    cR = s.cR * eta;
  let step2 = 0;
  for (let j = 0; j < un.length; j++) {
    const uj = u[j]!;
    const v = keep * uj + cBelow * below[j]! + cFb * fb[j]! + cB * rB[j]! + cR * r[j]!;
    const dv = v - uj;
    step2 += dv * dv;
    un[j] = v;
    rn[j] = Math.min(Math.max(v, 0), hi);
  }
  return step2;
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
  s: VoltageStep,
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
 * W' = W + c·D written into D's storage (D must be a temporary the caller owns), on Float32Array
 * backends; `b.axpy` elsewhere.
 */
export function addScaledInto(b: Backend, W: Tensor, D: Tensor, c: number, fast = true): Tensor {
  const a = fast ? arrays(b, [W, D]) : undefined;
  if (a) {
    const [Wd, Dd] = a as [Float32Array, Float32Array];
    for (let i = 0; i < Dd.length; i++) Dd[i] = Wd[i]! + c * Dd[i]!;
    return D;
  }
  return b.axpy(c, D, W);
}

/**
 * B' = (1/λ)(B − c·Z) with c = γ/m and Z = zᵀz, fused on Float32Array backends (written into Z's
 * storage: Z must be a temporary the caller owns).
 */
export function lateralCombine(
  b: Backend,
  B: Tensor,
  Z: Tensor,
  c: number,
  lambda: number,
  fast = true,
): Tensor {
  const a = fast ? arrays(b, [B, Z]) : undefined;
  if (a) {
    const [Bd, Zd] = a as [Float32Array, Float32Array];
    const inv = 1 / lambda;
    for (let i = 0; i < Zd.length; i++) Zd[i] = inv * (Bd[i]! - c * Zd[i]!);
    return Z;
  }
  return b.scale(b.axpy(-c, Z, B), 1 / lambda);
}
