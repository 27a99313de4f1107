/**
 * Simulations of the prospective-configuration paper's Fig. 3, registered with core's simulation
 * registry when this module is imported:
 *
 * - `pc-output-trajectory` (Fig. 3a): the 1-1-2 linear network with every weight 1, input 1,
 *   target (0, 1), trained by PC and by BP. One record per training iteration k = 0…iterations:
 *   `{ iteration: k, pc_out0, pc_out1, bp_out0, bp_out1 }`, the feed-forward outputs *before*
 *   iteration k's update (the last record is after the final update).
 * - `pc-target-alignment` (Fig. 3e): linear width-64 nets of each depth, one sample with input and
 *   target drawn from N(0, I), one learning step. One record per (depth, seed):
 *   `{ depth, seed, pc_target_alignment, bp_target_alignment }`.
 * - `pc-prospective-index` (`nature_pc_pi_layered`): a linear width-64 PCN of 6 weight layers,
 *   one sample s, y ~ N(0, I); the prospective index cos(V′, V⁺) of every hidden layer after one
 *   weight step at the relaxed value nodes (w′) and after `weight_steps` steps with the value
 *   nodes frozen (w*). One record per (seed, layer): `{ seed, layer, pi_w_prime, pi_w_star }`.
 *
 * @module
 */
import {
  type Backend,
  createRng,
  deriveSeed,
  type HyperSchema,
  type HyperValue,
  registerSimulation,
  resolveHyper,
  type SimRecord,
  type Simulation,
  type SimulationDefinition,
} from "@plasticity/core";
import { PCNetwork } from "./network.ts";
import { type PCMode, toPCConfig } from "./settings.ts";

/**
 * Parameters of `pc-output-trajectory` (defaults: the paper's Fig. 3a).
 *
 * @example
 * ```ts
 * import { OUTPUT_TRAJECTORY_SCHEMA } from "@plasticity/predictive-coding";
 * console.assert(OUTPUT_TRAJECTORY_SCHEMA.lr?.type === "number");
 * ```
 */
export const OUTPUT_TRAJECTORY_SCHEMA: HyperSchema = {
  lr: { type: "number", default: 0.2, min: 0, doc: "weight learning rate α (SGD)" },
  T: { type: "number", default: 128, integer: true, min: 1, doc: "PC inference iterations" },
  gamma: { type: "number", default: 0.1, min: 0, doc: "inference rate γ" },
  decay: { type: "number", default: 0.5, min: 1e-12, max: 1, doc: "inference-rate decay d" },
  iterations: { type: "number", default: 64, integer: true, min: 1, doc: "training iterations" },
  input: { type: "number", default: 1, doc: "the input s" },
  target: { type: "numbers", default: [0, 1], doc: "the target (y₀, y₁)" },
};

/**
 * Parameters of `pc-target-alignment` (defaults: the paper's Fig. 3e).
 *
 * @example
 * ```ts
 * import { TARGET_ALIGNMENT_SCHEMA } from "@plasticity/predictive-coding";
 * console.assert(TARGET_ALIGNMENT_SCHEMA.width?.type === "number");
 * ```
 */
export const TARGET_ALIGNMENT_SCHEMA: HyperSchema = {
  depths: {
    type: "numbers",
    default: [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25],
    doc: "numbers of weight layers L",
  },
  width: { type: "number", default: 64, integer: true, min: 1, doc: "units of every layer" },
  seeds: { type: "number", default: 27, integer: true, min: 1, doc: "networks per depth" },
  lr: {
    type: "number",
    default: 0.001,
    min: 0,
    doc: "weight learning rate α of the single step (SGD)",
  },
  T: { type: "number", default: 512, integer: true, min: 1, doc: "PC inference iterations" },
  gamma: { type: "number", default: 0.1, min: 0, doc: "inference rate γ" },
  decay: { type: "number", default: 0.5, min: 1e-12, max: 1, doc: "inference-rate decay d" },
};

/**
 * Parameters of `pc-prospective-index` (defaults: the paper's `nature_pc_pi_layered`: x relaxed
 * for t < 100, the weights updated at t = 100 (w′) or at t = 100…199 with x frozen (w*)).
 *
 * @example
 * ```ts
 * import { PROSPECTIVE_INDEX_SCHEMA } from "@plasticity/predictive-coding";
 * console.assert(PROSPECTIVE_INDEX_SCHEMA.weight_steps?.type === "number");
 * ```
 */
