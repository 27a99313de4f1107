/**
 * Test-only registrations for the runner's tests: a linear-regression learner (`test-linear`,
 * ŷ = xW + b trained by the exact squared-error gradient) and a simulation (`test-decay`) whose
 * records follow a closed form, so results can be checked against theory.
 *
 * Imported by the tests and, through `--import`, by the runner's trial processes.
 *
 * @module
 */
import {
  type Backend,
  createRng,
  type HyperSchema,
  initWeights,
  type Learner,
  lossGrad,
  lossValue,
  Optimizer,
  registerLearner,
  registerSimulation,
  type ResolvedLearnerOptions,
  resolveHyper,
  type SimRecord,
  type Tensor,
} from "@plasticity/core";

class LinearLearner implements Learner {
  readonly rule = "test-linear";
  readonly backend: Backend;
  #w: Tensor;
  #b: Tensor;
  #opt: Optimizer;
  #loss;
  #explodeAfter: number;
  #crashAfter: number | undefined;
  #steps = 0;

  constructor(o: ResolvedLearnerOptions) {
    const b = o.backend;
    this.backend = b;
    const [nIn, nOut] = [o.network.sizes[0]!, o.network.sizes[o.network.sizes.length - 1]!];
    const std = (o.hyper.init_std as number | undefined) ?? 0.1;
    this.#w = initWeights(b, nIn, nOut, { kind: "normal", std }, createRng(o.seed));
    this.#b = b.zeros(1, nOut);
    this.#opt = new Optimizer(b, o.optimizer!);
    this.#loss = o.loss;
    this.#explodeAfter = (o.hyper.explode_after as number | undefined) ?? -1;
    this.#crashAfter = o.hyper.crash_after as number | undefined;
  }

  predict(x: Tensor): Tensor {
    const b = this.backend;
    return b.addRow(b.matmul(x, this.#w), this.#b);
  }

  trainBatch(x: Tensor, y: Tensor) {
    const b = this.backend;
    this.#steps++;
    const out = this.predict(x);
    let loss = lossValue(b, this.#loss, out, y);
    if (this.#explodeAfter >= 0 && this.#steps > this.#explodeAfter) loss = Number.NaN;
    if (this.#crashAfter !== undefined && this.#steps > this.#crashAfter) {
      setTimeout(() => {
        throw new Error("test-linear crashed on purpose");
      }, 0);
    }
    const g = lossGrad(b, this.#loss, out, y);
    this.#w = this.#opt.update("w", this.#w, b.matmul(x, g, true));
    this.#b = this.#opt.update("b", this.#b, b.sum(g, 0));
    return { loss };
  }

  diagnostics(): Record<string, number> {
    return { weight_norm: Math.sqrt(this.backend.sumSquares(this.#w)) };
  }

  exportWeights() {
    const b = this.backend;
    return {
      w: { rows: this.#w.rows, cols: this.#w.cols, data: [...b.read(this.#w)] },
      b: { rows: 1, cols: this.#b.cols, data: [...b.read(this.#b)] },
    };
  }

  importWeights(): void {
    throw new Error("Not needed by the tests");
  }

  dispose(): void {}
}

registerLearner({
  name: "test-linear",
  family: "test",
  description: "linear regression by the exact squared-error gradient (runner tests only)",
  hyper: {
    "init_std": { type: "number", default: 0.1, min: 0, doc: "std of the initial weights" },
    "explode_after": {
      type: "number",
      default: -1,
      integer: true,
      doc: "report a NaN loss after this many steps (−1: never), to test divergence handling",
    },
    "crash_after": {
      type: "number",
      integer: true,
      optional: true,
      doc: "throw from a timer after this many steps, crashing the process (tests crash reports)",
    },
  },
  optimizer: true,
  create: (o) => new LinearLearner(o),
});

const DECAY_SCHEMA: HyperSchema = {
  x0: { type: "number", default: 1, doc: "x(0)" },
  tau: { type: "number", default: 1, above: 0, doc: "time constant" },
  steps: { type: "number", default: 10, integer: true, min: 0, doc: "steps after t = 0" },
  dt: { type: "number", default: 0.1, above: 0, doc: "time step" },
};

registerSimulation({
  name: "test-decay",
  description: "x(t) = x0·exp(−t/tau) sampled every dt (runner tests only)",
  resolve: (params) => resolveHyper(DECAY_SCHEMA, params, "simulation.params"),
  create(params) {
    const { x0, tau, steps, dt } = params as Record<"x0" | "tau" | "steps" | "dt", number>;
    let last = x0;
    return {
      totalRecords: steps + 1,
      run(onRecord: (r: SimRecord) => void) {
        for (let i = 0; i <= steps; i++) {
          last = x0 * Math.exp(-(i * dt) / tau);
          onRecord({ t: i * dt, x: last });
        }
      },
      summary: () => ({ x_final: last }),
    };
  },
});
