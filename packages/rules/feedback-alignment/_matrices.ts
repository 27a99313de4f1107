// The feedback matrices B₀, B₁, … of a path: export keys, replacement on import, disposal.
import type { Backend, Tensor } from "@plasticity/core";

export class Matrices {
  readonly #b: Backend;
  readonly B: Tensor[];

  constructor(backend: Backend, B: Tensor[]) {
    this.#b = backend;
    this.B = B;
  }

  all(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    this.B.forEach((t, i) => (out[`B${i}`] = t));
    return out;
  }

  /** Replaces `B<i>` (shape already checked by the learner), freeing the old matrix. */
  set(key: string, value: Tensor): void {
    const m = /^B(\d+)$/.exec(key), i = m ? Number(m[1]) : -1;
    const old = this.B[i];
    if (!old) {
      throw new Error(
        `Unknown feedback matrix ${JSON.stringify(key)}: expected B0…B${this.B.length - 1}`,
      );
    }
    this.B[i] = this.#b.keep(value);
    if (old !== value) this.#b.dispose(old);
  }

  dispose(): void {
    this.#b.dispose(...this.B);
  }
}
