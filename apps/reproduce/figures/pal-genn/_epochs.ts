// What the classification figures of the PAL GeNN code (pal-genn/yin-yang, pal-genn/mnist) share:
// the per-epoch series of the `microcircuit-yin-yang` / `microcircuit-mnist` records (mean ± std
// over seeds), the values of the final records, and the band chart of a column against epochs.
import { numberOf, type Row, summarize } from "@plasticity/analysis";
import { chart, colorScale } from "../../_charts.ts";
import type { Chart, DataTable } from "../../types.ts";

/** Mean ± std over seeds of one column per epoch. */
export interface EpochSeries {
  /** Epochs of training done (x axis). */
  epoch: number[];
  /** Mean over seeds. */
  mean: number[];
  /** Sample std over seeds (0 for one seed). */
  std: number[];
  /** Most seeds seen at one epoch. */
  n: number;
}

/**
 * The per-epoch series of a column. Validation values of record `epoch` e were measured before
 * that epoch's training (after e epochs), the angle after it (after e + 1 epochs); the final
 * record (epoch = n_epochs, with the test accuracy) repeats the last angle and is left out there.
 */
export function epochSeries(rows: readonly Row[], column: string): EpochSeries {
  const angle = column.startsWith("angle");
  const nEpochs = Math.max(
    ...rows.filter((r) => numberOf(r.test_accuracy) !== undefined).map((r) =>
      numberOf(r.epoch) ?? 0
    ),
    -1,
  );
  const byE = new Map<number, number[]>();
  for (const r of rows) {
    const e = numberOf(r.epoch), v = numberOf(r[column]);
    if (e === undefined || v === undefined) continue;
    if (angle && numberOf(r.test_accuracy) !== undefined && e === nEpochs) continue;
    const x = angle ? e + 1 : e;
    (byE.get(x) ?? byE.set(x, []).get(x)!).push(v);
  }
  const xs = [...byE.keys()].sort((a, b) => a - b);
  const stats = xs.map((x) => summarize(byE.get(x)!));
  return {
    epoch: xs,
    mean: stats.map((s) => s.mean),
    std: stats.map((s) => (Number.isFinite(s.std) ? s.std : 0)),
    n: Math.max(0, ...stats.map((s) => s.n)),
  };
}

/** The values of a column in the final records (the ones with a test accuracy), one per seed. */
export function finalValues(rows: readonly Row[], column: string): number[] {
  return rows.filter((r) => numberOf(r.test_accuracy) !== undefined)
    .map((r) => numberOf(r[column]))
    .filter((v): v is number => v !== undefined);
}

/** The last mean of a series (`undefined` when empty). */
export const last = (s: EpochSeries): number | undefined => s.mean[s.mean.length - 1];

/** A model of a figure: its config file, legend label and colour. */
export interface EpochModel {
  /** The config file. */
  readonly file: string;
  /** Legend label. */
  readonly label: string;
  /** Line colour. */
  readonly color: string;
}

/**
 * A chart of one column per epoch: one line per model (mean over seeds) with a ± 1 std band.
 * `protocol` is the first subtitle line (network, configs, data).
 */
export function bandChart(
  models: readonly EpochModel[],
  protocol: string,
  panel: string,
  name: string,
  title: string,
  yTitle: string,
  column: string,
  data: Record<string, Row[]>,
  note: string,
  yDomain?: [number, number],
): Chart | undefined {
  const rows: Record<string, unknown>[] = [];
  const seeds: string[] = [];
  for (const m of models) {
    const s = epochSeries(data[m.file] ?? [], column);
    if (s.epoch.length === 0) continue;
    seeds.push(`${m.label}: ${s.n} seed${s.n === 1 ? "" : "s"}`);
    for (let i = 0; i < s.epoch.length; i++) {
      rows.push({
        epoch: s.epoch[i],
        model: m.label,
        mean: s.mean[i],
        lo: s.mean[i]! - s.std[i]!,
        hi: s.mean[i]! + s.std[i]!,
      });
    }
  }
  if (rows.length === 0) return undefined;
  const color = {
    field: "model",
    type: "nominal",
    title: "model",
    scale: colorScale(
      models.map((m) => m.label),
      Object.fromEntries(models.map((m) => [m.label, m.color])),
    ),
    legend: { symbolType: "stroke", symbolStrokeWidth: 3, symbolOpacity: 1 },
  };
  const y = {
    field: "mean",
    type: "quantitative",
    title: yTitle,
    scale: { zero: false },
  } as Record<
    string,
    unknown
  >;
  if (yDomain) y.scale = { domain: yDomain };
  return {
    panel,
    name,
    spec: chart(
      title,
      [
        protocol,
        `lines: mean over seeds (${seeds.join(", ")}), band: ± 1 sample std`,
        note,
      ],
      {
        layer: [
          {
            data: { values: rows },
            mark: { type: "area", opacity: 0.2 },
            encoding: {
              x: { field: "epoch", type: "quantitative" },
              y: { field: "lo", type: "quantitative" },
              y2: { field: "hi" },
              color,
            },
          },
          {
            data: { values: rows },
            mark: { type: "line", strokeWidth: 2 },
            encoding: {
              x: { field: "epoch", type: "quantitative", title: "epochs trained" },
              y,
              color,
            },
          },
        ],
      },
    ),
  };
}

/**
 * The table of the final records: per model, test accuracy mean ± std over seeds, validation
 * accuracy and ∠(B, Wᵀ) of the first layer.
 */
export function testTable(
  dataset: string,
  models: readonly EpochModel[],
  data: Record<string, readonly Row[]>,
): DataTable {
  const rows: Row[] = [];
  const sd = (v: number) => (Number.isFinite(v) ? v : 0);
  for (const m of models) {
    const rs = data[m.file] ?? [];
    const test = summarize(finalValues(rs, "test_accuracy"));
    if (test.n === 0) continue;
    const val = summarize(finalValues(rs, "val_accuracy"));
    const ang = summarize(finalValues(rs, "angle_B_WT_0"));
    rows.push({
      model: m.label,
      seeds: test.n,
      epochs: Math.max(...finalValues(rs, "epoch")),
      "test acc mean (%)": Number((100 * test.mean).toFixed(2)),
      "test acc std (%)": Number((100 * sd(test.std)).toFixed(2)),
      "val acc mean (%)": Number((100 * val.mean).toFixed(2)),
      "angle mean (deg)": Number(ang.mean.toFixed(2)),
      "angle std (deg)": Number(sd(ang.std).toFixed(2)),
    });
  }
  return {
    name: "test_accuracy",
    title: `${dataset}: test accuracy and ∠(B, Wᵀ) after the last epoch (mean ± std over seeds)`,
    rows,
    columns: [
      "model",
      "seeds",
      "epochs",
      "test acc mean (%)",
      "test acc std (%)",
      "val acc mean (%)",
      "angle mean (deg)",
      "angle std (deg)",
    ],
  };
}
