// Exact text encoding of float64 arrays for checkpoints: base64 of the little-endian IEEE-754
// bytes, so that −0, NaN payloads and every bit of a value survive a JSON round trip.

/** Base64 of the little-endian float64 bytes of `a`. */
export function f64ToBase64(a: ArrayLike<number>): string {
  const bytes = new Uint8Array(8 * a.length);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < a.length; i++) view.setFloat64(8 * i, a[i]!, true);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/** Decodes {@link f64ToBase64} into `out`, which must have the encoded length. */
export function base64ToF64(text: string, out: Float64Array, what: string): void {
  let s: string;
  try {
    s = atob(text);
  } catch {
    throw new Error(`Invalid checkpoint array ${what}: expected base64 text`);
  }
  if (s.length !== 8 * out.length) {
    throw new Error(
      `Invalid checkpoint array ${what}: expected ${out.length} values, got ${s.length / 8}`,
    );
  }
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(8 * i, true);
}
