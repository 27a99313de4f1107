/**
 * Rows: the flat table every analysis works on. A row is a plain record of scalar cells, one per
 * column; columns of a trial's resolved config are dotted paths (`rule.name`, `optimizer.lr`).
 * This file filters rows, groups them by any columns and formats cells.
 *
 * @module
 */

/** One table cell. Arrays in a config are stored as their JSON text, e.g. `"[784,64,10]"`. */
export type Cell = string | number | boolean | null;

/** One table row: column name → cell. A missing column reads as `null`. */
export type Row = Record<string, Cell>;

/** How {@linkcode filterRows} matches one column: a value, any of several values, or a test. */
export type CellMatch = Cell | readonly Cell[] | ((cell: Cell) => boolean);

/** A filter: a predicate over whole rows, or column → {@linkcode CellMatch} (all must match). */
export type Where = ((row: Row) => boolean) | Record<string, CellMatch>;

/** Rows that share the same values in the grouping columns. */
export interface Group {
  /** The grouping columns and their shared values. */
  readonly key: Row;
  /** The key as text, e.g. `"bp, 0.01"`; `"all"` when there are no grouping columns. */
  readonly label: string;
  /** The rows of the group, in input order. */
  readonly rows: Row[];
}

/**
 * Flattens a nested object into dotted columns. Objects recurse; arrays become their JSON text;
 * `undefined` is skipped.
 *
 * @param value The object, e.g. a parsed `config.yaml`.
 * @param prefix A prefix for every column (no trailing dot).
 * @returns The flat row.
 *
 * @example
 * ```ts
 * import { flatten } from "@plasticity/analysis";
 * const row = flatten({ rule: { name: "fa" }, network: { sizes: [1, 8, 1] }, seed: 0 });
 * console.assert(row["rule.name"] === "fa" && row["network.sizes"] === "[1,8,1]" && row.seed === 0);
 * ```
 */
export function flatten(value: Record<string, unknown>, prefix = ""): Row {
  const out: Row = {};
  const walk = (v: unknown, path: string): void => {
    if (v === undefined) return;
    if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
      out[path] = v;
    } else if (Array.isArray(v)) {
      out[path] = JSON.stringify(v);
    } else if (typeof v === "object") {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length === 0 && path !== "") out[path] = "{}";
      for (const [k, child] of entries) walk(child, path === "" ? k : `${path}.${k}`);
    } else {
      out[path] = String(v);
    }
  };
  walk(value, prefix);
  return out;
}

/**
 * Reads a cell as a finite number, or `undefined` when it is missing, `null`, non-numeric or not
 * finite. Numeric text (e.g. `"0.5"`) counts as a number.
 *
 * @param cell The cell.
 * @returns The number, or `undefined`.
 *
 * @example
 * ```ts
 * import { numberOf } from "@plasticity/analysis";
 * console.assert(numberOf(2) === 2 && numberOf("0.5") === 0.5 && numberOf(null) === undefined);
 * ```
 */