export const PROSPECTIVE_INDEX_SCHEMA: HyperSchema = {
  layers: { type: "number", default: 6, integer: true, min: 2, max: 100, doc: "weight layers L" },
  width: { type: "number", default: 64, integer: true, min: 1, max: 4096, doc: "units per layer" },
  activation: {
    type: "string",
    default: "identity",
    enum: ["identity", "sigmoid", "tanh"],
    doc: "activation of the hidden layers",
  },
  seeds: { type: "number", default: 20, integer: true, min: 1, doc: "networks (samples)" },
  lr: { type: "number", default: 0.01, min: 0, doc: "weight learning rate α (SGD)" },
  T: {
    type: "number",
    default: 101,
    integer: true,
    min: 2,
    doc: "inference iterations: T − 1 value-node steps, the weight update at the last",
  },
  gamma: { type: "number", default: 0.1, min: 0, doc: "inference rate γ" },
  decay: { type: "number", default: 0.5, min: 1e-12, max: 1, doc: "inference-rate decay d" },
  "weight_steps": {
    type: "number",
    default: 100,
    integer: true,
    min: 1,
    max: 100_000,
    doc: "weight steps of w* at the frozen value nodes",
  },
};

function resolve(schema: HyperSchema, params: Record<string, unknown>): Record<string, HyperValue> {
  return resolveHyper(schema, params, "simulation.params");
}

function checkTrajectory(h: Record<string, HyperValue>): void {
  const t = h.target as readonly number[];
  if (t.length !== 2) {
    throw new Error(`simulation.params.target: expected two numbers, got ${JSON.stringify(t)}`);
  }
}

function checkAlignment(h: Record<string, HyperValue>): void {
  const d = h.depths as readonly number[];
  if (d.length === 0 || !d.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new Error(
      `simulation.params.depths: expected a non-empty list of integers ≥ 1, got ${
        JSON.stringify(d)
      }`,
    );
  }
}

function net112(mode: PCMode, h: Record<string, HyperValue>, backend: Backend): PCNetwork {
  return new PCNetwork({
    network: {
      sizes: [1, 1, 2],
      activation: "identity",
      bias: false,
      init: { kind: "uniform", low: 1, high: 1 },
    },
    config: toPCConfig(mode, { T: h.T!, gamma: h.gamma!, decay: h.decay! }),
    optimizer: { name: "sgd", lr: h.lr as number },
    backend,
    seed: 0,
  });
}

/**
 * Builds the Fig. 3a simulation directly (the registry's `create` does the same).
 *
 * @param params Parameters of {@linkcode OUTPUT_TRAJECTORY_SCHEMA}.
 * @param backend The backend.
 * @returns The simulation.
 *
 * @example
 * ```ts
 * import { jsBackend } from "@plasticity/core";
 * import { outputTrajectory } from "@plasticity/predictive-coding";
 * const sim = outputTrajectory({ iterations: 2, T: 16 }, jsBackend);
 * const rows: Record<string, number>[] = [];
 * sim.run((r) => rows.push(r));
 * console.assert(rows.length === 3 && rows[0]!.bp_out1 === 1);
 * ```
 */
export function outputTrajectory(params: Record<string, unknown>, backend: Backend): Simulation {
  return trajectoryOf(resolveTrajectory(params), backend);
}

function resolveTrajectory(params: Record<string, unknown>): Record<string, HyperValue> {
  const h = resolve(OUTPUT_TRAJECTORY_SCHEMA, params);
  checkTrajectory(h);
  return h;
}

