/**
 * Weight initialisers used by the reproduced papers. Weights are stored `fanIn × fanOut`, so a layer
 * computes `x @ W`.
 *
 * @module
 */
import { type HyperValues, schemaDefaults, type SectionField, type Variants } from "./hyper.ts";
import type { Rng } from "./random.ts";
import { fillNormal, fillUniform } from "./bulk_random.ts";
import type { Backend, Tensor } from "./tensor.ts";

/**
 * How to initialise a weight matrix.
 *
 * - `xavierUniform`: U(−a, a), a = gain·√(6 / (fanIn + fanOut)) (Glorot & Bengio 2010).
 * - `xavierNormal`: N(0, gain²·2 / (fanIn + fanOut)).
 * - `lecunNormal`: Flax's default, a normal truncated at ±2σ, rescaled so its variance is scale/fanIn.
 * - `varianceScaling`: an untruncated N(0, scale/fanIn) (bioflax's `--initializer variance_scaling`
 *   with `scale_w`).
 * - `kaimingUniform`: PyTorch's `nn.Linear` default, U(−b, b), b = √(6 / ((1 + a²) fanIn)) with a = √5.
 * - `uniform`: U(low, high).
 * - `normal`: N(mean, std²).
 * - `zeros`.
 */
export type InitSpec =
  | { kind: "xavierUniform"; gain?: number }
  | { kind: "xavierNormal"; gain?: number }
  | { kind: "lecunNormal"; scale?: number }
  | { kind: "varianceScaling"; scale?: number }
  | { kind: "kaimingUniform"; a?: number }
  | { kind: "uniform"; low: number; high: number }
  | { kind: "normal"; std: number; mean?: number }
  | { kind: "zeros" };

/** Names of the initialiser kinds. */
export const INIT_KINDS = [
  "xavierUniform",
  "xavierNormal",
  "lecunNormal",
  "varianceScaling",
  "kaimingUniform",
  "uniform",
  "normal",
  "zeros",
] as const;

const GAIN = { type: "number", default: 1, doc: "gain" } as const;
const SCALE = { type: "number", default: 1, doc: "variance scale" } as const;

/**
 * The `init` section of a network, declared once: `kind` (one of {@linkcode INIT_KINDS}; a bare
 * string sets it) and that initialiser's parameters with their defaults — `gain` (1) of the
 * xavier initialisers, `scale` (1) of `lecunNormal` and `varianceScaling`, `a` (√5) of
 * `kaimingUniform`, the required `low` < `high` of `uniform`, the required `std` (≥ 0) and `mean`
 * (0) of `normal`.
 *
 * @example
 * ```ts
 * import { INIT_SECTION, resolveHyper } from "@plasticity/core";
 * const { init } = resolveHyper({ init: INIT_SECTION }, { init: "xavierNormal" }, "network");
 * console.assert(JSON.stringify(init) === '{"kind":"xavierNormal","gain":1}');
 * ```
 */
export const INIT_SECTION: SectionField = {
  type: "section",
  doc: "weight initialiser (absent: the rule's own default)",
  shorthand: "kind",
  optional: true,
  schema: {
    by: "kind",
    variants: {
      xavierUniform: { gain: GAIN },
      xavierNormal: { gain: GAIN },
      lecunNormal: { scale: SCALE },
      varianceScaling: { scale: SCALE },
      kaimingUniform: {
        a: { type: "number", default: Math.sqrt(5), doc: "negative slope a of the gain" },
      },
      uniform: {
        low: { type: "number", doc: "lower bound" },
        high: { type: "number", aboveKey: "low", doc: "upper bound (> low)" },
      },
      normal: {
        std: { type: "number", min: 0, doc: "standard deviation" },
        mean: { type: "number", default: 0, doc: "mean" },
      },
      zeros: {},
    },
  },
};

const INIT_DEFAULTS: Record<string, HyperValues> = Object.fromEntries(
  Object.entries((INIT_SECTION.schema as Variants).variants).map((
    [kind, schema],
  ) => [kind, schemaDefaults(schema)]),
);

// The std of a standard normal truncated to [-2, 2].
const TRUNC2_STD = 0.87962566103423978;

/**
 * A sampler for one element of a `fanIn × fanOut` weight matrix.
 *
 * @param spec The initialiser.
 * @param fanIn Number of inputs.
 * @param fanOut Number of outputs.
 * @param rng The generator.
 * @returns A function drawing one element.
 *
 * @example
 * ```ts
 * import { createRng, initSampler } from "@plasticity/core";
 * const draw = initSampler({ kind: "uniform", low: -1, high: 1 }, 3, 2, createRng(0));
 * const v = draw();
 * console.assert(v >= -1 && v < 1);
 * ```
 */
