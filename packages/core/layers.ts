/**
 * Networks given layer by layer: convolution, pooling, flatten and dense layers on images of a
 * given shape, as a config writes them (`network.layers`, `network.input_shape`), e.g. LeNet-5 on
 * MNIST:
 *
 * ```yaml
 * network:
 *   input_shape: [1, 28, 28]
 *   layers:
 *     - conv: { out: 6, kernel: 5, padding: 2 }
 *     - pool: { kind: max, size: 2 }
 *     - conv: { out: 16, kernel: 5 }
 *     - pool: { kind: max, size: 2 }
 *     - flatten
 *     - dense: 120
 *     - dense: 84
 *     - dense: 10
 *   activation: relu
 * ```
 *
 * Images travel as `batch × (c·h·w)` tensors in channel-major order (see `image_shape.ts`), so
 * `flatten` changes no value: it marks where images end and vectors begin. Every conv and dense
 * layer is followed by its activation (`network.activation`, one for all or one per conv/dense
 * layer but the last, which takes `network.output_activation`); pooling and flatten have none.
 *
 * @module
 */
import { type HyperSchema, SchemaError, type SectionField, showValue } from "./hyper.ts";
import { conv2dOutputShape, type ImageShape, imageSize, pool2dOutputShape } from "./image_shape.ts";

/** A convolution layer (see `conv2d.ts`): `out` channels of `kernel × kernel` filters. */
export interface ConvLayerSpec {
  /** Kind. */
  readonly type: "conv";
  /** Output channels. */
  readonly out: number;
  /** Kernel height and width. */
  readonly kernel: number;
  /** Stride (default 1). */
  readonly stride: number;
  /** Zero padding on every side (default 0). */
  readonly padding: number;
  /** Whether it has a bias per channel (absent: `network.bias`). */
  readonly bias?: boolean;
}

/** A pooling layer (see `pool2d.ts`). */
export interface PoolLayerSpec {
  /** Kind. */
  readonly type: "pool";
  /** `max` or `avg`. */
  readonly kind: "max" | "avg";
  /** Window height and width (default 2). */
  readonly size: number;
  /** Stride (default: the window size). */
  readonly stride: number;
}

/** The end of the images: the next layers see each image as a vector of c·h·w values. */
export interface FlattenLayerSpec {
  /** Kind. */
  readonly type: "flatten";
}

/** A fully connected layer of `out` units. */
export interface DenseLayerSpec {
  /** Kind. */
  readonly type: "dense";
  /** Units. */
  readonly out: number;
  /** Whether it has biases (absent: `network.bias`). */
  readonly bias?: boolean;
}

/** One layer of {@linkcode NetworkSpec.layers}. */
export type LayerSpec = ConvLayerSpec | PoolLayerSpec | FlattenLayerSpec | DenseLayerSpec;

const BIAS = {
  type: "boolean",
  optional: true,
  doc: "whether the layer has biases (absent: network.bias)",
} as const;

/**
 * One entry of `network.layers`: `{conv: {out, kernel, stride: 1, padding: 0, bias}}`,
 * `{pool: {kind: max, size: 2, stride: size}}` (or `{pool: avg}`), `flatten`, or `{dense: out}`
 * (or `{dense: {out, bias}}`). The resolved form names the kind under `type`, e.g.
 * `{type: conv, out: 6, kernel: 5, stride: 1, padding: 2}`, and is accepted as written too.
 *
 * @example
 * ```ts
 * import { checkValue, LAYER_SECTION } from "@plasticity/core";
 * const l = checkValue(LAYER_SECTION, { dense: 120 }, "network.layers[5]") as { type: string; out: number };
 * console.assert(l.type === "dense" && l.out === 120);
 * ```
 */
export const LAYER_SECTION: SectionField = {
  type: "section",
  doc: "conv, pool, flatten or dense",
  shorthand: "type",
  schema: {
    by: "type",
    keyed: { dense: "out", pool: "kind" },
    variants: {
      conv: {
        out: { type: "number", integer: true, min: 1, doc: "output channels" },
        kernel: { type: "number", integer: true, min: 1, doc: "kernel height and width" },
        stride: { type: "number", integer: true, min: 1, default: 1, doc: "stride" },
        padding: {
          type: "number",
          integer: true,
          min: 0,
          default: 0,
          doc: "zeros added on every side",
        },
        bias: BIAS,
      },
      pool: {
        kind: { type: "string", enum: ["max", "avg"], default: "max", doc: "max or avg pooling" },
        size: { type: "number", integer: true, min: 1, default: 2, doc: "window height and width" },
        stride: {
          type: "number",
          integer: true,
          min: 1,
          default: (v) => v.size as number,
          doc: "stride (default: the window size)",
        },
      },
      flatten: {},
      dense: { out: { type: "number", integer: true, min: 1, doc: "units" }, bias: BIAS },
    } satisfies Record<string, HyperSchema>,
  },
};

