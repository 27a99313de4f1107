// The layers of a ConvNet as the feedback paths see them (geometry, shapes and PyTorch's fans of
// every weight layer), and the drawing of feedback matrices with those fans.
import {
  type Backend,
  type Conv2dGeometry,
  type ImageShape,
  initSampler,
  type InitSpec,
  type Pool2dGeometry,
  type Rng,
  type Tensor,
} from "@plasticity/core";
import type { ConvNet } from "@plasticity/backprop";
import { type FeedbackHyper, feedbackInitSpec } from "./feedback_init.ts";

/** One layer of a ConvNet with its shapes; weight layers carry their number k. */
export type Stage =
  | { kind: "conv"; k: number; geometry: Conv2dGeometry; output: ImageShape }
  | { kind: "pool"; avg: boolean; geometry: Pool2dGeometry }
  | { kind: "flatten" }
  | { kind: "dense"; k: number; input: number };

/** A matrix to draw: its stored shape and PyTorch's fans of the tensor it stands for. */
export interface FeedbackShape {
  readonly rows: number;
  readonly cols: number;
  readonly fanIn: number;
  readonly fanOut: number;
}

/** The layers of `net` in order, with the geometry of every conv and pool layer. */
export function stagesOf(net: ConvNet): Stage[] {
  const out: Stage[] = [];
  let k = 0;
  net.layers.forEach((l, i) => {
    const input = i === 0 ? net.shapes.input : net.shapes.outputs[i - 1]!;
    if (l.type === "conv") {
      const geometry = {
        input: input as ImageShape,
        outChannels: l.out,
        kernel: l.kernel,
        stride: l.stride,
        padding: l.padding,
      };
      out.push({ kind: "conv", k: k++, geometry, output: net.shapes.outputs[i] as ImageShape });
    } else if (l.type === "dense") out.push({ kind: "dense", k: k++, input: input as number });
    else if (l.type === "pool") {
      const geometry = { input: input as ImageShape, size: l.size, stride: l.stride };
      out.push({ kind: "pool", avg: l.kind === "avg", geometry });
    } else out.push({ kind: "flatten" });
  });
  return out;
}

/**
 * The shape and fans of every weight matrix Wₖ of `net`: conv out × (c·k·k) with fan-in c·k·k and
 * fan-out out·k·k (PyTorch's fans of an out × c × k × k kernel), dense fanIn × fanOut.
 */
export function weightShapes(net: ConvNet): FeedbackShape[] {
  const out: FeedbackShape[] = [];
  for (const st of stagesOf(net)) {
    if (st.kind === "conv") {
      const g = st.geometry, kk = g.kernel * g.kernel;
      out.push({
        rows: g.outChannels,
        cols: g.input.c * kk,
        fanIn: g.input.c * kk,
        fanOut: g.outChannels * kk,
      });
    } else if (st.kind === "dense") {
      const w = net.W[st.k]!;
      out.push({ rows: w.rows, cols: w.cols, fanIn: w.rows, fanOut: w.cols });
    }
  }
  return out;
}

/**
 * Draws one matrix per shape, in order, from `feedback_init` and `feedback_scale` with the given
 * fans (for a dense shape, exactly `drawFeedback`'s draw), kept past any enclosing tidy.
 */
export function drawShaped(
  b: Backend,
  shapes: readonly FeedbackShape[],
  hyper: FeedbackHyper,
  forward: InitSpec | undefined,
  rng: Rng,
): Tensor[] {
  return shapes.map((s) => {
    const spec = feedbackInitSpec(hyper.feedback_init, hyper.feedback_scale, s.fanIn, forward);
    return b.keep(b.random(s.rows, s.cols, initSampler(spec, s.fanIn, s.fanOut, rng)));
  });
}

/** sign(a) element by element: −1, 0 or +1, times `scale`. */
export function scaledSign(b: Backend, a: Tensor, scale: number): Tensor {
  const v = b.read(a), out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = scale * Math.sign(v[i]!);
  return b.fromArray(out, a.rows, a.cols);
}

/** |a| element by element, kept across tidy scopes. */
export function absKept(b: Backend, a: Tensor): Tensor {
  const v = b.read(a), out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Math.abs(v[i]!);
  return b.keep(b.fromArray(out, a.rows, a.cols));
}

/** Keyed matrices `<prefix>0…` of a path: export, replacement on import, disposal. */
export class KeyedMatrices {
  readonly #b: Backend;
  readonly #prefix: string;
  readonly list: Tensor[];

  constructor(b: Backend, prefix: string, list: Tensor[]) {
    this.#b = b;
    this.#prefix = prefix;
    this.list = list;
  }

  all(): Record<string, Tensor> {
    return Object.fromEntries(this.list.map((t, i) => [`${this.#prefix}${i}`, t]));
  }

  set(key: string, value: Tensor): void {
    const m = new RegExp(`^${this.#prefix}(\\d+)$`).exec(key), i = m ? Number(m[1]) : -1;
    const old = this.list[i];
    if (!old) {
      throw new Error(
        `Unknown feedback matrix ${JSON.stringify(key)}: expected ${
          this.list.length ? `${this.#prefix}0…${this.#prefix}${this.list.length - 1}` : "none"
        }`,
      );
    }
    this.list[i] = this.#b.keep(value);
    if (old !== value) this.#b.dispose(old);
  }

  dispose(): void {
    this.#b.dispose(...this.list);
  }
}