function trajectoryOf(h: Record<string, HyperValue>, backend: Backend): Simulation {
  const iterations = h.iterations as number, tgt = h.target as readonly number[];
  let minPc = Infinity, minBp = Infinity, last: SimRecord = {};
  return {
    totalRecords: iterations + 1,
    run(onRecord) {
      const pc = net112("pc", h, backend), bp = net112("bp", h, backend);
      const s = backend.fromArray([h.input as number], 1, 1), y = backend.fromArray(tgt, 1, 2);
      for (let k = 0; k <= iterations; k++) {
        const p = backend.read(pc.predict(s)), q = backend.read(bp.predict(s));
        last = { iteration: k, pc_out0: p[0]!, pc_out1: p[1]!, bp_out0: q[0]!, bp_out1: q[1]! };
        minPc = Math.min(minPc, p[1]!);
        minBp = Math.min(minBp, q[1]!);
        onRecord(last);
        if (k < iterations) {
          pc.step(s, y);
          bp.step(s, y);
        }
      }
      pc.dispose();
      bp.dispose();
    },
    summary() {
      return {
        pc_out1_min: minPc,
        bp_out1_min: minBp,
        pc_out0_final: last.pc_out0 ?? NaN,
        pc_out1_final: last.pc_out1 ?? NaN,
        bp_out0_final: last.bp_out0 ?? NaN,
        bp_out1_final: last.bp_out1 ?? NaN,
      };
    },
  };
}

/**
 * Target alignment of one learning step of a linear network (Fig. 3e): xavier-uniform weights
 * (gain 1, no bias), one sample with s, y ~ N(0, I), one SGD step of PC or BP from the same
 * initial weights.
 *
 * @param depth Number of weight layers L.
 * @param width Units per layer.
 * @param seed Seed of the weights and of the sample.
 * @param h `lr`, `T`, `gamma`, `decay`.
 * @param backend The backend.
 * @returns Target alignment of PC and of BP.
 *
 * @example
 * ```ts
 * import { jsBackend } from "@plasticity/core";
 * import { linearTargetAlignment } from "@plasticity/predictive-coding";
 * const r = linearTargetAlignment(1, 4, 0, { lr: 0.001, T: 8, gamma: 0.1, decay: 0.5 }, jsBackend);
 * console.assert(r.bp > 0.99);
 * ```
 */
export function linearTargetAlignment(
  depth: number,
  width: number,
  seed: number,
  h: { lr: number; T: number; gamma: number; decay: number },
  backend: Backend,
): { pc: number; bp: number } {
  const rng = createRng(deriveSeed(seed, "pc-target-alignment-sample"));
  const s = backend.random(1, width, () => rng.normal());
  const y = backend.random(1, width, () => rng.normal());
  const one = (mode: PCMode) => {
    const net = new PCNetwork({
      network: {
        sizes: new Array<number>(depth + 1).fill(width),
        activation: "identity",
        bias: false,
        init: { kind: "xavierUniform", gain: 1 },
      },
      config: toPCConfig(mode, { T: h.T, gamma: h.gamma, decay: h.decay }),
      optimizer: { name: "sgd", lr: h.lr },
      backend,
      seed,
    });
    const r = net.probeStep(s, y).targetAlignment;
    net.dispose();
    return r;
  };
  const out = { pc: one("pc"), bp: one("bp") };
  backend.dispose(s, y);
  return out;
}

/**
 * Builds the Fig. 3e simulation directly (the registry's `create` does the same).
 *
 * @param params Parameters of {@linkcode TARGET_ALIGNMENT_SCHEMA}.
 * @param context Seed and backend.
 * @returns The simulation; its summary has `pc_mean_L<d>` and `bp_mean_L<d>` per depth.
 *
 * @example
 * ```ts
 * import { jsBackend } from "@plasticity/core";
 * import { targetAlignmentByDepth } from "@plasticity/predictive-coding";
 * const sim = targetAlignmentByDepth({ depths: [1], width: 4, seeds: 2, T: 8 }, { seed: 0, backend: jsBackend });
 * sim.run(() => {});
 * console.assert(sim.summary().bp_mean_L1! > 0.99);
 * ```
 */
export function targetAlignmentByDepth(
  params: Record<string, unknown>,
  context: { seed: number; backend: Backend },
): Simulation {
  return alignmentOf(resolveAlignment(params), context);
}

function resolveAlignment(params: Record<string, unknown>): Record<string, HyperValue> {
  const h = resolve(TARGET_ALIGNMENT_SCHEMA, params);
  checkAlignment(h);
  return h;
}

