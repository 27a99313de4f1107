// The parameter step shared by the MLP and the conv-net learners: every layer's W and b moved
// along the optimiser's direction, p ← c·p − lr·u (c = 1 without weight decay), in place where the
// backend allows it.
import type { Backend, Optimizer, Tensor } from "@plasticity/core";

/** Parameters of every weight layer: W, and b where the layer has a bias. */
export interface LayerParams {
  W: Tensor[];
  bias: (Tensor | undefined)[];
}

/** Whether {@linkcode stepParams} will update in place (then the old tensors are the new ones). */
export function stepsInPlace(b: Backend, c: number): boolean {
  return c === 1 && b.axpyInPlace !== undefined;
}

/**
 * One optimiser step of every layer, to be called inside the caller's `tidy`: W_k ← c·W_k − lr·u_k
 * with u_k the optimiser's direction for `W${k}` from the gradient dW_k (likewise b_k from db_k
 * under `b${k}`). Without decay (c = 1), a backend with `axpyInPlace` updates the tensors in place
 * (the same arithmetic as `axpy`, without a copy of every matrix each step). `learn(k, apply)` is
 * called after layer k's step with the same update as a function, for feedback weights that follow
 * it (Kolen–Pollack's B).
 */
export function stepParams(
  b: Backend,
  opt: Optimizer,
  c: number,
  old: LayerParams,
  grads: { dW: Tensor[]; db: (Tensor | undefined)[] },
  learn?: (k: number, apply: (p: Tensor) => Tensor) => void,
): LayerParams {
  const lr = opt.lr, adam = opt.spec.name === "adam";
  const inPlace = stepsInPlace(b, c) ? b.axpyInPlace!.bind(b) : undefined;
  const step = (p: Tensor, u: Tensor): Tensor => {
    if (!inPlace) return b.axpy(-lr, u, c === 1 ? p : b.scale(p, c));
    inPlace(-lr, u, p);
    return p;
  };
  const W: Tensor[] = [], bias: (Tensor | undefined)[] = [];
  for (let k = 0; k < old.W.length; k++) {
    const u = opt.direction(`W${k}`, grads.dW[k]!, old.W[k]!);
    const apply = (p: Tensor) => step(p, u);
    W.push(apply(old.W[k]!));
    learn?.(k, apply);
    if (adam) b.dispose(u);
    const db = grads.db[k], bk = old.bias[k];
    if (db && bk) {
      const ub = opt.direction(`b${k}`, db, bk);
      bias.push(step(bk, ub));
      if (adam) b.dispose(ub);
    } else bias.push(undefined);
  }
  return { W, bias };
}
