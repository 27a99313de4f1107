// The tables and constants of fastExp (fast_exp.ts), shared with its SIMD version (simd_arena.ts).

/** 2^{j/64}, j = 0…63. */
export const T = new Float64Array(64);
for (let j = 0; j < 64; j++) T[j] = Math.pow(2, j / 64);
/** 2^{m−1050}, m = 0…2099. */
export const P2 = new Float64Array(2100);
for (let m = 0; m < 2100; m++) P2[m] = Math.pow(2, m - 1050);
/** 64/ln 2. */
export const INV = 64 / Math.LN2;
/** The high and low parts of ln2/64. */
export const LN2HI = 0.6931471803691238 / 64;
export const LN2LO = 1.9082149292705877e-10 / 64;
// 1.5·2^52: adding and subtracting it rounds a double of magnitude < 2^51 to the nearest integer
// (cheaper than Math.round; the two differ only at exact half-integers, where either k is valid).
export const SHIFT = 6755399441055744;
