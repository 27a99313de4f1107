// Shape checks shared by the backends. Errors name the operation and both shapes.
import { shapeOf, type Tensor } from "./tensor.ts";

export function checkSame(op: string, a: Tensor, b: Tensor): void {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new Error(
      `Cannot ${op} tensors of shapes ${shapeOf(a)} and ${shapeOf(b)}: expected equal shapes`,
    );
  }
}

export function checkRow(op: string, a: Tensor, row: Tensor): void {
  if (row.rows !== 1 || row.cols !== a.cols) {
    throw new Error(
      `Cannot ${op} a row of shape ${shapeOf(row)} to a tensor of shape ${
        shapeOf(a)
      }: expected 1×${a.cols}`,
    );
  }
}

export function checkMatmul(
  a: Tensor,
  b: Tensor,
  transA: boolean,
  transB: boolean,
): [number, number, number] {
  const m = transA ? a.cols : a.rows;
  const k = transA ? a.rows : a.cols;
  const k2 = transB ? b.cols : b.rows;
  const n = transB ? b.rows : b.cols;
  if (k !== k2) {
    throw new Error(
      `Cannot matmul shapes ${shapeOf(a)}${transA ? "ᵀ" : ""} and ${shapeOf(b)}${
        transB ? "ᵀ" : ""
      }: inner dimensions ${k} and ${k2} differ`,
    );
  }
  return [m, k, n];
}

export function checkDims(op: string, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new Error(`Cannot ${op} with shape ${rows}×${cols}: expected non-negative integers`);
  }
}

export function checkLength(len: number, rows: number, cols: number): void {
  if (len !== rows * cols) {
    throw new Error(
      `Cannot make a ${rows}×${cols} tensor from ${len} values: expected ${rows * cols}`,
    );
  }
}

export function checkOwner(backend: string, t: Tensor): void {
  if (t.backend !== backend) {
    throw new Error(`Cannot use a tensor of backend "${t.backend}" on backend "${backend}"`);
  }
}

export function checkFinite(op: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) {
      throw new Error(
        `Cannot ${op} from a non-finite value ${v} at index ${i}: expected finite numbers`,
      );
    }
  }
}

export function checkGemmBuffers(
  a: number,
  b: number,
  c: number,
  m: number,
  k: number,
  n: number,
): void {
  if (a < m * k || b < k * n || c < m * n) {
    throw new Error(
      `Cannot gemmInto with buffers of ${a}, ${b} and ${c} values: expected at least ${m * k}, ${
        k * n
      } and ${m * n} for ${m}×${k}·${k}×${n}`,
    );
  }
}

export function checkWrap(len: number, rows: number, cols: number): void {
  checkDims("wrap a buffer", rows, cols);
  if (len !== rows * cols) {
    throw new Error(
      `Cannot wrap a buffer of ${len} values as a ${rows}×${cols} tensor: expected ${rows * cols}`,
    );
  }
}
