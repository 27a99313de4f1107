/**
 * The experiment protocol of the PAL numpy code (`runner.py` with `run_exp.py`): initialisation in
 * the reference's order of random draws, step input U[0, 1] held for Tpres, optional teacher
 * microcircuit (task `fw_bw`), settling without learning, and epochs of shuffled samples, with a
 * record every `rec_per_steps` steps.
 *
 * With `rng: "numpy"` every draw comes from core's `NumpyRandomState`, reseeded where the reference
 * reseeds numpy: voltages then weights with `np.random.seed(seed)`, the input with
 * `RandomState(random_seed[0])` (or the teacher's seed), the teacher's seed as
 * `seed(random_seed[0]); randint(100000, 999999)`, and one `RandomState(seed)` per model that draws
 * the OU noise and shuffles the samples each epoch (cumulatively, as the reference reshuffles the
 * previous epoch's order).
 *
 * @module
 */
import { NumpyRandomState } from "@plasticity/core/mt19937";
import { createRng, deriveSeed, type Rng, shuffle } from "@plasticity/core/random";
import { FastNumpyStream } from "./_fast_numpy.ts";
import { getActivation } from "./activation.ts";
import { angleToTranspose, annBpDeltaW, matrixAngle } from "./metrics.ts";
import {
  Microcircuit,
  type MicrocircuitConfig,
  type MicrocircuitInit,
  type MicrocircuitState,
} from "./model.ts";
import type { PalParams, RecordableName } from "./params.ts";

/** One record: simulated time `t` (s), angles (degrees) per layer, and the output MSE. */
export type PalRecord = Record<string, number>;

/** The draws an experiment needs, from numpy's `RandomState` or core's generator. */
export interface DrawSource {
  /** One N(0, 1) draw. */
  normal(): number;
  /** One U[low, high) draw. */
  uniform(low: number, high: number): number;
  /** Shuffles in place (numpy's draw order in numpy mode). */
  shuffle(a: Int32Array): void;
}

function source(p: PalParams, seed: number, label: string): DrawSource {
  if (p.rng === "numpy") {
    return new FastNumpyStream(seed);
  }
  const rng: Rng = createRng(deriveSeed(seed, label));
  return {
    normal: () => rng.normal(),
    uniform: (lo, hi) => lo + (hi - lo) * rng.next(),
    shuffle: (a) => void shuffle(a, rng),
  };
}

/**
 * The model constants of a params object.
 *
 * @param p Resolved parameters.
 * @returns The constants for {@linkcode Microcircuit}.
 *
 * @example
 * ```ts
 * import { parseParams } from "@plasticity/microcircuit/params";
 * import { modelConfig } from "@plasticity/microcircuit/experiment";
 * console.assert(modelConfig(parseParams({})).modelType === "PAL");
 * ```
 */
export function modelConfig(p: PalParams): MicrocircuitConfig {
  return {
    layers: p.layers,
    dt: p.dt,
    modelType: p.model_type,
    activation: p.activation,
    gl: p.gl,
    gbas: p.gbas,
    gapi: p.gapi,
    gden: p.gden,
    gnI: p.gnI,
    gntgt: p.gntgt,
    etaFw: p.eta_fw,
    etaBw: p.eta_bw,
    etaIP: p.eta_IP,
    etaPI: p.eta_PI,
    alpha: p.alpha,
    noiseScale: p.noise_scale,
    tauxi: p.tauxi,
    tauHP: p.tauHP,
    tauLO: p.tauLO,
    dWPPLowPass: p.model_type === "PAL" && p.dWPP_low_pass,
    pyrHiPass: p.pyr_hi_pass,
    taur: p.taur,
  };
}