function alignmentOf(
  h: Record<string, HyperValue>,
  context: { seed: number; backend: Backend },
): Simulation {
  const depths = h.depths as readonly number[], seeds = h.seeds as number;
  const sums = new Map<number, { pc: number; bp: number; n: number }>();
  const hp = {
    lr: h.lr as number,
    T: h.T as number,
    gamma: h.gamma as number,
    decay: h.decay as number,
  };
  return {
    totalRecords: depths.length * seeds,
    run(onRecord) {
      for (const depth of depths) {
        const acc = sums.get(depth) ?? { pc: 0, bp: 0, n: 0 };
        for (let i = 0; i < seeds; i++) {
          const seed = deriveSeed(context.seed, `pc-target-alignment-${i}`);
          const r = linearTargetAlignment(depth, h.width as number, seed, hp, context.backend);
          acc.pc += r.pc;
          acc.bp += r.bp;
          acc.n++;
          onRecord({ depth, seed: i, pc_target_alignment: r.pc, bp_target_alignment: r.bp });
        }
        sums.set(depth, acc);
      }
    },
    summary() {
      const out: Record<string, number> = {};
      for (const [d, a] of sums) {
        out[`pc_mean_L${d}`] = a.pc / a.n;
        out[`bp_mean_L${d}`] = a.bp / a.n;
      }
      return out;
    },
  };
}

/**
 * Prospective indices of one network and sample (`nature_pc_pi_layered`): xavier-uniform weights
 * (gain 1, no bias), s, y ~ N(0, I), PC relaxation, then the index of every hidden layer l,
 * PI_l = cos(V′, V⁺) with V⁺ = x_l(relaxed) − x_l(feed-forward, before) and V′ = x_l(feed-forward,
 * after) − x_l(feed-forward, before), for w′ (one weight step) and w* (`weight_steps` steps at the
 * frozen value nodes).
 *
 * @param seed Seed of the weights and of the sample.
 * @param h The resolved parameters of {@linkcode PROSPECTIVE_INDEX_SCHEMA}.
 * @param backend The backend.
 * @returns `wPrime[l − 1]` and `wStar[l − 1]` of hidden layer l.
 *
 * @example
 * ```ts
 * import { jsBackend, resolveHyper } from "@plasticity/core";
 * import { PROSPECTIVE_INDEX_SCHEMA, prospectiveIndices } from "@plasticity/predictive-coding";
 * const h = resolveHyper(PROSPECTIVE_INDEX_SCHEMA, { width: 8, layers: 3, T: 21 }, "params");
 * const pi = prospectiveIndices(0, h, jsBackend);
 * console.assert(pi.wPrime.length === 2 && pi.wStar.every((v) => v > 0.99));
 * ```
 */
export function prospectiveIndices(
  seed: number,
  h: Record<string, HyperValue>,
  backend: Backend,
): { wPrime: number[]; wStar: number[] } {
  const width = h.width as number;
  const rng = createRng(deriveSeed(seed, "pc-prospective-index-sample"));
  const s = backend.random(1, width, () => rng.normal());
  const y = backend.random(1, width, () => rng.normal());
  const net = new PCNetwork({
    network: {
      sizes: new Array<number>((h.layers as number) + 1).fill(width),
      activation: h.activation as "identity" | "sigmoid" | "tanh",
      bias: false,
      init: { kind: "xavierUniform", gain: 1 },
    },
    config: toPCConfig("pc", { T: h.T!, gamma: h.gamma!, decay: h.decay! }),
    optimizer: { name: "sgd", lr: h.lr as number },
    backend,
    seed,
  });
  const wPrime = net.probeStep(s, y).prospectiveIndex;
  const wStar = net.probeStep(s, y, { weightSteps: h.weight_steps as number }).prospectiveIndex;
  net.dispose();
  backend.dispose(s, y);
  return { wPrime, wStar };
}

