// The WGSL compute kernels of the webgpu backend. Every kernel reads its sizes and scalars from
// one uniform block `p` (twelve u32 then four f32), writes binding 0 and reads bindings 1 and 2.
// Elementwise kernels take a flat index over up to 65 535 × 65 535 workgroups of 256 threads.

/** Workgroup size of the flat (elementwise) kernels. */
export const FLAT = 256;
/** Tile edge of the matrix product. */
export const TILE = 16;

const PARAMS = `
struct Params {
  u0: u32, u1: u32, u2: u32, u3: u32, u4: u32, u5: u32, u6: u32, u7: u32,
  u8: u32, u9: u32, u10: u32, u11: u32, f0: f32, f1: f32, f2: f32, f3: f32,
}
@group(0) @binding(3) var<uniform> p: Params;`;

const FLAT_INDEX = `
fn flatIndex(wid: vec3u, nwg: vec3u, lid: vec3u) -> u32 {
  return (wid.y * nwg.x + wid.x) * ${FLAT}u + lid.x;
}`;

const FLAT_ENTRY = `@compute @workgroup_size(${FLAT})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_id) lid: vec3u) {
  let i = flatIndex(wid, nwg, lid);
  if (i >= p.u0) { return; }`;

const OUT = `@group(0) @binding(0) var<storage, read_write> out: array<f32>;`;
const A = `@group(0) @binding(1) var<storage, read> a: array<f32>;`;
const B = `@group(0) @binding(2) var<storage, read> b: array<f32>;`;

/** Codes of the `unary` kernel (`P.u1`). */
export const UNARY = {
  scale: 0,
  addScalar: 1,
  sqrt: 2,
  clamp: 3,
  identity: 10,
  sigmoid: 11,
  tanh: 12,
  relu: 13,
  leakyRelu: 14,
  hardSigmoid: 15,
  identityGrad: 20,
  sigmoidGrad: 21,
  tanhGrad: 22,
  reluGrad: 23,
  leakyReluGrad: 24,
  hardSigmoidGrad: 25,
} as const;

/** Codes of the `binary` kernel (`P.u1`). */
export const BINARY = { add: 0, sub: 1, mul: 2, div: 3, axpy: 4 } as const;

/** Codes of the `rowop` kernel (`P.u1`). */
export const ROWOP = { addRow: 0, mulRow: 1 } as const;

/** One kernel: its WGSL and the bindings it uses besides the uniform block. */
export interface KernelSource {
  /** WGSL source with entry point `main`. */
  readonly code: string;
  /** Storage bindings read (1 = a, 2 = b); binding 0 (out) is always written. */
  readonly inputs: number;
}

// tanh through exp(−2|x|): never inf/inf for large |x|.
const MATH = `
fn sigm(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
fn tanh_(x: f32) -> f32 { let e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }`;

// The image kernels (conv2d…, pool…) take their geometry after the output count in u0: u1 = c,
// u2 = h, u3 = w, u4 = k, u5 = stride, u6 = padding, u7 = oh, u8 = ow, u9 = out channels,
// u10 = batch.

