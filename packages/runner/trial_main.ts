/**
 * Entry point of a trial worker process, spawned by the runner's pool. It reads one JSON job
 * line on stdin ({@linkcode TrialJob}), imports the requested modules (rule and simulation
 * registrations), runs the trial with {@linkcode runTrial} and reports on stdout in lines that
 * start with {@linkcode MESSAGE_PREFIX}. When its parent goes away (stdin closes, its stdout pipe
 * breaks, or the parent process id changes) it exits at once, leaving the trial `running`, never
 * `done`.
 *
 * @module
 */
import "./registry.ts";
import { runTrial } from "./trial.ts";
import type { TrialJob } from "./pool.ts";
import { MESSAGE_PREFIX } from "./pool.ts";

const encoder = new TextEncoder();

/**
 * Reports to the parent. When the parent is gone (the pipe is broken) the process exits at
 * once: the trial stays `running` on disk, its lock is released, and a rerun redoes it.
 */
function emit(msg: unknown): void {
  const bytes = encoder.encode(MESSAGE_PREFIX + JSON.stringify(msg) + "\n");
  let off = 0;
  try {
    while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
  } catch {
    Deno.exit(3);
  }
}

/**
 * The parent process id now. `Deno.ppid` is read once at start, so on Linux the live value comes
 * from `/proc/self/stat` (the field after the state); elsewhere the start value is returned, and
 * the closed stdin and the broken stdout pipe are what tell a worker its parent is gone.
 */
function currentParent(fallback: number): number {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    return Number.isInteger(ppid) ? ppid : fallback;
  } catch {
    return fallback;
  }
}

async function main(): Promise<void> {
  const reader = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  while (!buf.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) Deno.exit(3);
    buf += value;
  }
  // Only the parent decides when to stop (it sends SIGTERM); a Ctrl-C reaches it too.
  Deno.addSignalListener("SIGINT", () => {});
  const job = JSON.parse(buf.slice(0, buf.indexOf("\n"))) as TrialJob;
  const parent = Deno.ppid;
  let lastCheck = 0;
  const checkAlive = () => {
    const now = performance.now();
    if (now - lastCheck < 20) return;
    lastCheck = now;
    if (currentParent(parent) !== parent) Deno.exit(3);
  };
  // The parent holds our stdin open for as long as it lives.
  (async () => {
    while (!(await reader.read()).done) { /* keep reading */ }
    Deno.exit(3);
  })();
  for (const m of job.imports) await import(m);
  const outcome = await runTrial(job.config, job.dir, {
    force: job.force,
    meta: job.meta,
    onProgress: (p) => emit({ type: "progress", ...p }),
    log: (line) => emit({ type: "log", line }),
    checkAlive,
  });
  emit({ type: "end", outcome });
  Deno.exit(0);
}

if (import.meta.main) {
  try {
    await main();
  } catch (e) {
    // One line for the pool to record; the stack trace only goes to a verbose run.
    console.error(`error: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`);
    if (e instanceof Error && e.stack) console.error(e.stack.split("\n").slice(1).join("\n"));
    Deno.exit(1);
  }
}
