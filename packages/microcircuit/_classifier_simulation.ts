// What the classification simulations (`microcircuit-yin-yang`, `microcircuit-mnist`) share: the
// schema of the classifier keys (GeNN config names, a configuration's values as defaults), the
// split of resolved parameters into classifier and data keys with the check of `dims`, and the
// runner-facing simulation around one `createClassifier` run of the GeNN schedule.
import { type HyperSchema, resolveHyper, SchemaError, showValue } from "@plasticity/core";
import type { SimRecord, Simulation, SimulationResume } from "@plasticity/core/simulation";
import {
  type ClassData,
  type ClassifierParams,
  type ClassifierState,
  createClassifier,
} from "./classification.ts";

/**
 * The schema of the classifier keys, in the order of `defaults` (whose values are the defaults).
 *
 * @param defaults A GeNN configuration, e.g. `YIN_YANG_PAL` or `MNIST_PAL`.
 * @param dimsDoc What `dims` must be, e.g. "Layer sizes, `[4, n, 3]` for yin-yang".
 * @returns The schema.
 */
export function classifierSchema(
  defaults: Readonly<ClassifierParams>,
  dimsDoc: string,
): HyperSchema {
  const Y = defaults;
  const num = (key: keyof ClassifierParams, doc: string) =>
    ({ type: "number", default: Y[key] as number, doc }) as const;
  const nums = (key: keyof ClassifierParams, doc: string) =>
    ({ type: "numbers", default: Y[key] as number[], doc }) as const;
  return {
    dims: nums("dims", dimsDoc),
    "model_type": {
      type: "string",
      default: Y.model_type,
      enum: ["PAL", "FA", "BP"],
      doc: "`PAL` (noise-driven B), `FA` (fixed B) or `BP` (B = Wᵀ)",
    },
    "eta_up": nums("eta_up", "η of forward weights, indexed by presynaptic level"),
    "eta_down": nums("eta_down", "η of B, indexed by postsynaptic level (entry 0 unused)"),
    "eta_ip": nums("eta_ip", "η of pyramid-to-interneuron weights, indexed by level − 1"),
    "eta_pi": nums("eta_pi", "η of interneuron-to-apical weights, indexed by level − 1"),
    alpha: num("alpha", "PAL regulariser α"),
    "noise_sig": num("noise_sig", "OU noise σ (0 = none)"),
    "noise_tau": num("noise_tau", "OU noise time constant (ms)"),
    "highpass_tau": num("highpass_tau", "High-pass time constant (ms)"),
    "tau_w_ff": num("tau_w_ff", "Low-pass time constant of forward updates (ms)"),
    "tau_w_ip": num(
      "tau_w_ip",
      "Low-pass time constant of the pyramid-to-interneuron updates (ms)",
    ),
    "tau_w_pi": num(
      "tau_w_pi",
      "Low-pass time constant of the interneuron-to-apical updates (ms)",
    ),
    "step_order": {
      type: "string",
      default: Y.step_order as string,
      enum: ["genn", "numpy"],
      doc: "Step kernel: `genn` (GeNN's order) or `numpy` (the numpy reference's)",
    },
    "exact_decay": {
      type: "boolean",
      default: Y.exact_decay ?? false,
      doc:
        "Step every input synapse's low-pass every step (else blank inputs catch up in closed form)",
    },
    dt: num("dt", "Euler step (ms)"),
    "t_pattern": num("t_pattern", "Presentation time per sample (ms)"),
    "recs_per_sample": num(
      "recs_per_sample",
      "Records per sample (accuracy uses records 2 … last)",
    ),
    "n_epochs": { ...num("n_epochs", "Epochs"), integer: true, min: 0 },
    uhigh: num("uhigh", "Target voltage of the correct class"),
    ulow: num("ulow", "Target voltage of the other classes"),
    "init_up": num("init_up", "Forward weights start U(−up, up)"),
    "init_down": num("init_down", "B starts U(−down, down)"),
    gl: num("gl", "Leak conductance"),
    gb: num("gb", "Basal conductance"),
    ga: num("ga", "Apical conductance"),
    gd: num("gd", "Interneuron dendritic conductance"),
    gsom: num("gsom", "Interneuron nudging conductance"),
    gtar: num("gtar", "Target nudging conductance"),
  };
}

/**
 * Resolves `params` with `schema` and splits the result into the classifier keys and the keys of
 * `dataSchema`; throws a `SchemaError` naming `simulation.params.dims` unless `dims` is
 * `[nIn, n, nOut]` with an integer n ≥ 1.
 */
export function resolveClassifierParams(
  schema: HyperSchema,
  dataSchema: HyperSchema,
  params: Record<string, unknown>,
  io: { nIn: number; nOut: number; task: string },
): { classifier: ClassifierParams; data: Record<string, number> } {
  const where = "simulation.params";
  const resolved = resolveHyper(schema, params, where);
  const { classifier, data } = splitClassifierParams(resolved, dataSchema);
  const d = classifier.dims;
  if (
    d.length !== 3 || d[0] !== io.nIn || d[2] !== io.nOut || !Number.isInteger(d[1]) || d[1]! < 1
  ) {
    throw new SchemaError(
      `${where}.dims: expected [${io.nIn}, n, ${io.nOut}] for ${io.task}, got ${showValue(d)}`,
    );
  }
  return { classifier, data };
}

/** Splits resolved parameters into the classifier keys and the keys of `dataSchema`. */
export function splitClassifierParams(
  params: Record<string, unknown>,
  dataSchema: HyperSchema,
): { classifier: ClassifierParams; data: Record<string, number> } {
  const classifier: Record<string, unknown> = {}, data: Record<string, number> = {};
  for (const [key, v] of Object.entries(params)) {
    if (key in dataSchema) data[key] = v as number;
    else classifier[key] = v;
  }
  return { classifier: classifier as unknown as ClassifierParams, data };
}

/**
 * One seed's classification simulation: the GeNN schedule of `createClassifier` on the data that
 * `data()` makes when the run starts; `n_epochs + 1` records (one per epoch, then the final one
 * with the test accuracy), `summary()` the final record.
 */
export function classifierSimulation(
  classifier: ClassifierParams,
  seed: number,
  data: () => ClassData,
  resume?: SimulationResume,
): Simulation {
  const run = createClassifier(classifier, seed);
  let summary: Record<string, number> = {};
  let emitted = 0;
  let from: ClassifierState | undefined;
  if (resume !== undefined) {
    const st = resume.state as Partial<ClassifierState> | null;
    if (
      st === null || typeof st !== "object" || st.epochs !== resume.records ||
      typeof st.model !== "object" || typeof st.shuffler !== "object" ||
      resume.records > classifier.n_epochs
    ) {
      throw new Error(
        `Invalid checkpoint of a classification run: expected the state after 0…${classifier.n_epochs} epochs, got ${
          JSON.stringify(st?.epochs)
        } at record ${resume.records}`,
      );
    }
    from = st as ClassifierState;
    emitted = resume.records;
  }
  return {
    totalRecords: classifier.n_epochs + 1,
    run(onRecord: (record: SimRecord) => void): void {
      summary = run.run(data(), (r) => {
        emitted++;
        onRecord(r);
      }, from);
    },
    summary: () => summary,
    // One record per epoch: after k records the run has done k epochs.
    checkpoint: () => run.saveState(emitted),
  };
}