/**
 * Builds a microcircuit as the reference's `init_MC`: voltages u ~ N(0, 1) then u^I ~ N(0, 1)
 * after seeding with `seed`; weights uniform over the configured ranges in the order W, WIP, B, BPI
 * after reseeding; BP copies B = Wᵀ; the self-predicting state if `init_in_SPS`. The model's own
 * generator (noise and shuffling) is a fresh one seeded with `seed`.
 *
 * @param p Resolved parameters.
 * @param seed The model's seed.
 * @param teacher Use the `init_teacher_*` ranges.
 * @returns The model and its generator (for shuffling).
 *
 * @example
 * ```ts
 * import { parseParams } from "@plasticity/microcircuit/params";
 * import { buildMicrocircuit } from "@plasticity/microcircuit/experiment";
 * const { mc } = buildMicrocircuit(parseParams({ model_type: "BP" }), 123);
 * console.assert(mc.BPP[0]![1] === mc.WPP[1]![20]); // B = Wᵀ
 * ```
 */
export function buildMicrocircuit(
  p: PalParams,
  seed: number,
  teacher = false,
): { mc: Microcircuit; rng: DrawSource } {
  const layers = p.layers, L = layers.length - 1;
  const v = source(p, seed, "voltages");
  const draw = (n: number, f: () => number) => Float64Array.from({ length: n }, f);
  const uP = Array.from({ length: L }, (_, k) => draw(layers[k + 1]!, () => v.normal()));
  const uI = Array.from({ length: L - 1 }, (_, h) => draw(layers[h + 2]!, () => v.normal()));
  const w = source(p, seed, "weights");
  const uni = (range: readonly number[], n: number) =>
    draw(n, () => w.uniform(range[0]!, range[1]!));
  const R = teacher
    ? [
      p.init_teacher_WPP_range,
      p.init_teacher_WIP_range,
      p.init_teacher_BPP_range,
      p.init_teacher_BPI_range,
    ]
    : [p.init_WPP_range, p.init_WIP_range, p.init_BPP_range, p.init_BPI_range];
  const init: MicrocircuitInit = {
    uP,
    uI,
    WPP: Array.from({ length: L }, (_, k) => uni(R[0]!, layers[k + 1]! * layers[k]!)),
    WIP: Array.from({ length: L - 1 }, (_, h) => uni(R[1]!, layers[h + 2]! * layers[h + 1]!)),
    BPP: Array.from({ length: L - 1 }, (_, h) => uni(R[2]!, layers[h + 1]! * layers[h + 2]!)),
    BPI: Array.from({ length: L - 1 }, (_, h) => uni(R[3]!, layers[h + 1]! * layers[h + 2]!)),
  };
  const rng = source(p, seed, "model");
  const mc = new Microcircuit(modelConfig(p), init, rng);
  if (p.init_in_SPS) mc.setSelfPredictingState();
  return { mc, rng };
}

/**
 * The teacher's seed: numpy `seed(random_seed[0]); randint(100000, 999999)` (873630 for 123).
 *
 * @param p Resolved parameters.
 * @returns The teacher's seed.
 *
 * @example
 * ```ts
 * import { parseParams } from "@plasticity/microcircuit/params";
 * import { teacherSeed } from "@plasticity/microcircuit/experiment";
 * console.assert(teacherSeed(parseParams({})) === 873630);
 * ```
 */
export function teacherSeed(p: PalParams): number {
  const s0 = p.random_seed[0]!;
  if (p.rng === "numpy") return new NumpyRandomState(s0).randint(100000, 999999);
  return 100000 + (deriveSeed(s0, "teacher") % 899999);
}

/**
 * The input samples: `dataset_size` × n0 rates U[0, 1], drawn row by row.
 *
 * @param p Resolved parameters.
 * @param seed The input seed.
 * @returns Row-major samples.
 *
 * @example
 * ```ts
 * import { parseParams } from "@plasticity/microcircuit/params";
 * import { inputSamples } from "@plasticity/microcircuit/experiment";
 * const x = inputSamples(parseParams({}), 0);
 * console.assert(Math.abs(x[0]! - 0.5488135) < 1e-7 && x.length === 500);
 * ```
 */
export function inputSamples(p: PalParams, seed: number): Float64Array {
  const s = source(p, seed, "input");
  return Float64Array.from({ length: p.dataset_size * p.layers[0]! }, () => s.uniform(0, 1));
}