export function numberOf(cell: Cell | undefined): number | undefined {
  if (typeof cell === "number") return Number.isFinite(cell) ? cell : undefined;
  if (typeof cell === "string" && cell.trim() !== "") {
    const n = Number(cell);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * Formats a cell as text. Numbers get `digits` significant digits when given (trailing zeros
 * dropped); `null` and `NaN` become the empty string.
 *
 * @param cell The cell.
 * @param digits Significant digits for numbers; all digits when left out.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { formatCell } from "@plasticity/analysis";
 * console.assert(formatCell(0.123456, 3) === "0.123" && formatCell(null) === "" && formatCell("bp") === "bp");
 * ```
 */
export function formatCell(cell: Cell | undefined, digits?: number): string {
  if (cell === null || cell === undefined) return "";
  if (typeof cell === "number") {
    if (Number.isNaN(cell)) return "";
    if (!Number.isFinite(cell)) return cell > 0 ? "inf" : "-inf";
    if (digits === undefined || Number.isInteger(cell) && Math.abs(cell) < 1e15) {
      return String(cell);
    }
    const s = cell.toPrecision(digits);
    if (s.includes("e")) {
      const [m, e] = s.split("e") as [string, string];
      return `${trimZeros(m)}e${e}`;
    }
    return trimZeros(s);
  }
  return String(cell);
}

function trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/**
 * Orders two cells: numbers numerically, then booleans, then text, with `null` last.
 *
 * @param a The first cell.
 * @param b The second cell.
 * @returns Negative, zero or positive, as for `Array.prototype.sort`.
 *
 * @example
 * ```ts
 * import { compareCells } from "@plasticity/analysis";
 * console.assert([10, 2, null, 1].sort(compareCells).join() === "1,2,10,");
 * ```
 */
export function compareCells(a: Cell | undefined, b: Cell | undefined): number {
  const rank = (c: Cell | undefined): number =>
    c === null || c === undefined ? 3 : typeof c === "number" ? 0 : typeof c === "boolean" ? 1 : 2;
  const ra = rank(a), rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === "number" && typeof b === "number") {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  return 0;
}

function cellEquals(a: Cell, b: Cell): boolean {
  if (a === b) return true;
  const na = numberOf(a), nb = numberOf(b);
  if (na !== undefined && nb !== undefined) return na === nb;
  return a !== null && b !== null && String(a) === String(b);
}

/**
 * Keeps the rows that match. With a record, every named column must match: a value matches equal
 * cells (numbers and numeric text compare as numbers, so `"0.01"` matches `0.01`), an array matches
 * any of its values, a function is called with the cell.
 *
 * @param rows The rows.
 * @param where The filter.
 * @returns The matching rows, in order.
 *
 * @example
 * ```ts
 * import { filterRows } from "@plasticity/analysis";
 * const rows = [{ rule: "bp", lr: 0.1 }, { rule: "fa", lr: 0.1 }, { rule: "pc", lr: 0.01 }];
 * console.assert(filterRows(rows, { rule: ["bp", "fa"], lr: "0.1" }).length === 2);
 * console.assert(filterRows(rows, (r) => r.rule === "pc").length === 1);
 * ```
 */
export function filterRows(rows: readonly Row[], where: Where): Row[] {
  if (typeof where === "function") return rows.filter(where);
  const tests = Object.entries(where).map(([col, m]): [string, (c: Cell) => boolean] => {
    if (typeof m === "function") return [col, m];
    if (Array.isArray(m)) {
      const values = m as readonly Cell[];
      return [col, (c) => values.some((v) => cellEquals(c, v))];
    }
    return [col, (c) => cellEquals(c, m as Cell)];
  });
  return rows.filter((r) => tests.every(([col, t]) => t(r[col] ?? null)));
}

/**
 * Groups rows by the values of some columns. Groups are sorted by their key values (see
 * {@linkcode compareCells}); rows keep their input order inside a group.
 *
 * @param rows The rows.
 * @param by The grouping columns; none gives one group labelled `"all"`.
 * @returns The groups.
 *
 * @example
 * ```ts
 * import { groupRows } from "@plasticity/analysis";
 * const groups = groupRows([{ r: "fa", s: 0 }, { r: "bp", s: 0 }, { r: "fa", s: 1 }], ["r"]);
 * console.assert(groups.length === 2 && groups[0]!.label === "bp" && groups[1]!.rows.length === 2);
 * ```
 */
export function groupRows(rows: readonly Row[], by: readonly string[]): Group[] {
  const map = new Map<string, { key: Row; rows: Row[] }>();
  for (const row of rows) {
    const key: Row = {};
    for (const col of by) key[col] = row[col] ?? null;
    const id = JSON.stringify(by.map((c) => key[c]));
    let g = map.get(id);
    if (!g) {
      g = { key, rows: [] };
      map.set(id, g);
    }
    g.rows.push(row);
  }
  const groups = [...map.values()].map((g) => ({ ...g, label: groupLabel(g.key, by) }));
  groups.sort((a, b) => {
    for (const col of by) {
      const c = compareCells(a.key[col], b.key[col]);
      if (c !== 0) return c;
    }
    return 0;
  });
  return groups;
}

/**
 * The text label of a group key: its values joined by `", "`, or `"all"` for no columns.
 *
 * @param key The key row.
 * @param by The grouping columns, in order.
 * @returns The label.
 *
 * @example
 * ```ts
 * import { groupLabel } from "@plasticity/analysis";
 * console.assert(groupLabel({ r: "bp", lr: 0.01 }, ["r", "lr"]) === "bp, 0.01");
 * ```
 */
export function groupLabel(key: Row, by: readonly string[]): string {
  return by.length === 0 ? "all" : by.map((c) => formatCell(key[c] ?? null) || "(none)").join(", ");
}

/**
 * All column names that occur in any row, in order of first appearance.
 *
 * @param rows The rows.
 * @returns The column names.
 *
 * @example
 * ```ts
 * import { columnsOf } from "@plasticity/analysis";
 * console.assert(columnsOf([{ a: 1 }, { b: 2, a: 3 }]).join() === "a,b");
 * ```
 */
export function columnsOf(rows: readonly Row[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

/**
 * The distinct values of one column, sorted (see {@linkcode compareCells}).
 *
 * @param rows The rows.
 * @param column The column.
 * @returns The distinct values; a missing column gives `[null]`.
 *
 * @example
 * ```ts
 * import { distinct } from "@plasticity/analysis";
 * console.assert(distinct([{ a: 2 }, { a: 1 }, { a: 2 }], "a").join() === "1,2");
 * ```
 */
export function distinct(rows: readonly Row[], column: string): Cell[] {
  const seen = new Map<string, Cell>();
  for (const r of rows) {
    const c = r[column] ?? null;
    seen.set(JSON.stringify(c), c);
  }
  return [...seen.values()].sort(compareCells);
}
