/**
 * Runs one trial in the current process and records it in its results folder: a learner trained
 * epoch by epoch on a dataset, or a simulation run to the end. The runner calls this in a worker
 * process per trial (see `trial_main.ts`); apps may call it directly.
 *
 * A trial takes an exclusive lock on its folder, so two processes never run the same trial at
 * once; a trial found `done` (or `diverged`) is skipped unless forced. `status.json` is written
 * `running` first and `done` last, so a trial killed at any point never looks done.
 *
 * @module
 */
import { dirname, join } from "node:path";
import {
  angleFromCos,
  type Backend,
  createRng,
  deriveSeed,
  getLearner,
  getSimulation,
  instantiateLearner,
  type Learner,
  lossDivisor,
  type SimRecord,
  type Tensor,
  type WeightArray,
} from "@plasticity/core";
import {
  batches,
  evaluate as evaluateSplit,
  type Evaluation,
  openDataset,
  sourceId,
  type Split,
} from "@plasticity/datasets";
import { type DataPhase, driftProtocol, taskProtocol } from "./protocol.ts";
import { selectEnvBackend } from "./backend_env.ts";
import { lossDivergence } from "./divergence.ts";
import type { LearnerTrialConfig, SimulationTrialConfig, TrialConfig } from "./config.ts";
import {
  configToYaml,
  readStatus,
  TRIAL_FILES,
  type TrialMeta,
  type TrialState,
  writeAtomic,
  writeJsonAtomic,
} from "./results.ts";
import { commitStaged, lockTrial, recoverTrial, removeTrialDir, stagingDir } from "./trial_dir.ts";
import {
  readSimCheckpoint,
  removeSimCheckpoint,
  type SimCheckpoint,
  writeSimCheckpoint,
} from "./_sim_checkpoint.ts";

/** Progress of a running trial. */
export interface TrialProgress {
  /** Units of work done (batches, or simulation records). */
  done: number;
  /** Units of work in all. */
  total: number;
  /** A short note, e.g. `epoch 3/10`. */
  note?: string;
}

/** Options of {@linkcode runTrial}. */
export interface TrialRunOptions {
  /** Run even when the folder already holds a finished trial. */
  force?: boolean;
  /** Git commit and package versions for `meta.json` (default: unknown / none). */
  meta?: Pick<TrialMeta, "git_commit" | "versions" | "workdir_git">;
  /** Called as work progresses (at most every 100 ms or so). */
  onProgress?: (p: TrialProgress) => void;
  /** Where notices go (e.g. a backend fallback); default stderr. */
  log?: (line: string) => void;
  /** Called often during the run, also inside synchronous loops; may end the process. */
  checkAlive?: () => void;
}

/** How a trial ended. */
export interface TrialOutcome {
  /** The final state, or `skipped` when the folder already held a finished trial. */
  state: TrialState | "skipped";
  /** The error of a failed or diverged trial. */
  error?: string;
  /** `summary.json`, when written. */
  summary?: Record<string, number | null>;
  /** The backend actually used. */
  backend?: string;
  /** True when the run was stopped from outside (the trial stays `running` on disk). */
  interrupted?: boolean;
  /**
   * True when the trial's process died without reporting an end (killed, out of memory, a crash
   * outside the trial's own error handling): worth retrying elsewhere, unlike a trial's own error.
   */
  crashed?: boolean;
}

class Diverged extends Error {}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return (msg.split("\n")[0] ?? "").trim() || (e instanceof Error ? e.name : "Error");
}

