// Shape check of the MLP learner's checkpoints.

/** Throws a one-line message naming the matrix unless `t` is `rows × cols`. */
export function checkShape(
  name: string,
  t: { rows: number; cols: number },
  rows: number,
  cols: number,
): void {
  if (t.rows !== rows || t.cols !== cols) {
    throw new Error(`${name} has shape ${t.rows}×${t.cols}: expected ${rows}×${cols}`);
  }
}
