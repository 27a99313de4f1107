// The primitive function Φ of Laborieux et al. (2021) on a network given by layers, its
// gradients with respect to the neurons and to the parameters. Private; the learner is in
// _conv_ep_net.ts and the rule in conv_ep.ts.
//
// Block k (a conv layer with the pooling that follows it, or a dense layer) maps the neuron layer
// s_k (s_0 = x) to the drive F_k(s_k) = P(conv(W_k, s_k) + b_k) (P: max, mean or no pooling) or
// s_k W_k + b_k of the next neuron layer s_{k+1}, and Φ = Σ_k ⟨s_{k+1}, F_k(s_k)⟩ summed over the
// batch. Conv weights are out × in·k·k, dense weights fanIn × fanOut; images are channel-major.
import {
  avgPool2d,
  avgPool2dGrad,
  type Backend,
  conv2d,
  conv2dBiasGrad,
  type Conv2dGeometry,
  conv2dInputGrad,
  conv2dWeightGrad,
  type ImageShape,
  imageSize,
  layerShapes,
  maxPool2d,
  maxPool2dGrad,
  type NetworkSpec,
  type Pool2dGeometry,
  SchemaError,
  type Tensor,
} from "@plasticity/core";

/** One weight layer with the pooling that follows it, and the neuron layer it drives. */
export type PhiBlock =
  | {
    kind: "conv";
    geometry: Conv2dGeometry;
    /** The pooling after the convolution, if any. */
    pool?: { avg: boolean; geometry: Pool2dGeometry };
    /** Units of the neuron layer the block drives (after pooling). */
    units: number;
  }
  | { kind: "dense"; inputs: number; units: number };

/**
 * The blocks of a network given by layers: every conv or dense layer starts one, a pooling layer
 * joins the conv layer right before it, flatten only marks where images end. Throws one line
 * naming the layer when a pooling layer does not follow a conv layer.
 */
export function phiBlocks(network: NetworkSpec, rule: string, where = "network"): PhiBlock[] {
  const layers = network.layers;
  if (!layers) {
    throw new SchemaError(
      `${where}.layers: missing: rule ${rule} trains networks given by layers (conv, pool, flatten, dense); for a multilayer perceptron of sizes use rule ep`,
    );
  }
  const shapes = layerShapes(network, where), blocks: PhiBlock[] = [];
  layers.forEach((l, i) => {
    const input = i === 0 ? shapes.input : shapes.outputs[i - 1]!;
    const output = shapes.outputs[i]!;
    if (l.type === "conv") {
      blocks.push({
        kind: "conv",
        geometry: {
          input: input as ImageShape,
          outChannels: l.out,
          kernel: l.kernel,
          stride: l.stride,
          padding: l.padding,
        },
        units: imageSize(output as ImageShape),
      });
    } else if (l.type === "pool") {
      const prev = i === 0 ? "the input" : `a ${layers[i - 1]!.type} layer`;
      const last = blocks[blocks.length - 1];
      if (layers[i - 1]?.type !== "conv" || last?.kind !== "conv") {
        throw new SchemaError(
          `${where}.layers[${i}]: pool after ${prev}: rule ${rule} pools the output of a conv layer only (Φ holds s_{l+1}·P(conv(W_l, s_l)))`,
        );
      }
      const geometry = { input: input as ImageShape, size: l.size, stride: l.stride };
      last.pool = { avg: l.kind === "avg", geometry };
      last.units = imageSize(output as ImageShape);
    } else if (l.type === "dense") {
      blocks.push({ kind: "dense", inputs: input as number, units: l.out });
    }
  });
  return blocks;
}

/** The blocks with their parameters. */
export interface PhiNet {
  /** The blocks, in order. */
  readonly blocks: readonly PhiBlock[];
  /** W_k: out × in·k·k (conv) or fanIn × fanOut (dense). */
  readonly W: readonly Tensor[];
  /** b_k (1 × channels or units), or `undefined` for a block without biases. */
  readonly b: readonly (Tensor | undefined)[];
}

/** The input of block k: x for the first, else the neuron layer s_k (`s[k − 1]`). */
function inputOf(x: Tensor, s: readonly Tensor[], k: number): Tensor {
  return k === 0 ? x : s[k - 1]!;
}

/** The convolution before pooling, conv(W_k, s_k) + b_k (conv blocks). */
function convOut(bk: Backend, net: PhiNet, k: number, input: Tensor): Tensor {
  const blk = net.blocks[k] as Extract<PhiBlock, { kind: "conv" }>;
  return conv2d(bk, input, net.W[k]!, blk.geometry, net.b[k]);
}

