/**
 * Learning-rate schedules stepped once per epoch, with the semantics of PyTorch's `StepLR`,
 * `ExponentialLR` and `MultiStepLR` (each `scheduler.step()` called once at the end of an
 * epoch). With η₀ the optimiser's `lr` and e the number of completed epochs (0 during the first
 * epoch), the rate used during the next epoch is
 *
 * - `step`: η(e) = η₀·γ^⌊e / step_size⌋ (multiplied by γ every `step_size` epochs);
 * - `exponential`: η(e) = η₀·γ^e (multiplied by γ every epoch);
 * - `multistep`: η(e) = η₀·γ^|{m ∈ milestones : m ≤ e}| (multiplied by γ once the number of
 *   completed epochs reaches each milestone).
 *
 * No schedule means a constant rate η₀. The schedule scales the learning rate only: decoupled
 * weight decay p ← (1 − λ)·p − η·u keeps its λ.
 *
 * @module
 */
import { SchemaError, type SectionField, showValue } from "./hyper.ts";

/** StepLR: η₀·γ^⌊e / step_size⌋. */
export interface StepLrSchedule {
  /** Kind. */
  name: "step";
  /** Epochs between two multiplications by γ (an integer ≥ 1). */
  "step_size": number;
  /** Factor γ > 0 (default 0.1). */
  gamma?: number;
}

/** ExponentialLR: η₀·γ^e. */
export interface ExponentialLrSchedule {
  /** Kind. */
  name: "exponential";
  /** Factor γ > 0 applied after every epoch. */
  gamma: number;
}

/** MultiStepLR: η₀·γ^(number of milestones ≤ e). */
export interface MultiStepLrSchedule {
  /** Kind. */
  name: "multistep";
  /** Completed-epoch counts at which the rate is multiplied by γ (strictly increasing, ≥ 1). */
  milestones: readonly number[];
  /** Factor γ > 0 (default 0.1). */
  gamma?: number;
}

/** A learning-rate schedule: the `optimizer.schedule` section of a config. */
export type LrScheduleSpec = StepLrSchedule | ExponentialLrSchedule | MultiStepLrSchedule;

/** Schedule names. */
export const LR_SCHEDULES = ["step", "exponential", "multistep"] as const;

const GAMMA = { type: "number", above: 0, doc: "factor γ the rate is multiplied by" } as const;

/**
 * The `schedule` section inside `optimizer`, optional (absent: a constant rate, and the key stays
 * out of resolved configs). Variants by `name`: `step` (`step_size`, an integer ≥ 1, and
 * `gamma`, default 0.1 as in PyTorch), `exponential` (`gamma`, required) and `multistep`
 * (`milestones`, a list of positive integers, strictly increasing — checked by
 * {@linkcode checkLrSchedule} — and `gamma`, default 0.1).
 *
 * @example
 * ```ts
 * import { LR_SCHEDULE_SECTION, resolveHyper } from "@plasticity/core";
 * const schema = { schedule: LR_SCHEDULE_SECTION };
 * const { schedule } = resolveHyper(schema, { schedule: { name: "step", step_size: 10 } }, "optimizer");
 * console.assert(JSON.stringify(schedule) === '{"name":"step","step_size":10,"gamma":0.1}');
 * console.assert(!("schedule" in resolveHyper(schema, {}, "optimizer")));
 * ```
 */
export const LR_SCHEDULE_SECTION: SectionField = {
  type: "section",
  doc: "learning-rate schedule, stepped once per epoch (absent: constant rate)",
  optional: true,
  schema: {
    by: "name",
    variants: {
      step: {
        "step_size": {
          type: "number",
          integer: true,
          min: 1,
          doc: "multiply the rate by gamma every step_size epochs: η₀·γ^⌊e / step_size⌋",
        },
        gamma: { ...GAMMA, default: 0.1 },
      },
      exponential: {
        gamma: { ...GAMMA, doc: "multiply the rate by gamma after every epoch: η₀·γ^e" },
      },
      multistep: {
        milestones: {
          type: "numbers",
          integer: true,
          above: 0,
          minItems: 1,
          doc: "strictly increasing epoch counts at which the rate is multiplied by gamma",
        },
        gamma: { ...GAMMA, default: 0.1 },
      },
    },
  },
};

/**
 * Checks what {@linkcode LR_SCHEDULE_SECTION} cannot state: `multistep` milestones must be
 * strictly increasing. Nothing to check for other schedules or none.
 *
 * @param spec The schedule (already validated by the section), or `undefined`.
 * @param where Its key path, for messages (default `optimizer.schedule`).
 * @throws {SchemaError} Naming `<where>.milestones` when they are not strictly increasing.
 *
 * @example
 * ```ts
 * import { checkLrSchedule } from "@plasticity/core";
 * checkLrSchedule({ name: "multistep", milestones: [2, 5], gamma: 0.1 });
 * try { checkLrSchedule({ name: "multistep", milestones: [5, 2], gamma: 0.1 }); } catch (e) {
 *   console.assert((e as Error).message ===
 *     "optimizer.schedule.milestones: expected strictly increasing integers > 0, got [5,2]");
 * }
 * ```
 */
export function checkLrSchedule(
  spec: LrScheduleSpec | undefined,
  where = "optimizer.schedule",
): void {
  if (spec?.name !== "multistep") return;
  const m = spec.milestones;
  if (m.some((v, i) => i > 0 && !(v > m[i - 1]!))) {
    throw new SchemaError(
      `${where}.milestones: expected strictly increasing integers > 0, got ${showValue(m)}`,
    );
  }
}

/**
 * The learning rate after `epochsDone` completed epochs (see the module description for the
 * closed forms): η₀·γ^⌊e / step_size⌋ (`step`), η₀·γ^e (`exponential`),
 * η₀·γ^|{m ∈ milestones : m ≤ e}| (`multistep`), η₀ without a schedule.
 *
 * @param spec The schedule, or `undefined` for a constant rate.
 * @param lr0 The initial rate η₀ (the optimiser's `lr`).
 * @param epochsDone Completed epochs e, an integer ≥ 0 (0 during the first epoch).
 * @returns The rate for the next epoch.
 * @throws {RangeError} When `epochsDone` is not an integer ≥ 0.
 *
 * @example StepLR(step_size 2, γ 0.5) from η₀ = 1
 * ```ts
 * import { scheduledLr } from "@plasticity/core";
 * const s = { name: "step", step_size: 2, gamma: 0.5 } as const;
 * console.assert([0, 1, 2, 3, 4].map((e) => scheduledLr(s, 1, e)).join() === "1,1,0.5,0.5,0.25");
 * console.assert(scheduledLr(undefined, 0.1, 7) === 0.1);
 * ```
 */
export function scheduledLr(
  spec: LrScheduleSpec | undefined,
  lr0: number,
  epochsDone: number,
): number {
  if (!Number.isInteger(epochsDone) || epochsDone < 0) {
    throw new RangeError(
      `Invalid epoch count ${showValue(epochsDone)}: expected an integer ≥ 0`,
    );
  }
  if (!spec) return lr0;
  switch (spec.name) {
    case "step":
      return lr0 * Math.pow(spec.gamma ?? 0.1, Math.floor(epochsDone / spec.step_size));
    case "exponential":
      return lr0 * Math.pow(spec.gamma, epochsDone);
    case "multistep":
      return lr0 *
        Math.pow(spec.gamma ?? 0.1, spec.milestones.filter((m) => m <= epochsDone).length);
  }
}