function removeIfExists(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/** Yields to the event loop now and then, so a worker process hears its parent go away. */
class Pacer {
  #last = performance.now();
  #lastProgress = -Infinity;
  constructor(private readonly opts: TrialRunOptions) {}
  /** True when it is time to report progress. */
  progressDue(): boolean {
    const now = performance.now();
    if (now - this.#lastProgress < 100) return false;
    this.#lastProgress = now;
    return true;
  }
  async tick(): Promise<void> {
    this.opts.checkAlive?.();
    const now = performance.now();
    if (now - this.#last > 100) {
      this.#last = now;
      await new Promise((r) => setTimeout(r, 0));
      this.opts.checkAlive?.();
    }
  }
}

/**
 * Runs one trial and records it in `dir` (created if needed), following the results layout.
 * A diverged learner (non-finite loss) ends `diverged`; any error ends `failed` with the
 * error recorded; neither throws.
 *
 * @param config The resolved trial config.
 * @param dir The trial folder.
 * @param options Force, meta data, progress and log callbacks.
 * @returns How the trial ended.
 *
 * @example Run a registered simulation into a temp folder
 * ```ts
 * import { registerSimulation } from "@plasticity/core";
 * import { readMetrics, runTrial } from "@plasticity/runner";
 * registerSimulation({
 *   name: "doc-count", description: "counts to 3", resolve: (p) => p,
 *   create: () => ({
 *     totalRecords: 3,
 *     run: (on) => { for (let i = 0; i < 3; i++) on({ i }); },
 *     summary: () => ({ n: 3 }),
 *   }),
 * });
 * const dir = Deno.makeTempDirSync();
 * const out = await runTrial({
 *   name: "count", kind: "simulation", simulation: { name: "doc-count", params: {} }, seed: 0,
 *   backend: "js",
 *   metrics: { every: 1, diagnostics: false, test_batch_size: 1, diverge_factor: 1000 },
 * }, dir);
 * console.assert(out.state === "done" && readMetrics(dir).length === 3);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function runTrial(
  config: TrialConfig,
  dir: string,
  options: TrialRunOptions = {},
): Promise<TrialOutcome> {
  const lock = await lockTrial(dir);
  try {
    const repaired = recoverTrial(dir);
    if (repaired.length) {
      (options.log ?? ((line: string) => console.error(line)))(
        `repaired what a killed run left: ${repaired.join("; ")}`,
      );
    }
    const prev = readStatus(dir);
    const finished = prev?.state === "done" || prev?.state === "diverged";
    if (!options.force && finished) return { state: "skipped" };
    if (!finished) {
      Deno.mkdirSync(dir, { recursive: true });
      return await runLocked(config, dir, options);
    }
    // A forced rerun keeps the finished result until the new one is complete.
    const staged = stagingDir(dir);
    const outcome = await runLocked(config, staged, options);
    if (outcome.state === "done" || outcome.state === "diverged") commitStaged(staged, dir);
    else {
      removeTrialDir(staged);
      outcome.error = `${outcome.error ?? "failed"} (the previous result is kept)`;
    }
    return outcome;
  } finally {
    lock!.release();
  }
}

/**
 * `metrics.jsonl`, appended one line at a time: the cost of a logged row does not grow with the
 * rows before it, and a kill mid-write leaves every complete line readable (readers skip a last
 * line without its newline).
 */
class MetricsLog {
  #file: Deno.FsFile;
  #pending: string[] = [];
  #closed = false;
  /** The last row logged, as text. */
  last: string | undefined;
  /** Bytes written to the file (flushed rows). */
  bytes = 0;
  /** A new file, or (with `keep`) the first `keep` bytes of the existing one, appended to. */
  constructor(path: string, keep?: number) {
    if (keep === undefined) {
      this.#file = Deno.openSync(path, { create: true, truncate: true, write: true });
      return;
    }
    Deno.truncateSync(path, keep);
    const lines = Deno.readTextFileSync(path).split("\n").filter((l) => l.length > 0);
    this.last = lines[lines.length - 1];
    this.#file = Deno.openSync(path, { write: true, append: true });
    this.bytes = keep;
  }
  push(row: unknown): void {
    this.last = JSON.stringify(row);
    this.#pending.push(this.last + "\n");
  }
  flush(): void {
    if (this.#pending.length === 0) return;
    const bytes = new TextEncoder().encode(this.#pending.join(""));
    this.#pending = [];
    let off = 0;
    while (off < bytes.length) off += this.#file.writeSync(bytes.subarray(off));
    this.bytes += bytes.length;
  }
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
  }
  /** The numbers of the last row logged. */
  lastNumbers(): Record<string, number | null> {
    return this.last ? JSON.parse(this.last) : {};
  }
}

async function runLocked(
  config: TrialConfig,
  dir: string,
  options: TrialRunOptions,
): Promise<TrialOutcome> {
  const started = new Date().toISOString();
  const t0 = performance.now();
  const statusPath = join(dir, TRIAL_FILES.status);
  const log = options.log ?? ((line: string) => console.error(line));
  // An unfinished run of this simulation trial that saved its state: continue from there.
  const resume = config.kind === "simulation" && config.checkpoint
    ? readSimCheckpoint(dir, config, log)
    : undefined;
  if (resume === undefined) removeSimCheckpoint(dir);
  else log(`resuming from its checkpoint after ${resume.records} records`);
  // Seconds of work before this run (the runs a resumed trial continues), plus this run's.
  const before = resume?.wall_s ?? 0;
  const wall = () => before + (performance.now() - t0) / 1000;
  writeJsonAtomic(statusPath, { state: "running", started });
  removeIfExists(join(dir, TRIAL_FILES.summary));
  removeIfExists(join(dir, TRIAL_FILES.meta));
  removeIfExists(join(dir, TRIAL_FILES.weights));
  writeAtomic(join(dir, TRIAL_FILES.config), configToYaml(config));
  const metrics = new MetricsLog(join(dir, TRIAL_FILES.metrics), resume?.metrics_bytes);
  let backend: Backend | undefined;
  try {
    backend = await selectEnvBackend(config.backend, { log });
    const meta: TrialMeta = {
      "git_commit": options.meta?.git_commit ?? "unknown",
      versions: options.meta?.versions ?? {},
      backend: backend.name,
      deno: Deno.version.deno,
      ...(options.meta?.workdir_git ? { "workdir_git": options.meta.workdir_git } : {}),
    };
    const writeMeta = (more: Partial<TrialMeta> = {}) =>
      writeJsonAtomic(join(dir, TRIAL_FILES.meta), { ...meta, ...more });
    writeMeta();
    const summary = config.kind === "learner"
      ? await runLearner(config, backend, metrics, options, writeMeta, dir)
      : await runSimulation(config, backend, metrics, options, dir, resume, wall);
    summary.wall_s = round3(wall());
    metrics.flush();
    metrics.close();
    removeSimCheckpoint(dir);
    writeJsonAtomic(join(dir, TRIAL_FILES.summary), summary);
    writeJsonAtomic(statusPath, { state: "done", started, finished: new Date().toISOString() });
    return { state: "done", summary, backend: backend.name };
  } catch (e) {
    const state: TrialState = e instanceof Diverged ? "diverged" : "failed";
    const error = firstLine(e);
    try {
      metrics.flush();
    } catch { /* the error below matters more */ }
    metrics.close();
    const out: TrialOutcome = { state, error };
    if (backend) out.backend = backend.name;
    if (e instanceof Diverged) {
      const summary = {
        ...metrics.lastNumbers(),
        "wall_s": round3(wall()),
      };
      writeJsonAtomic(join(dir, TRIAL_FILES.summary), summary);
      out.summary = summary;
    }
    writeJsonAtomic(statusPath, { state, error, started, finished: new Date().toISOString() });
    return out;
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Diagnostics as bioflax takes them: on each of the first n training batches of an epoch, the
 * gradient metrics on that batch before the update and the weight metrics (those the learner
 * reports without a batch) after it; each averaged over the n batches — cosines averaged, an
 * `angle_<x>` then the angle of the mean `cos_<x>`, other numbers averaged.
 */
class TrainDiagnostics {
  #sum = new Map<string, number>();
  #n = 0;
  add(before: Record<string, number>, after: Record<string, number>): void {
    for (const [k, v] of Object.entries({ ...before, ...after })) {
      if (typeof v === "number") this.#sum.set(k, (this.#sum.get(k) ?? 0) + v);
    }
    this.#n++;
  }
  means(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of this.#sum) out[k] = v / this.#n;
    for (const k of Object.keys(out)) {
      const cos = out[`cos_${k.slice("angle_".length)}`];
      if (k.startsWith("angle_") && cos !== undefined) out[k] = angleFromCos(cos);
    }
    return out;
  }
}

/** The content of `weights.json`: a learner's exported weights after an epoch. */
export interface Checkpoint {
  /** Epochs trained. */
  epoch: number;
  /** `learner.exportWeights()`. */
  weights: Record<string, WeightArray>;
}

/**
 * The weights a trial starts from (`init_from`): the `weights.json` of the other trial, found
 * beside this trial's experiment folder in the same results root.
 */
function readCheckpoint(
  from: { experiment: string; trial: string },
  dir: string,
): Record<string, WeightArray> {
  const path = join(dirname(dirname(dir)), from.experiment, from.trial, TRIAL_FILES.weights);
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    throw new Error(
      `init_from: no saved weights of trial ${from.trial} of experiment ${from.experiment} ` +
        `("${path}"): run that experiment, with a checkpoint section, first`,
    );
  }
  const c = JSON.parse(text) as Partial<Checkpoint>;
  if (!c || typeof c !== "object" || !c.weights || typeof c.weights !== "object") {
    throw new Error(`init_from: "${path}" holds no weights: expected { epoch, weights }`);
  }
  return c.weights;
}

/** Loss per sample and accuracy (classification) of the learner on a split. */
function evaluate(
  learner: Learner,
  b: Backend,
  split: Split,
  config: LearnerTrialConfig,
  classification: boolean,
): Evaluation {
  const k = classification ? config.metrics.top_k : undefined;
  return evaluateSplit(learner, split, {
    backend: b,
    loss: config.loss,
    batchSize: config.metrics.test_batch_size,
    classification,
    ...(k === undefined ? {} : { topK: k }),
  });
}

function firstBatch(split: Split, size: number, b: Backend) {
  const n = Math.min(size, split.n);
  return [
    b.fromArray(split.x.subarray(0, n * split.inputDim), n, split.inputDim),
    b.fromArray(split.y.subarray(0, n * split.targetDim), n, split.targetDim),
  ] as const;
}

const RESERVED = new Set([
  "epoch",
  "train_loss",
  "test_loss",
  "test_accuracy",
  "validation_loss",
  "validation_accuracy",
]);

async function runLearner(
  config: LearnerTrialConfig,
  b: Backend,
  metrics: MetricsLog,
  options: TrialRunOptions,
  writeMeta: (more: Partial<TrialMeta>) => void,
  dir: string,
): Promise<Record<string, number | null>> {
  const pacer = new Pacer(options);
  const { name: dsName, ...dsOptions } = config.dataset;
  // The dataset section is already validated (resolveConfig): open it without validating again.
  const data = await openDataset(dsName, dsOptions, {
    seed: config.seed,
    log: options.log ?? ((line: string) => console.error(line)),
  });
  const used = sourceId(data.provenance);
  if (config.data_source !== undefined && used !== config.data_source) {
    throw new Error(
      `data_source: the data of dataset ${dsName} found here is ${used}, expected ` +
        `${config.data_source} as recorded when the sweep was expanded`,
    );
  }
  writeMeta({ data: data.provenance });
  const sizes = config.network.sizes;
  if (sizes[0] !== data.train.inputDim) {
    throw new Error(
      `network.sizes: first size ${
        sizes[0]
      } does not match the ${data.train.inputDim} inputs of dataset ${dsName}`,
    );
  }
  // A protocol (tasks, drift) changes the data between epochs; without one, one phase.
  const values = (config.dataset.target_values as number[] | undefined) ?? [0, 1];
  const protocol = config.tasks
    ? taskProtocol(config.tasks, data, values, config.seed)
    : config.drift
    ? driftProtocol(config.drift, data, values, config.seed)
    : undefined;
  let phase: DataPhase = protocol?.(0) ??
    { train: data.train, test: data.test, tests: {}, marks: {} };
  if (sizes[sizes.length - 1] !== phase.train.targetDim) {
    throw new Error(
      `network.sizes: last size ${
        sizes[sizes.length - 1]
      } does not match the ${phase.train.targetDim} targets of ${
        config.tasks ? "tasks.head" : `dataset ${dsName}`
      }`,
    );
  }
  const { name: ruleName, ...hyper } = config.rule;
  // The trial config is already validated (resolveConfig): build without validating again.
  const learner = instantiateLearner(
    getLearner(ruleName),
    config.optimizer
      ? { network: config.network, hyper, optimizer: config.optimizer, loss: config.loss }
      : { network: config.network, hyper, loss: config.loss },
    b,
    config.seed,
  );
  try {
    if (config.init_from && "trial" in config.init_from) {
      learner.importWeights(readCheckpoint(config.init_from, dir));
    }
    const saveCheckpoint = (epoch: number) =>
      writeJsonAtomic(
        join(dir, TRIAL_FILES.weights),
        {
          epoch,
          weights: learner.exportWeights(),
        } satisfies Checkpoint,
      );
    const classification = data.task === "classification";
    const shuffleRng = createRng(deriveSeed(config.seed, "shuffle"));
    const lossSpec = config.loss;
    const perEpochOf = (train: Split) =>
      config.batches_per_epoch ?? Math.ceil(train.n / config.batch_size);
    let perEpoch = perEpochOf(phase.train);
    const everyBatches = config.metrics.every_batches;
    // With batches_per_epoch, batches come from consecutive shuffled passes over the data, a new
    // shuffle each pass, and an epoch takes the next that many of them.
    const streamOf = (train: Split) =>
      config.batches_per_epoch === undefined ? undefined : (function* () {
        for (;;) yield* batches(train, config.batch_size, b, { rng: shuffleRng });
      })();
    let stream = streamOf(phase.train);
    const epochBatches = function* (): Generator<[Tensor, Tensor]> {
      if (!stream) return yield* batches(phase.train, config.batch_size, b, { rng: shuffleRng });
      for (let i = 0; i < perEpoch; i++) yield stream.next().value!;
    };
    const total = perEpoch * config.epochs;
    // Diagnostics on the first test batch (default), or as bioflax takes them: averaged over the
    // first `diagnostics_train_batches` training batches of the epoch (see `trainDiagnostics`).
    const trainDiag = config.metrics.diagnostics
      ? config.metrics.diagnostics_train_batches
      : undefined;
    const diag = config.metrics.diagnostics && trainDiag === undefined
      ? firstBatch(phase.test, config.metrics.test_batch_size, b)
      : undefined;
    let epochDiag = new TrainDiagnostics();
    let best: number | undefined;
    let base: Record<string, number | null> | undefined;
    const checkDivergence = (row: Record<string, number | null>) => {
      base ??= row;
      const why = lossDivergence(row, base, config.metrics.diverge_factor);
      if (why) throw new Diverged(why);
    };
    // Batches so far, and the summed loss and rows of those since the last logged row.
    let steps = 0, windowSum = 0, windowRows = 0;
    const record = (epoch: number, trainLoss: number) => {
      const row: Record<string, number | null> = { epoch, "train_loss": trainLoss };
      if (everyBatches !== undefined) row.step = steps;
      Object.assign(row, phase.marks);
      const test = evaluate(learner, b, phase.test, config, classification);
      row.test_loss = test.loss;
      if (test.topK !== undefined) row[`test_top${config.metrics.top_k}_accuracy`] = test.topK;
      if (test.accuracy !== undefined) {
        row.test_accuracy = test.accuracy;
        best = Math.max(best ?? -Infinity, test.accuracy);
      }
      for (const [name, split] of Object.entries(phase.tests)) {
        const t = evaluate(learner, b, split, config, classification);
        row[`${name}_test_loss`] = t.loss;
        if (t.accuracy !== undefined) row[`${name}_test_accuracy`] = t.accuracy;
      }
      if (data.validation && data.validation.n > 0 && !protocol) {
        const v = evaluate(learner, b, data.validation, config, classification);
        row.validation_loss = v.loss;
        if (v.accuracy !== undefined) row.validation_accuracy = v.accuracy;
      }
      const d = diag ? learner.diagnostics(diag[0], diag[1]) : epochDiag.means();
      for (const [k, v] of Object.entries(d)) {
        if (typeof v !== "number") continue;
        row[RESERVED.has(k) ? `diag_${k}` : k] = Number.isFinite(v) ? v : null;
      }
      epochDiag = new TrainDiagnostics();
      metrics.push(row);
      metrics.flush();
      windowSum = windowRows = 0;
      checkDivergence(row);
    };
    options.onProgress?.({ done: 0, total, note: `epoch 0/${config.epochs}` });
    record(0, evaluate(learner, b, phase.train, config, false).loss);
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      let sum = 0, rows = 0, step = 0;
      const epochRowDue = epoch % config.metrics.every === 0 || epoch === config.epochs;
      for (const [x, y] of epochBatches()) {
        const probe = trainDiag !== undefined && epochRowDue && step < trainDiag;
        const before = probe ? learner.diagnostics(x, y) : undefined;
        const { loss } = learner.trainBatch(x, y);
        if (before) epochDiag.add(before, learner.diagnostics());
        // The batch's summed loss, so that train_loss is per sample whatever the reduction.
        const n = x.rows, summed = loss * lossDivisor(lossSpec, n, y.cols);
        b.dispose(x, y);
        step++;
        if (!Number.isFinite(loss)) {
          metrics.push({ epoch, "train_loss": null });
          throw new Diverged(`Non-finite training loss ${loss} at epoch ${epoch}, batch ${step}`);
        }
        sum += summed;
        rows += n;
        steps++;
        if (everyBatches !== undefined) {
          windowSum += summed;
          windowRows += n;
          // A row every k batches, unless the epoch's own row comes right after this batch.
          if (steps % everyBatches === 0 && !(step === perEpoch && epochRowDue)) {
            record(epoch, windowSum / windowRows);
          }
        }
        if (options.onProgress && pacer.progressDue()) {
          options.onProgress({
            done: (epoch - 1) * perEpoch + step,
            total,
            note: `epoch ${epoch}/${config.epochs}`,
          });
        }
        await pacer.tick();
      }
      learner.endEpoch?.(epoch);
      const trainLoss = sum / Math.max(rows, 1);
      if (epochRowDue) record(epoch, trainLoss);
      else checkDivergence({ epoch, "train_loss": trainLoss });
      const next = protocol?.(epoch);
      if (next && next !== phase) {
        phase = next;
        perEpoch = perEpochOf(phase.train);
        stream = streamOf(phase.train);
      }
      const every = config.checkpoint?.every ?? 0;
      if (every > 0 && epoch % every === 0 && epoch < config.epochs) saveCheckpoint(epoch);
      options.onProgress?.({
        done: epoch * perEpoch,
        total,
        note: `epoch ${epoch}/${config.epochs}`,
      });
    }
    if (diag) b.dispose(diag[0], diag[1]);
    if (config.checkpoint) saveCheckpoint(config.epochs);
    const summary: Record<string, number | null> = { ...metrics.lastNumbers() };
    delete summary.epoch;
    summary.epochs = config.epochs;
    if (best !== undefined) summary.best_test_accuracy = best;
    return summary;
  } finally {
    learner.dispose();
  }
}

async function runSimulation(
  config: SimulationTrialConfig,
  b: Backend,
  metrics: MetricsLog,
  options: TrialRunOptions,
  dir: string,
  resume: SimCheckpoint | undefined,
  wall: () => number,
): Promise<Record<string, number | null>> {
  const def = getSimulation(config.simulation.name);
  const sim = def.create(structuredClone(config.simulation.params), {
    seed: config.seed,
    backend: b,
    ...(resume ? { resume: { records: resume.records, state: resume.state } } : {}),
  });
  const total = sim.totalRecords;
  const every = config.metrics.every;
  const saveEvery = config.checkpoint ? Math.max(1, config.checkpoint.every) : 0;
  if (saveEvery > 0 && sim.checkpoint === undefined) {
    throw new Error(
      `Simulation "${def.name}" cannot save its state: remove the checkpoint section`,
    );
  }
  let i = resume?.records ?? 0;
  let lastFlush = performance.now();
  const pacer = new Pacer(options);
  options.onProgress?.({ done: i, total });
  await pacer.tick();
  sim.run((r: SimRecord) => {
    if (i % every === 0 || i === total - 1) metrics.push(r);
    i++;
    if (saveEvery > 0 && i % saveEvery === 0 && i < total) {
      metrics.flush();
      lastFlush = performance.now();
      writeSimCheckpoint(dir, {
        records: i,
        "metrics_bytes": metrics.bytes,
        "wall_s": wall(),
        state: sim.checkpoint!(),
      });
    }
    if ((i & 255) === 0) options.checkAlive?.();
    if (options.onProgress && pacer.progressDue()) options.onProgress({ done: i, total });
    const now = performance.now();
    if (now - lastFlush > 2000) {
      metrics.flush();
      lastFlush = now;
    }
  });
  options.onProgress?.({ done: total, total });
  return { ...sim.summary() };
}