function indexOf(
  h: Record<string, HyperValue>,
  context: { seed: number; backend: Backend },
): Simulation {
  const seeds = h.seeds as number, hidden = (h.layers as number) - 1;
  const sums = {
    wPrime: new Array<number>(hidden).fill(0),
    wStar: new Array<number>(hidden).fill(0),
  };
  const mins = { wPrime: Infinity, wStar: Infinity };
  return {
    totalRecords: seeds * hidden,
    run(onRecord) {
      for (let i = 0; i < seeds; i++) {
        const seed = deriveSeed(context.seed, `pc-prospective-index-${i}`);
        const pi = prospectiveIndices(seed, h, context.backend);
        for (let l = 0; l < hidden; l++) {
          sums.wPrime[l]! += pi.wPrime[l]!;
          sums.wStar[l]! += pi.wStar[l]!;
          mins.wPrime = Math.min(mins.wPrime, pi.wPrime[l]!);
          mins.wStar = Math.min(mins.wStar, pi.wStar[l]!);
          onRecord({
            seed: i,
            layer: l + 1,
            "pi_w_prime": pi.wPrime[l]!,
            "pi_w_star": pi.wStar[l]!,
          });
        }
      }
    },
    summary() {
      const out: Record<string, number> = {
        "pi_w_prime_min": mins.wPrime,
        "pi_w_star_min": mins.wStar,
      };
      for (let l = 0; l < hidden; l++) {
        out[`pi_w_prime_mean_L${l + 1}`] = sums.wPrime[l]! / seeds;
        out[`pi_w_star_mean_L${l + 1}`] = sums.wStar[l]! / seeds;
      }
      return out;
    },
  };
}

/**
 * `pc-prospective-index`: prospective indices per hidden layer (`nature_pc_pi_layered`).
 *
 * @example
 * ```ts
 * import { getSimulation, jsBackend } from "@plasticity/core";
 * import "@plasticity/predictive-coding";
 * const def = getSimulation("pc-prospective-index");
 * const sim = def.create(def.resolve({ width: 8, seeds: 2, T: 21 }), { seed: 0, backend: jsBackend });
 * const rows: Record<string, number>[] = [];
 * sim.run((r) => rows.push(r));
 * console.assert(rows.length === 10 && sim.summary().pi_w_star_min! > 0.99);
 * ```
 */
export const PROSPECTIVE_INDEX_SIMULATION: SimulationDefinition = {
  name: "pc-prospective-index",
  description:
    "Song et al. 2024 (nature_pc_pi_layered): prospective index per hidden layer, w′ and w*",
  schema: PROSPECTIVE_INDEX_SCHEMA,
  resolve: (params) => resolve(PROSPECTIVE_INDEX_SCHEMA, params),
  create: (params, context) => indexOf(params as Record<string, HyperValue>, context),
};

/**
 * `pc-output-trajectory`: the paper's Fig. 3a.
 *
 * @example
 * ```ts
 * import { getSimulation } from "@plasticity/core";
 * import "@plasticity/predictive-coding";
 * console.assert(getSimulation("pc-output-trajectory").resolve({ lr: 0.1 }).T === 128);
 * ```
 */
export const OUTPUT_TRAJECTORY_SIMULATION: SimulationDefinition = {
  name: "pc-output-trajectory",
  description: "Fig. 3a of Song et al. 2024: outputs of a 1-1-2 linear net trained by PC and by BP",
  schema: OUTPUT_TRAJECTORY_SCHEMA,
  resolve: resolveTrajectory,
  create: (params, context) => trajectoryOf(params as Record<string, HyperValue>, context.backend),
};

/**
 * `pc-target-alignment`: the paper's Fig. 3e.
 *
 * @example
 * ```ts
 * import { getSimulation } from "@plasticity/core";
 * import "@plasticity/predictive-coding";
 * console.assert(getSimulation("pc-target-alignment").resolve({ depths: [1, 15] }).T === 512);
 * ```
 */
export const TARGET_ALIGNMENT_SIMULATION: SimulationDefinition = {
  name: "pc-target-alignment",
  description:
    "Fig. 3e of Song et al. 2024: one-step target alignment of PC and BP in deep linear nets",
  schema: TARGET_ALIGNMENT_SCHEMA,
  resolve: resolveAlignment,
  create: (params, context) => alignmentOf(params as Record<string, HyperValue>, context),
};

registerSimulation(OUTPUT_TRAJECTORY_SIMULATION);
registerSimulation(TARGET_ALIGNMENT_SIMULATION);
registerSimulation(PROSPECTIVE_INDEX_SIMULATION);