/**
 * Where a run stands, as JSON-safe plain data ({@linkcode PalRun.checkpoint}): the steps of the
 * protocol done (settling included), the record counters, the current sample order and the full
 * state of the student ({@linkcode MicrocircuitState}, its generator included). The inputs and
 * the teacher's targets are not stored: they follow from the parameters and are rebuilt.
 */
export interface PalRunCheckpoint {
  /** The student's seed. */
  seed: number;
  /** Steps of the protocol done (settling + training). */
  position: number;
  /** Steps since the last record. */
  counter: number;
  /** Records emitted so far. */
  records: number;
  /** The sample order of the current epoch. */
  order: number[];
  /** The student's state. */
  mc: MicrocircuitState;
}

/** A configured run of one seed. */
export interface PalRun {
  /** Records the run will emit. */
  readonly totalRecords: number;
  /** Steps of the protocol (settling + epochs × samples × Tpres/dt), `compare_updates` excluded. */
  readonly totalSteps: number;
  /** The student microcircuit. */
  readonly mc: Microcircuit;
  /** Steps of the protocol done so far. */
  readonly position: number;
  /** Runs to the end (or `max_records`), calling `onRecord` for each record. */
  run(onRecord: (r: PalRecord) => void): void;
  /**
   * Runs at most `n` more steps of the protocol (settling and training; not the
   * `compare_updates` evaluation), calling `onRecord` for each record on the way.
   *
   * @returns The steps taken (fewer at the end of the protocol or at `max_records`).
   */
  runSteps(n: number, onRecord: (r: PalRecord) => void): number;
  /**
   * Where the run stands ({@linkcode PalRunCheckpoint}); `createPalRun(p, seed, checkpoint)`
   * continues from it exactly. Throws with `compare_updates` (its weight snapshots are not stored)
   * and with `rng: "plasticity"` (that generator's state cannot be read).
   */
  checkpoint(): PalRunCheckpoint;
}

/** The arrays of a microcircuit a record variable reads. */
function recordedArrays(mc: Microcircuit, name: RecordableName): Float64Array[] {
  switch (name) {
    case "WPP":
      return mc.WPP;
    case "BPP":
      return mc.BPP;
    case "WIP":
      return mc.WIP;
    case "BPI":
      return mc.BPI;
    case "uP":
      return mc.uP;
    case "uP_breve":
      return mc.uPBreve;
    case "vbas":
      return mc.vBas;
    case "vapi":
      return mc.vApi;
    case "uI":
      return mc.uI;
  }
}

/**
 * Prepares one seed's run of the reference protocol. For `fw_bw` the teacher (seeded by
 * {@linkcode teacherSeed}, in the self-predicting state, without noise or learning) runs settling
 * plus one pass; the student's target for each sample is the teacher's ŭ_L at the last step of
 * that sample. A record is taken every `rec_per_steps` steps, after the step's updates. Records
 * hold `t` (seconds of simulated time, settling included), `angle_B_WT_<h>` = ∠(B_h, W_{h+1}ᵀ),
 * `angle_B_RHS_<h>` = ∠(B_h, φ′W_{h+1}ᵀφ′) per hidden layer, with a target `angle_dW_<k>` =
 * ∠(ΔW_MC,k, ΔW_BP,k) per forward weight and `mse` = ‖ŭ_L − target‖², and for each variable of
 * `record` the first `record_max_values` values of each layer's array as `<name>_<layer>_<index>`
 * (e.g. `WPP_1_0`, the first entry of W of the output layer). A record thus holds at most
 * 1 + 3L + |record| · L · `record_max_values` numbers (`record_max_values` ≤ 4096), and a run
 * emits ⌊steps / `rec_per_steps`⌋ records (at most `max_records` when that is set).
 * With `compare_updates`, the run then emits one record per sample of the evaluation of each
 * epoch's weight snapshot (reference `compare_updates`): `eval_index`, `t_snapshot` (s) and
 * `angle_dW_<k>`.
 *
 * @param p Resolved parameters.
 * @param seed The student's seed.
 * @param resume A checkpoint of a run with the same parameters and seed to continue from.
 * @returns The run.
 *
 * @example
 * ```ts
 * import { parseParams } from "@plasticity/microcircuit/params";
 * import { createPalRun } from "@plasticity/microcircuit/experiment";
 * const p = parseParams({ epochs: 1, max_records: 2, record: ["BPP"], record_max_values: 2 });
 * const run = createPalRun(p, 123);
 * const recs: Record<string, number>[] = [];
 * run.run((r) => recs.push(r));
 * console.assert(recs.length === 2 && recs[0]!.t === 0.01);
 * console.assert(recs[1]!.BPP_0_1 === run.mc.BPP[0]![1] && !("BPP_0_2" in recs[1]!));
 * ```
 */
