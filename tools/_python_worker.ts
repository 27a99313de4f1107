// A Python process that answers one line per request: the tools that time PyTorch beside our code
// send it a word, it runs that round and prints one number. Shared by `bp_vs_torch.ts` and
// `conv_vs_torch.ts`.

/** A running Python worker: `ask(word)` → the number it prints; `close()` ends it. */
export interface PythonWorker {
  /** Sends one line and returns the number of the next line printed. */
  ask(line: string): Promise<number>;
  /** Closes its input and waits for it to exit. */
  close(): Promise<void>;
}

/**
 * Starts `python -c code`; `code` reads requests line by line from stdin and prints one number
 * per request.
 */
export function pythonWorker(python: string, code: string): PythonWorker {
  const py = new Deno.Command(python, {
    args: ["-c", code],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = py.stdin.getWriter();
  const reader = py.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let pending = "";
  return {
    async ask(line: string): Promise<number> {
      await writer.write(new TextEncoder().encode(line + "\n"));
      while (!pending.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`${python} stopped: is python3-torch installed?`);
        pending += value;
      }
      const cut = pending.indexOf("\n"), out = pending.slice(0, cut);
      pending = pending.slice(cut + 1);
      return Number(out);
    },
    async close(): Promise<void> {
      await writer.close();
      await py.status;
    },
  };
}

/** The median of a list (the mean of the middle two for an even count). */
export function median(a: readonly number[]): number {
  const s = [...a].sort((p, q) => p - q), h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}