export function initSampler(spec: InitSpec, fanIn: number, fanOut: number, rng: Rng): () => number {
  // Parameters left out take the defaults INIT_SECTION declares.
  const d = (INIT_DEFAULTS[spec.kind] ?? {}) as Record<string, number>;
  switch (spec.kind) {
    case "xavierUniform": {
      const a = (spec.gain ?? d.gain!) * Math.sqrt(6 / (fanIn + fanOut));
      return () => (2 * rng.next() - 1) * a;
    }
    case "xavierNormal": {
      const s = (spec.gain ?? d.gain!) * Math.sqrt(2 / (fanIn + fanOut));
      return () => rng.normal() * s;
    }
    case "lecunNormal": {
      const s = Math.sqrt((spec.scale ?? d.scale!) / fanIn) / TRUNC2_STD;
      return () => {
        let z: number;
        do z = rng.normal(); while (z < -2 || z > 2);
        return z * s;
      };
    }
    case "varianceScaling": {
      const s = Math.sqrt((spec.scale ?? d.scale!) / fanIn);
      return () => rng.normal() * s;
    }
    case "kaimingUniform": {
      const a = spec.a ?? d.a!;
      const b = Math.sqrt(6 / ((1 + a * a) * fanIn));
      return () => (2 * rng.next() - 1) * b;
    }
    case "uniform": {
      const { low, high } = spec;
      return () => low + (high - low) * rng.next();
    }
    case "normal": {
      const { std } = spec, mean = spec.mean ?? d.mean!;
      return () => mean + std * rng.normal();
    }
    case "zeros":
      return () => 0;
  }
  throw new Error(
    `Unknown initialiser ${JSON.stringify((spec as { kind: unknown }).kind)}: expected one of ${
      INIT_KINDS.join(", ")
    }`,
  );
}

/**
 * A `fanIn × fanOut` weight tensor drawn from `spec`.
 *
 * @param backend The backend.
 * @param fanIn Rows.
 * @param fanOut Columns.
 * @param spec The initialiser.
 * @param rng The generator.
 * @returns The weights.
 *
 * @example
 * ```ts
 * import { createRng, initWeights, jsBackend } from "@plasticity/core";
 * const w = initWeights(jsBackend, 784, 10, { kind: "xavierUniform" }, createRng(0));
 * console.assert(w.rows === 784 && w.cols === 10);
 * ```
 */
export function initWeights(
  backend: Backend,
  fanIn: number,
  fanOut: number,
  spec: InitSpec,
  rng: Rng,
): Tensor {
  return backend.random(fanIn, fanOut, initSampler(spec, fanIn, fanOut, rng));
}

/**
 * Fills `out` with draws from `spec` for a `fanIn × fanOut` matrix — the distribution of
 * {@linkcode initSampler}, drawn in bulk ({@linkcode fillUniform}, {@linkcode fillNormal}: one
 * 32-bit word per uniform, the ziggurat method for normals), for rules that redraw a matrix at
 * every step. The stream differs from {@linkcode initWeights}' with the same generator.
 *
 * @param out The buffer, row-major, any length (usually fanIn · fanOut).
 * @param spec The initialiser.
 * @param fanIn Number of inputs.
 * @param fanOut Number of outputs.
 * @param rng The generator.
 * @returns `out`.
 *
 * @example
 * ```ts
 * import { createRng, fillInit } from "@plasticity/core";
 * const w = fillInit(new Float32Array(784 * 256), { kind: "xavierUniform" }, 784, 256, createRng(0));
 * const a = Math.sqrt(6 / (784 + 256));
 * console.assert(w.every((v) => v >= -a && v <= a));
 * ```
 */
export function fillInit(
  out: Float32Array,
  spec: InitSpec,
  fanIn: number,
  fanOut: number,
  rng: Rng,
): Float32Array {
  const d = (INIT_DEFAULTS[spec.kind] ?? {}) as Record<string, number>;
  switch (spec.kind) {
    case "xavierUniform": {
      const a = (spec.gain ?? d.gain!) * Math.sqrt(6 / (fanIn + fanOut));
      return fillUniform(out, rng, -a, a);
    }
    case "xavierNormal":
      return fillNormal(out, rng, (spec.gain ?? d.gain!) * Math.sqrt(2 / (fanIn + fanOut)));
    case "lecunNormal":
      return fillNormal(out, rng, Math.sqrt((spec.scale ?? d.scale!) / fanIn) / TRUNC2_STD, 0, 2);
    case "varianceScaling":
      return fillNormal(out, rng, Math.sqrt((spec.scale ?? d.scale!) / fanIn));
    case "kaimingUniform": {
      const a = spec.a ?? d.a!, b = Math.sqrt(6 / ((1 + a * a) * fanIn));
      return fillUniform(out, rng, -b, b);
    }
    case "uniform":
      return fillUniform(out, rng, spec.low, spec.high);
    case "normal":
      return fillNormal(out, rng, spec.std, spec.mean ?? d.mean!);
    case "zeros":
      return out.fill(0);
  }
  throw new Error(
    `Unknown initialiser ${JSON.stringify((spec as { kind: unknown }).kind)}: expected one of ${
      INIT_KINDS.join(", ")
    }`,
  );
}