/** P(a): the block's pooling of a conv output (itself without pooling). */
function pool(bk: Backend, blk: PhiBlock, a: Tensor): Tensor {
  if (blk.kind !== "conv" || !blk.pool) return a;
  const p = blk.pool;
  return p.avg ? avgPool2d(bk, a, p.geometry) : maxPool2d(bk, a, p.geometry);
}

/**
 * The adjoint of the pooling at conv output `a` applied to the next neuron layer `out`:
 * ∂⟨out, P(a)⟩/∂a (max: `out` routed to each window's first maximum; mean: spread evenly).
 */
function poolAdjoint(bk: Backend, blk: PhiBlock, a: Tensor | undefined, out: Tensor): Tensor {
  if (blk.kind !== "conv" || !blk.pool) return out;
  const p = blk.pool;
  return p.avg ? avgPool2dGrad(bk, out, p.geometry) : maxPool2dGrad(bk, a!, out, p.geometry);
}

/**
 * The drive F_k(s_k) of block k: P(conv(W_k, s_k) + b_k) or s_k W_k + b_k, with the conv output
 * before pooling where a max pooling needs it later.
 */
export function blockDrive(
  bk: Backend,
  net: PhiNet,
  k: number,
  input: Tensor,
): { drive: Tensor; a?: Tensor } {
  const blk = net.blocks[k]!;
  if (blk.kind === "dense") {
    const z = bk.matmul(input, net.W[k]!), bias = net.b[k];
    return { drive: bias ? bk.addRow(z, bias) : z };
  }
  const a = convOut(bk, net, k, input);
  return { drive: pool(bk, blk, a), a };
}

/**
 * ∂Φ/∂s_j for every neuron layer j = 1…L at state `s` (`s[j − 1]` = s_j): the drive from below
 * F_{j−1}(s_{j−1}) plus, below the output, the feedback from above ∂⟨s_{j+1}, F_j(s_j)⟩/∂s_j =
 * convᵀ(W_j, P*(s_{j+1})) (P* the pooling's adjoint) or s_{j+1} W_jᵀ. `drive0` = F_0(x), which does
 * not change while the neurons relax.
 */
export function phiStateGrad(
  bk: Backend,
  net: PhiNet,
  x: Tensor,
  s: readonly Tensor[],
  drive0?: Tensor,
): Tensor[] {
  const L = net.blocks.length, g: Tensor[] = new Array(L);
  g[0] = drive0 ?? blockDrive(bk, net, 0, x).drive;
  for (let k = 1; k < L; k++) {
    const blk = net.blocks[k]!, input = s[k - 1]!, out = s[k]!, W = net.W[k]!;
    const { drive, a } = blockDrive(bk, net, k, input);
    g[k] = drive;
    const back = blk.kind === "dense"
      ? bk.matmul(out, W, false, true)
      : conv2dInputGrad(bk, poolAdjoint(bk, blk, a, out), W, blk.geometry);
    g[k - 1] = bk.add(g[k - 1]!, back);
  }
  return g;
}

/**
 * ∂Φ/∂W_k and ∂Φ/∂b_k at state `s`, summed over the batch: conv blocks
 * conv2dWeightGrad(s_k, P*(s_{k+1})) and the channel sums of P*(s_{k+1}); dense blocks s_kᵀ s_{k+1}
 * and the column sums of s_{k+1}.
 */
export function phiParamGrad(
  bk: Backend,
  net: PhiNet,
  x: Tensor,
  s: readonly Tensor[],
): { dW: Tensor[]; db: (Tensor | undefined)[] } {
  const dW: Tensor[] = [], db: (Tensor | undefined)[] = [];
  net.blocks.forEach((blk, k) => {
    const input = inputOf(x, s, k), out = s[k]!, bias = net.b[k];
    if (blk.kind === "dense") {
      dW.push(bk.matmul(input, out, true, false));
      db.push(bias ? bk.sum(out, 0) : undefined);
      return;
    }
    const a = blk.pool && !blk.pool.avg ? convOut(bk, net, k, input) : undefined;
    const adj = poolAdjoint(bk, blk, a, out);
    dW.push(conv2dWeightGrad(bk, input, adj, blk.geometry));
    db.push(bias ? conv2dBiasGrad(bk, adj, blk.geometry) : undefined);
  });
  return { dW, db };
}

/** Φ = Σ_k ⟨s_{k+1}, F_k(s_k)⟩ at state `s`, summed over the batch. */
export function phiValue(bk: Backend, net: PhiNet, x: Tensor, s: readonly Tensor[]): number {
  return bk.tidy(() => {
    let phi = 0;
    for (let k = 0; k < net.blocks.length; k++) {
      phi += bk.sumAll(bk.mul(s[k]!, blockDrive(bk, net, k, inputOf(x, s, k)).drive));
    }
    return phi;
  });
}
