/**
 * `@plasticity/microcircuit`: the dendritic cortical microcircuit (Sacramento et al. 2018) with the
 * Latent Equilibrium lookahead ŭ and Phaseless Alignment Learning (PAL) of the top-down weights,
 * faithful to the numpy code of the PAL paper (Max et al., arXiv 2212.10249) down to its order of
 * random draws, with fast float64 step kernels.
 *
 * @example
 * ```ts
 * import { createPalRun, parseParams } from "@plasticity/microcircuit";
 * const run = createPalRun(parseParams({ epochs: 1, max_records: 1 }), 123);
 * run.run((r) => console.assert(r.angle_B_WT_0! > 80));
 * ```
 *
 * @module
 */
export * from "./activation.ts";
export * from "./model.ts";
export * from "./params.ts";
export * from "./metrics.ts";
export * from "./experiment.ts";
export * from "./classification.ts";
export * from "./genn_network.ts";
export * from "./read_npy.ts";
export * from "./simulation.ts";