/** What {@linkcode layerShapes} reads of a network spec. */
export interface LayeredSpec {
  /** Shape [c, h, w] of one input image. */
  readonly "input_shape"?: readonly number[];
  /** The layers. */
  readonly layers?: readonly LayerSpec[];
}

/** The shapes of a network given by layers. */
export interface LayerShapes {
  /** One input image. */
  readonly input: ImageShape;
  /**
   * The output of each layer: an image after conv and pool layers, a number of units after
   * flatten and dense layers.
   */
  readonly outputs: readonly (ImageShape | number)[];
}

/**
 * The shapes of every layer of a network given by `layers` on images of `input_shape`, checking
 * the order (conv and pool before one flatten, dense after it, a dense layer last) and that every
 * window fits its image.
 *
 * @param spec `input_shape` and `layers`.
 * @param where The key path of the network, for messages.
 * @returns The input image and each layer's output.
 * @throws {SchemaError} One line naming the layer, e.g. `network.layers[2]`.
 *
 * @example LeNet-5 on MNIST: 6×28×28, 6×14×14, 16×10×10, 16×5×5, 400, 120, 84, 10
 * ```ts
 * import { layerShapes, type LayerSpec } from "@plasticity/core";
 * const layers: LayerSpec[] = [
 *   { type: "conv", out: 6, kernel: 5, stride: 1, padding: 2 },
 *   { type: "pool", kind: "max", size: 2, stride: 2 },
 *   { type: "conv", out: 16, kernel: 5, stride: 1, padding: 0 },
 *   { type: "pool", kind: "max", size: 2, stride: 2 },
 *   { type: "flatten" },
 *   { type: "dense", out: 120 }, { type: "dense", out: 84 }, { type: "dense", out: 10 },
 * ];
 * const s = layerShapes({ input_shape: [1, 28, 28], layers });
 * console.assert(s.outputs[4] === 400 && s.outputs[7] === 10);
 * ```
 */
export function layerShapes(spec: LayeredSpec, where = "network"): LayerShapes {
  const shape = spec.input_shape, layers = spec.layers ?? [];
  if (!shape || shape.length !== 3) {
    throw new SchemaError(
      `${where}.input_shape: expected [channels, height, width] beside ${where}.layers, got ${
        showValue(shape)
      }`,
    );
  }
  const input: ImageShape = { c: shape[0]!, h: shape[1]!, w: shape[2]! };
  const outputs: (ImageShape | number)[] = [];
  let cur: ImageShape | number = input;
  layers.forEach((l, i) => {
    const path = `${where}.layers[${i}]`;
    if (l.type === "conv" || l.type === "pool") {
      if (typeof cur === "number") {
        throw new SchemaError(
          `${path}: ${l.type} after flatten: expected conv and pool layers before flatten`,
        );
      }
      try {
        cur = l.type === "conv"
          ? conv2dOutputShape({
            input: cur,
            outChannels: l.out,
            kernel: l.kernel,
            stride: l.stride,
            padding: l.padding,
          })
          : pool2dOutputShape({ input: cur, size: l.size, stride: l.stride });
      } catch (e) {
        const why = (e as Error).message.replace(/^(conv|pool)2d: /, "");
        throw new SchemaError(`${path}: ${why}`);
      }
    } else if (l.type === "flatten") {
      if (typeof cur === "number") {
        throw new SchemaError(`${path}: a second flatten: expected one flatten layer`);
      }
      cur = imageSize(cur);
    } else {
      if (typeof cur !== "number") {
        throw new SchemaError(
          `${path}: dense before flatten: expected a flatten layer between the images and the first dense layer`,
        );
      }
      cur = l.out;
    }
    outputs.push(cur);
  });
  const last = layers[layers.length - 1];
  if (last?.type !== "dense") {
    throw new SchemaError(
      `${where}.layers: last layer is ${showValue(last?.type)}: expected a dense output layer`,
    );
  }
  return { input, outputs };
}

/**
 * The number of layers with weights (conv and dense) of a layer list.
 *
 * @param layers The layers.
 * @returns How many are conv or dense.
 *
 * @example
 * ```ts
 * import { weightLayerCount } from "@plasticity/core";
 * console.assert(weightLayerCount([{ type: "flatten" }, { type: "dense", out: 10 }]) === 1);
 * ```
 */
export function weightLayerCount(layers: readonly LayerSpec[]): number {
  return layers.filter((l) => l.type === "conv" || l.type === "dense").length;
}
