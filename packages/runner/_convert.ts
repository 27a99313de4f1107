/** Conversions from the runner's snake_case config sections to the camelCase core types. */
import type { InitSpec, LossSpec, NetworkSpec, OptimizerSpec } from "@plasticity/core";
import type { LossConfig, NetworkConfig, OptimizerConfig } from "./config.ts";

/**
 * The core {@linkcode NetworkSpec} of a resolved network section.
 *
 * @param n The network section.
 * @returns The spec.
 *
 * @example
 * ```ts
 * import { toNetworkSpec } from "./_convert.ts";
 * const s = toNetworkSpec({ sizes: [1, 4, 1], activation: "tanh", output_activation: "identity", leaky_slope: 0.01, bias: true });
 * console.assert(s.outputActivation === "identity");
 * ```
 */
export function toNetworkSpec(n: NetworkConfig): NetworkSpec {
  const spec: NetworkSpec = {
    sizes: n.sizes,
    activation: n.activation as NetworkSpec["activation"],
    leakySlope: n.leaky_slope,
    bias: n.bias,
  };
  if (n.output_activation !== undefined) {
    spec.outputActivation = n.output_activation as NonNullable<NetworkSpec["outputActivation"]>;
  }
  if (n.init) spec.init = { ...n.init } as unknown as InitSpec;
  return spec;
}

/**
 * The core {@linkcode OptimizerSpec} of a resolved optimiser section.
 *
 * @param o The optimiser section.
 * @returns The spec.
 *
 * @example
 * ```ts
 * import { toOptimizerSpec } from "./_convert.ts";
 * console.assert(toOptimizerSpec({ name: "sgd", lr: 0.1, momentum: 0, weight_decay: 0.5 }).weightDecay === 0.5);
 * ```
 */
export function toOptimizerSpec(o: OptimizerConfig): OptimizerSpec {
  const spec: OptimizerSpec = { name: o.name, lr: o.lr, weightDecay: o.weight_decay };
  if (o.momentum !== undefined) spec.momentum = o.momentum;
  if (o.beta1 !== undefined) spec.beta1 = o.beta1;
  if (o.beta2 !== undefined) spec.beta2 = o.beta2;
  if (o.eps !== undefined) spec.eps = o.eps;
  return spec;
}

/**
 * The core {@linkcode LossSpec} of a resolved loss section.
 *
 * @param l The loss section.
 * @returns The spec.
 *
 * @example
 * ```ts
 * import { toLossSpec } from "./_convert.ts";
 * console.assert(toLossSpec({ kind: "ce", reduction: "mean" }).kind === "ce");
 * ```
 */
export function toLossSpec(l: LossConfig): LossSpec {
  const spec: LossSpec = { kind: l.kind, reduction: l.reduction };
  if (l.half !== undefined) spec.half = l.half;
  return spec;
}