/** The kernels by name. */
export const KERNELS: Record<string, KernelSource> = {
  fill: {
    inputs: 0,
    code: `${OUT}${PARAMS}${FLAT_INDEX}
${FLAT_ENTRY}
  out[i] = p.f0;
}`,
  },
  unary: {
    inputs: 1,
    code: `${OUT}${A}${PARAMS}${FLAT_INDEX}${MATH}
${FLAT_ENTRY}
  let x = a[i];
  var y: f32;
  switch (p.u1) {
    case 0u: { y = x * p.f0; }
    case 1u: { y = x + p.f0; }
    case 2u: { y = sqrt(x); }
    case 3u: { y = min(max(x, p.f0), p.f1); }
    case 10u: { y = x; }
    case 11u: { y = sigm(x); }
    case 12u: { y = tanh_(x); }
    case 13u: { y = (x + abs(x)) * 0.5; }
    case 14u: { y = select(p.f0 * x, x, x > 0.0); }
    case 15u: { y = select(select(x, 1.0, x > 1.0), 0.0, x < 0.0); }
    case 20u: { y = 1.0; }
    case 21u: { let s = sigm(x); y = s * (1.0 - s); }
    case 22u: { let t = tanh_(x); y = 1.0 - t * t; }
    case 23u: { y = select(0.0, 1.0, x > 0.0); }
    case 24u: { y = select(p.f0, 1.0, x > 0.0); }
    case 25u: { y = select(0.0, 1.0, x > 0.0 && x < 1.0); }
    default: { y = x; }
  }
  out[i] = y;
}`,
  },
  binary: {
    inputs: 2,
    code: `${OUT}${A}${B}${PARAMS}${FLAT_INDEX}
${FLAT_ENTRY}
  let x = a[i];
  let z = b[i];
  var y: f32;
  switch (p.u1) {
    case 0u: { y = x + z; }
    case 1u: { y = x - z; }
    case 2u: { y = x * z; }
    case 3u: { y = x / z; }
    default: { y = p.f0 * x + z; }
  }
  out[i] = y;
}`,
  },
  rowop: {
    inputs: 2,
    // out[i] = a[i] (+ or ·) b[(i / u3) % u2]: u3 = 1 broadcasts a row over rows, u3 = oh·ow adds
    // one value per channel of a batch of images.
    code: `${OUT}${A}${B}${PARAMS}${FLAT_INDEX}
${FLAT_ENTRY}
  let r = b[(i / p.u3) % p.u2];
  out[i] = select(a[i] * r, a[i] + r, p.u1 == 0u);
}`,
  },
  transpose: {
    inputs: 1,
    // out (cols × rows) from a (rows × cols): u0 = n, u1 = rows, u2 = cols.
    code: `${OUT}${A}${PARAMS}${FLAT_INDEX}
${FLAT_ENTRY}
  let r = i / p.u2;
  let c = i % p.u2;
  out[c * p.u1 + r] = a[i];
}`,
  },
  sumRows: {
    inputs: 1,
    // Sum over rows (axis 0), one thread per column: u0 = cols, u1 = rows, f0 = factor.
    code: `${OUT}${A}${PARAMS}${FLAT_INDEX}
${FLAT_ENTRY}
  var s: f32 = 0.0;
  for (var r: u32 = 0u; r < p.u1; r++) { s += a[r * p.u0 + i]; }
  out[i] = s * p.f0;
}`,
  },
  sumCols: {
    inputs: 1,
    // Sum over columns (axis 1), one thread per row: u0 = rows, u1 = cols, f0 = factor.
    code: `${OUT}${A}${PARAMS}${FLAT_INDEX}
${FLAT_ENTRY}
  var s: f32 = 0.0;
  let o = i * p.u1;
  for (var c: u32 = 0u; c < p.u1; c++) { s += a[o + c]; }
  out[i] = s * p.f0;
}`,
  },
  softmax: {
    inputs: 1,
    // Row-wise softmax, one thread per row: u0 = rows, u1 = cols.
    code: `${OUT}${A}${PARAMS}${FLAT_INDEX}
${FLAT_ENTRY}
  let o = i * p.u1;
  var m: f32 = a[o];
  for (var c: u32 = 1u; c < p.u1; c++) { m = max(m, a[o + c]); }
  var s: f32 = 0.0;
  for (var c: u32 = 0u; c < p.u1; c++) { let e = exp(a[o + c] - m); out[o + c] = e; s += e; }
  for (var c: u32 = 0u; c < p.u1; c++) { out[o + c] = out[o + c] / s; }
}`,
  },
  reduceAll: {
    inputs: 1,
    // Sum (u1 = 0) or sum of squares (u1 = 1) of all u0 elements into out[0]: one workgroup,
    // each thread a strided partial sum, then a tree over the workgroup.
    code: `${OUT}${A}${PARAMS}
var<workgroup> part: array<f32, ${FLAT}>;
@compute @workgroup_size(${FLAT})
fn main(@builtin(local_invocation_id) lid: vec3u) {
  var s: f32 = 0.0;
  for (var i: u32 = lid.x; i < p.u0; i += ${FLAT}u) {
    let x = a[i];
    s += select(x, x * x, p.u1 == 1u);
  }
  part[lid.x] = s;
  workgroupBarrier();
  for (var w: u32 = ${FLAT / 2}u; w > 0u; w = w / 2u) {
    if (lid.x < w) { part[lid.x] += part[lid.x + w]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { out[0] = part[0]; }
}`,
  },
  conv2d: {
    inputs: 2,
    // y[n, j, u, v] = Σ_{i, κ, λ} W[j, i, κ, λ] · x[n, i, u·s − p + κ, v·s − p + λ], one thread
    // per output; a = x, b = W (the bias is added by rowop).
    code: `${OUT}${A}${B}${PARAMS}${FLAT_INDEX}
${FLAT_ENTRY}
  let plane = p.u7 * p.u8;
  let q = i % plane;
  let j = (i / plane) % p.u9;
  let n = i / (plane * p.u9);
  let u = q / p.u8;
  let v = q % p.u8;
  let kk = p.u4 * p.u4;
  var acc: f32 = 0.0;
  for (var ci: u32 = 0u; ci < p.u1; ci++) {
    let xb = (n * p.u1 + ci) * p.u2 * p.u3;
    let wb = (j * p.u1 + ci) * kk;
    for (var ka: u32 = 0u; ka < p.u4; ka++) {
      let y = i32(u * p.u5 + ka) - i32(p.u6);
      if (y < 0 || y >= i32(p.u2)) { continue; }
      for (var la: u32 = 0u; la < p.u4; la++) {
        let xx = i32(v * p.u5 + la) - i32(p.u6);
        if (xx < 0 || xx >= i32(p.u3)) { continue; }
        acc += b[wb + ka * p.u4 + la] * a[xb + u32(y) * p.u3 + u32(xx)];
      }
    }
  }
  out[i] = acc;
}`,
  },
  conv2dInputGrad: {
    inputs: 2,
    // ∂x[n, i, y, x] = Σ W[j, i, κ, λ] · δ[n, j, u, v] over the windows (u, v) that read the
    // pixel through (κ, λ); one thread per input pixel; a = δ, b = W.
    code: `${OUT}${A}${B}${PARAMS}${FLAT_INDEX}
${FLAT_ENTRY}
  let hw = p.u2 * p.u3;
  let xx = i % p.u3;
  let y = (i / p.u3) % p.u2;
  let ci = (i / hw) % p.u1;
  let n = i / (hw * p.u1);
  let plane = p.u7 * p.u8;
  let kk = p.u4 * p.u4;
  var acc: f32 = 0.0;
  for (var j: u32 = 0u; j < p.u9; j++) {
    let db = (n * p.u9 + j) * plane;
    let wb = (j * p.u1 + ci) * kk;
    for (var ka: u32 = 0u; ka < p.u4; ka++) {
      let uy = i32(y + p.u6) - i32(ka);
      if (uy < 0 || u32(uy) % p.u5 != 0u || u32(uy) / p.u5 >= p.u7) { continue; }
      let u = u32(uy) / p.u5;
      for (var la: u32 = 0u; la < p.u4; la++) {
        let vx = i32(xx + p.u6) - i32(la);
        if (vx < 0 || u32(vx) % p.u5 != 0u || u32(vx) / p.u5 >= p.u8) { continue; }
        acc += b[wb + ka * p.u4 + la] * a[db + u * p.u8 + u32(vx) / p.u5];
      }
    }
  }
  out[i] = acc;
}`,
  },
  conv2dWeightGrad: {
    inputs: 2,
    // ∂W[j, i, κ, λ] = Σ_{n, u, v} δ[n, j, u, v] · x[n, i, u·s − p + κ, v·s − p + λ]; one thread
    // per weight; a = x, b = δ.
    code: `${OUT}${A}${B}${PARAMS}${FLAT_INDEX}
${FLAT_ENTRY}
  let kk = p.u4 * p.u4;
  let la = i % p.u4;
  let ka = (i / p.u4) % p.u4;
  let ci = (i / kk) % p.u1;
  let j = i / (kk * p.u1);
  let plane = p.u7 * p.u8;
  var acc: f32 = 0.0;
  for (var n: u32 = 0u; n < p.u10; n++) {
    let xb = (n * p.u1 + ci) * p.u2 * p.u3;
    let db = (n * p.u9 + j) * plane;
    for (var u: u32 = 0u; u < p.u7; u++) {
      let y = i32(u * p.u5 + ka) - i32(p.u6);
      if (y < 0 || y >= i32(p.u2)) { continue; }
      for (var v: u32 = 0u; v < p.u8; v++) {
        let xx = i32(v * p.u5 + la) - i32(p.u6);
        if (xx < 0 || xx >= i32(p.u3)) { continue; }
        acc += b[db + u * p.u8 + v] * a[xb + u32(y) * p.u3 + u32(xx)];
      }
    }
  }
  out[i] = acc;
}`,
  },
  channelSum: {
    inputs: 1,
    // out[j] = Σ_{n, q} a[n, j, q] (a convolution's ∂b): u0 = channels, u1 = batch, u2 = plane.
    code: `${OUT}${A}${PARAMS}${FLAT_INDEX}
${FLAT_ENTRY}
  var acc: f32 = 0.0;
  for (var n: u32 = 0u; n < p.u1; n++) {
    let base = (n * p.u0 + i) * p.u2;
    for (var q: u32 = 0u; q < p.u2; q++) { acc += a[base + q]; }
  }
  out[i] = acc;
}`,
  },
  pool: {
    inputs: 1,
    // Max (f0 = 0) or average (f0 = 1/k²) of each window; one thread per output; the first
    // maximum in row-major window order wins (it is what the gradient reads).
    code: `${OUT}${A}${PARAMS}${FLAT_INDEX}
${FLAT_ENTRY}
  let plane = p.u7 * p.u8;
  let v = i % p.u8;
  let u = (i / p.u8) % p.u7;
  let nc = i / plane;
  let base = nc * p.u2 * p.u3 + u * p.u5 * p.u3 + v * p.u5;
  var m: f32 = a[base];
  var acc: f32 = 0.0;
  for (var ka: u32 = 0u; ka < p.u4; ka++) {
    for (var la: u32 = 0u; la < p.u4; la++) {
      let x = a[base + ka * p.u3 + la];
      if (x > m) { m = x; }
      acc += x;
    }
  }
  out[i] = select(m, acc * p.f0, p.f0 > 0.0);
}`,
  },
  poolGrad: {
    inputs: 2,
    // ∂x of pooling, one thread per input pixel, summing over the windows that hold it in
    // window order: max (f0 = 0) adds δ where the window's first maximum is this pixel (a = x,
    // b = δ); average (f0 = 1/k²) adds δ·f0 (b = δ).
    code: `${OUT}${A}${B}${PARAMS}${FLAT_INDEX}
${FLAT_ENTRY}
  let hw = p.u2 * p.u3;
  let xx = i % p.u3;
  let y = (i / p.u3) % p.u2;
  let nc = i / hw;
  let plane = p.u7 * p.u8;
  let uLo = select(0u, (y + p.u5 - p.u4) / p.u5, y + 1u > p.u4);
  let vLo = select(0u, (xx + p.u5 - p.u4) / p.u5, xx + 1u > p.u4);
  let uHi = min(y / p.u5, p.u7 - 1u);
  let vHi = min(xx / p.u5, p.u8 - 1u);
  var acc: f32 = 0.0;
  for (var u: u32 = uLo; u <= uHi; u++) {
    if (u * p.u5 + p.u4 <= y) { continue; }
    for (var v: u32 = vLo; v <= vHi; v++) {
      if (v * p.u5 + p.u4 <= xx) { continue; }
      let d = b[nc * plane + u * p.u8 + v];
      if (p.f0 > 0.0) { acc += d * p.f0; continue; }
      let base = nc * hw + u * p.u5 * p.u3 + v * p.u5;
      var best: u32 = base;
      var m: f32 = a[base];
      for (var ka: u32 = 0u; ka < p.u4; ka++) {
        for (var la: u32 = 0u; la < p.u4; la++) {
          let at = base + ka * p.u3 + la;
          if (a[at] > m) { m = a[at]; best = at; }
        }
      }
      if (best == i) { acc += d; }
    }
  }
  out[i] = acc;
}`,
  },
  matmul: {
    inputs: 2,
    // out (m × n) = op(a) · op(b) with op(a) m × k, op(b) k × n: u0 = m, u1 = n, u2 = k,
    // u3 = transA + 2·transB. Tiles of ${TILE} × ${TILE} in workgroup memory.
    code: `${OUT}${A}${B}${PARAMS}
var<workgroup> ta: array<array<f32, ${TILE}>, ${TILE}>;
var<workgroup> tb: array<array<f32, ${TILE}>, ${TILE}>;
fn loadA(r: u32, c: u32) -> f32 {
  if (r >= p.u0 || c >= p.u2) { return 0.0; }
  return select(a[r * p.u2 + c], a[c * p.u0 + r], (p.u3 & 1u) != 0u);
}
fn loadB(r: u32, c: u32) -> f32 {
  if (r >= p.u2 || c >= p.u1) { return 0.0; }
  return select(b[r * p.u1 + c], b[c * p.u2 + r], (p.u3 & 2u) != 0u);
}
@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row = wid.y * ${TILE}u + lid.y;
  let col = wid.x * ${TILE}u + lid.x;
  var s: f32 = 0.0;
  let tiles = (p.u2 + ${TILE - 1}u) / ${TILE}u;
  for (var t: u32 = 0u; t < tiles; t++) {
    ta[lid.y][lid.x] = loadA(row, t * ${TILE}u + lid.x);
    tb[lid.y][lid.x] = loadB(t * ${TILE}u + lid.y, col);
    workgroupBarrier();
    for (var q: u32 = 0u; q < ${TILE}u; q++) { s += ta[lid.y][q] * tb[q][lid.x]; }
    workgroupBarrier();
  }
  if (row < p.u0 && col < p.u1) { out[row * p.u1 + col] = s; }
}`,
  },
};