export function createPalRun(p: PalParams, seed: number, resume?: PalRunCheckpoint): PalRun {
  const layers = p.layers, L = layers.length - 1, n0 = layers[0]!, nL = layers[L]!;
  const P = Math.round(p.Tpres / p.dt);
  const settle = Math.round(p.settling_time / p.dt);
  const S = p.dataset_size;
  const fwbw = p.task === "fw_bw";
  const { mc, rng } = buildMicrocircuit(p, seed);
  const totalSteps = settle + p.epochs * S * P;
  const mainRecords = Math.floor(totalSteps / p.rec_per_steps);
  // Snapshots for compare_updates: one per epoch among the training records (reference: every
  // int(training records / epochs)-th record after the int(settling / rec_per_steps) settling ones).
  const settleRecords = Math.floor(settle / p.rec_per_steps);
  const snapEvery = Math.max(1, Math.floor((mainRecords - settleRecords) / Math.max(1, p.epochs)));
  const nSnaps = p.compare_updates
    ? Math.max(0, Math.ceil((mainRecords - settleRecords) / snapEvery))
    : 0;
  let totalRecords = mainRecords + nSnaps * S;
  if (p.max_records > 0) totalRecords = Math.min(totalRecords, p.max_records);
  const recordVars = p.record ?? [];

  const phis = Array.from({ length: L }, (_, k) =>
    getActivation(
      typeof p.activation === "string" ? p.activation : p.activation[k]!,
    ));
  const gHat = p.gbas / (p.gl + p.gbas + p.gapi);
  const dBas = mc.vBas.map((v) => new Float64Array(v.length));
  const off = { learnWeights: false, learnLatWeights: false, learnBwWeights: false };
  const learn = { learnWeights: fwbw, learnLatWeights: true, learnBwWeights: true };

  // Position in the protocol (what a checkpoint saves).
  let position = 0, counter = 0, records = 0, stop = false;
  const order = new Int32Array(S).map((_, i) => i);
  let firstOrder = order.slice();
  if (resume) {
    if (resume.seed !== seed) {
      throw new Error(`Invalid checkpoint: it is of seed ${resume.seed}, expected seed ${seed}`);
    }
    if (resume.order.length !== S || resume.position < 0 || resume.position > totalSteps) {
      throw new Error(
        `Invalid checkpoint: position ${resume.position} of ${totalSteps} steps with ${resume.order.length} samples, expected ${S} samples`,
      );
    }
    mc.loadState(resume.mc);
    position = resume.position;
    counter = resume.counter;
    records = resume.records;
    order.set(resume.order);
    if (p.max_records > 0 && records >= p.max_records) stop = true;
  }

  // Inputs and teacher targets: rebuilt from the parameters, once.
  let input: Float64Array | null = null;
  let targets: Float64Array | null = null;
  const tgtRow = new Float64Array(S * nL);
  let tgtRowFor = -1; // the epoch tgtRow was built for
  const prepare = (): Float64Array => {
    if (input) return input;
    if (fwbw) {
      const ts = teacherSeed(p);
      const teacher = buildMicrocircuit(p, ts, true).mc;
      teacher.setSelfPredictingState();
      input = inputSamples(p, ts);
      for (let i = 0; i < settle; i++) teacher.step(input, null, off, (Math.floor(i / P) % S) * n0);
      targets = new Float64Array(S * P * nL);
      for (let i = 0; i < S * P; i++) {
        targets.set(teacher.uPBreve[L - 1]!, i * nL);
        teacher.step(input, null, off, Math.floor(i / P) * n0);
      }
    } else {
      input = inputSamples(p, p.random_seed[0]!);
    }
    return input;
  };
  const fillTargets = (epoch: number) => {
    tgtRowFor = epoch;
    if (!targets) return;
    for (let s = 0; s < S; s++) {
      tgtRow.set(
        targets.subarray((order[s]! * P + P - 1) * nL, (order[s]! * P + P) * nL),
        s * nL,
      );
    }
  };

  const snaps: {
    t: number;
    WPP: Float64Array[];
    WIP: Float64Array[];
    BPP: Float64Array[];
    BPI: Float64Array[];
  }[] = [];
  let onRecord: (r: PalRecord) => void = () => {};
  const emit = (rec: PalRecord) => {
    onRecord(rec);
    records++;
    if (p.max_records > 0 && records >= p.max_records) stop = true;
  };
  const record = (target: Float64Array | null, targetOffset: number, r0: Float64Array) => {
    const rec: PalRecord = { t: Number(((mc.steps * p.dt) / 1000).toPrecision(12)) };
    for (let k = 0; k < L; k++) {
      const v = mc.vBas[k]!, d = dBas[k]!, dphi = phis[k]!.dphi;
      for (let i = 0; i < v.length; i++) d[i] = dphi(gHat * v[i]!);
    }
    for (let h = 0; h < L - 1; h++) {
      const rows = layers[h + 1]!, cols = layers[h + 2]!;
      rec[`angle_B_WT_${h}`] = angleToTranspose(mc.BPP[h]!, mc.WPP[h + 1]!, rows, cols);
    }
    for (let h = 0; h < L - 1; h++) {
      const rows = layers[h + 1]!, cols = layers[h + 2]!;
      rec[`angle_B_RHS_${h}`] = angleToTranspose(
        mc.BPP[h]!,
        mc.WPP[h + 1]!,
        rows,
        cols,
        dBas[h],
        dBas[h + 1],
      );
    }
    if (target) {
      const tgt = target.subarray(targetOffset, targetOffset + nL);
      const bp = annBpDeltaW(
        mc.WPP,
        layers,
        phis.map((a) => a.phi),
        phis.map((a) => a.dphi),
        gHat,
        (p.gl + p.gbas + p.gapi) / (p.gl + p.gbas),
        r0,
        tgt,
      );
      for (let k = 0; k < L; k++) {
        rec[`angle_dW_${k}`] = matrixAngle(mc.lastDeltaW(k), bp[k]!);
      }
      let mse = 0;
      const ub = mc.uPBreve[L - 1]!;
      for (let i = 0; i < nL; i++) mse += (ub[i]! - tgt[i]!) ** 2;
      rec.mse = mse;
    }
    for (const name of recordVars) {
      recordedArrays(mc, name).forEach((a, k) => {
        const n = Math.min(a.length, p.record_max_values);
        for (let i = 0; i < n; i++) rec[`${name}_${k}_${i}`] = a[i]!;
      });
    }
    if (
      p.compare_updates && records >= settleRecords && (records - settleRecords) % snapEvery === 0
    ) {
      snaps.push({
        t: rec.t!,
        WPP: mc.WPP.map((w) => w.slice()),
        WIP: mc.WIP.map((w) => w.slice()),
        BPP: mc.BPP.map((w) => w.slice()),
        BPI: mc.BPI.map((w) => w.slice()),
      });
    }
    emit(rec);
  };
  const after = (target: Float64Array | null, targetOffset: number) => {
    if (++counter % p.rec_per_steps === 0) {
      counter = 0;
      record(target, targetOffset, mc.r0);
    }
  };

  const runSteps = (n: number, cb: (r: PalRecord) => void): number => {
    onRecord = cb;
    const x = prepare();
    const end = Math.min(totalSteps, position + Math.max(0, Math.floor(n)));
    const start = position;
    while (position < end && !stop) {
      const g = position;
      if (g < settle) {
        mc.step(x, null, off, (Math.floor(g / P) % S) * n0);
        position++;
        after(null, 0);
        continue;
      }
      const j = g - settle, e = Math.floor(j / (S * P)), w = j % (S * P);
      if (w === 0) {
        rng.shuffle(order);
        if (e === 0) firstOrder = order.slice();
        fillTargets(e);
      } else if (tgtRowFor !== e) fillTargets(e); // resumed within an epoch
      const s = Math.floor(w / P);
      mc.step(x, targets ? tgtRow : null, learn, order[s]! * n0, s * nL);
      position++;
      after(targets ? tgtRow : null, s * nL);
    }
    return position - start;
  };

  const run = (cb: (r: PalRecord) => void) => {
    runSteps(totalSteps - position, cb);
    if (p.compare_updates && !stop) {
      const x = prepare();
      // The reference's bw_only shuffle permutes, in place, the first row of every sample of the
      // student's input array in epoch 0 (a strided view); the comparison presents that array.
      const rowOf = (i: number) => {
        const s = Math.floor(i / P) % S;
        return !fwbw && i % P === 0 ? firstOrder[s]! : s;
      };
      let evalTargets = targets as Float64Array | null;
      if (!evalTargets) {
        const ts = teacherSeed(p);
        const teacher = buildMicrocircuit(p, ts, true).mc;
        teacher.setSelfPredictingState();
        for (let i = 0; i < settle; i++) teacher.step(x, null, off, rowOf(i) * n0);
        evalTargets = new Float64Array(S * P * nL);
        for (let i = 0; i < S * P; i++) {
          evalTargets.set(teacher.uPBreve[L - 1]!, i * nL);
          teacher.step(x, null, off, rowOf(i) * n0);
        }
      }
      for (const xi of mc.noise) xi.fill(0);
      const outScale = (p.gl + p.gbas + p.gapi) / (p.gl + p.gbas);
      for (let j = 0; j < snaps.length && !stop; j++) {
        const snap = snaps[j]!;
        for (let k = 0; k < L; k++) mc.WPP[k]!.set(snap.WPP[k]!);
        for (let h = 0; h < L - 1; h++) {
          mc.WIP[h]!.set(snap.WIP[h]!);
          mc.BPP[h]!.set(snap.BPP[h]!);
          mc.BPI[h]!.set(snap.BPI[h]!);
        }
        mc.setSelfPredictingState();
        for (let i = 0; i < S * P && !stop; i++) {
          const row = rowOf(i) * n0;
          mc.step(x, evalTargets, off, row, i * nL);
          if ((i + 1) % P === 0) {
            const bp = annBpDeltaW(
              mc.WPP,
              layers,
              phis.map((a) => a.phi),
              phis.map((a) => a.dphi),
              gHat,
              outScale,
              x.subarray(row, row + n0),
              evalTargets.subarray(i * nL, (i + 1) * nL),
            );
            const rec: PalRecord = {
              "eval_index": j * S + Math.floor(i / P),
              "t_snapshot": snap.t,
            };
            for (let k = 0; k < L; k++) {
              rec[`angle_dW_${k}`] = matrixAngle(mc.lastDeltaW(k), bp[k]!);
            }
            emit(rec);
          }
        }
      }
    }
  };

  const checkpoint = (): PalRunCheckpoint => {
    if (p.compare_updates) {
      throw new Error(
        "Cannot checkpoint a run with compare_updates: true (its weight snapshots are not stored)",
      );
    }
    if (p.rng !== "numpy") {
      throw new Error(
        `Cannot checkpoint a run with rng ${JSON.stringify(p.rng)}: expected rng "numpy"`,
      );
    }
    return { seed, position, counter, records, order: Array.from(order), mc: mc.saveState() };
  };

  return {
    totalRecords,
    totalSteps,
    mc,
    get position() {
      return position;
    },
    run,
    runSteps,
    checkpoint,
  };
}
