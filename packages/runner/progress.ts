/**
 * Progress display of a sweep: on a terminal, a live block with an overall bar (trials done,
 * ETA) and one bar per running trial; otherwise plain lines as trials start and end.
 *
 * @module
 */

/** How progress is shown. */
export type ProgressMode = "tty" | "plain" | "none";

interface Running {
  label: string;
  t0: number;
  done: number;
  total: number;
  note: string;
}

/**
 * Formats seconds as `1h02m`, `3m05s` or `12s`.
 *
 * @param s Seconds.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { formatDuration } from "@plasticity/runner";
 * console.assert(formatDuration(185) === "3m05s");
 * ```
 */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "?";
  const t = Math.round(s);
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = t % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m${String(sec).padStart(2, "0")}s`;
  return `${sec}s`;
}

function bar(frac: number, width: number): string {
  const f = Math.max(0, Math.min(1, frac));
  const full = Math.round(f * width);
  return "█".repeat(full) + "░".repeat(width - full);
}

/**
 * Shows the progress of a sweep of `total` trials.
 *
 * @example Plain lines into an array
 * ```ts
 * import { ProgressDisplay } from "@plasticity/runner";
 * const lines: string[] = [];
 * const p = new ProgressDisplay(2, "plain", (s) => lines.push(s));
 * p.start("a", "trial a");
 * p.end("a", "done", "loss 0.1");
 * p.close();
 * console.assert(lines.some((l) => l.includes("[1/2] done")));
 * ```
 */
export class ProgressDisplay {
  #total: number;
  #mode: ProgressMode;
  #write: (text: string) => void;
  #running = new Map<string, Running>();
  #finished = 0;
  #t0 = performance.now();
  #drawn = 0;
  #lastDraw = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * Makes a display.
   *
   * @param total Number of trials that will run.
   * @param mode `tty` (live bars), `plain` (lines) or `none`.
   * @param write Where text goes (default stderr).
   */
  constructor(total: number, mode: ProgressMode, write?: (text: string) => void) {
    this.#total = total;
    this.#mode = mode;
    const enc = new TextEncoder();
    this.#write = write ?? ((t) => {
      const bytes = enc.encode(t);
      let off = 0;
      while (off < bytes.length) off += Deno.stderr.writeSync(bytes.subarray(off));
    });
    if (mode === "tty") this.#timer = setInterval(() => this.#draw(true), 500);
  }

  /** Seconds left, from the fraction of the work done so far. */
  #eta(): number {
    let frac = this.#finished;
    for (const r of this.#running.values()) frac += r.total > 0 ? r.done / r.total : 0;
    frac /= Math.max(this.#total, 1);
    const elapsed = (performance.now() - this.#t0) / 1000;
    return frac > 0 ? elapsed * (1 - frac) / frac : NaN;
  }

  #clear(): string {
    let s = "";
    for (let i = 0; i < this.#drawn; i++) s += "\x1b[1A\x1b[2K";
    this.#drawn = 0;
    return s;
  }

  #draw(force = false): void {
    if (this.#mode !== "tty") return;
    const now = performance.now();
    if (!force && now - this.#lastDraw < 100) return;
    this.#lastDraw = now;
    const cols = (() => {
      try {
        return Deno.consoleSize().columns;
      } catch {
        return 100;
      }
    })();
    const fit = (s: string) => (s.length > cols - 1 ? s.slice(0, cols - 2) + "…" : s);
    const head = `${this.#finished}/${this.#total} trials · ETA ${formatDuration(this.#eta())}`;
    const elapsed = formatDuration((now - this.#t0) / 1000);
    const overall = bar(this.#finished / Math.max(this.#total, 1), 24);
    const lines = [fit(`${overall} ${head} · elapsed ${elapsed} · ${this.#running.size} running`)];
    for (const r of this.#running.values()) {
      const frac = r.total > 0 ? r.done / r.total : 0;
      const spent = (now - r.t0) / 1000;
      const left = frac > 0 ? formatDuration(spent * (1 - frac) / frac) : "?";
      const pct = String(Math.floor(frac * 100)).padStart(3);
      lines.push(
        fit(`  ${bar(frac, 16)} ${pct}% ETA ${left}${r.note ? ` · ${r.note}` : ""} · ${r.label}`),
      );
    }
    this.#write(this.#clear() + lines.join("\n") + "\n");
    this.#drawn = lines.length;
  }

  /** Prints a line above the live block (or as is). */
  log(line: string): void {
    if (this.#mode === "none") return;
    if (this.#mode === "tty") {
      this.#write(this.#clear() + line + "\n");
      this.#draw(true);
    } else this.#write(line + "\n");
  }

  /**
   * A trial started.
   *
   * @param id Its id.
   * @param label What to show for it.
   */
  start(id: string, label: string): void {
    this.#running.set(id, { label, t0: performance.now(), done: 0, total: 0, note: "" });
    if (this.#mode === "plain") this.#write(`start ${label}\n`);
    this.#draw(true);
  }

  /**
   * A trial made progress.
   *
   * @param id Its id.
   * @param done Units done.
   * @param total Units in all.
   * @param note A short note such as `epoch 2/5`.
   */
  update(id: string, done: number, total: number, note = ""): void {
    const r = this.#running.get(id);
    if (!r) return;
    r.done = done;
    r.total = total;
    r.note = note;
    this.#draw();
  }

  /**
   * A trial ended.
   *
   * @param id Its id.
   * @param state How it ended.
   * @param detail Final numbers or the error.
   */
  end(id: string, state: string, detail = ""): void {
    const r = this.#running.get(id);
    this.#running.delete(id);
    this.#finished++;
    const eta = this.#finished < this.#total ? ` · ETA ${formatDuration(this.#eta())}` : "";
    const line = `[${this.#finished}/${this.#total}] ${state} ${r?.label ?? id}${
      detail ? ` · ${detail}` : ""
    }${eta}`;
    this.log(line);
  }

  /** Stops redrawing and removes the live block. */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#mode === "tty") this.#write(this.#clear());
  }
}
