// A tiny headless-Chromium driver over the Chrome DevTools Protocol (plain WebSocket, no npm
// package): opens a page, waits for its load event and collects console messages, uncaught
// exceptions and browser log entries (failed loads, CSP and other errors).

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** One message the page produced. */
export interface PageMessage {
  readonly source: "console" | "exception" | "log";
  readonly level: string;
  readonly text: string;
}

/** What {@linkcode openPage} saw. */
export interface PageVisit {
  readonly messages: PageMessage[];
  /** The value of the expression evaluated after load. */
  readonly value: unknown;
}

/** True when the Chromium binary exists. */
export function haveChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

/**
 * Loads `url` in a fresh headless Chromium, waits for the load event plus `settleMs` (and, with
 * `waitFor`, until that expression is truthy, checked every 200 ms for at most `waitMs`), evaluates
 * `expression` (JSON-serialisable result) and returns it with every message seen.
 */
export async function openPage(
  url: string,
  expression: string,
  settleMs = 300,
  waitFor?: string,
  waitMs = 180_000,
): Promise<PageVisit> {
  const profile = await Deno.makeTempDir({ prefix: "analyze_chromium_" });
  const child = new Deno.Command(CHROMIUM, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--no-first-run",
      "--disable-sync",
      "--disable-component-update",
      "--disable-dev-shm-usage",
      `--user-data-dir=${profile}`,
      "--remote-debugging-port=0",
      "about:blank",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderrLines: string[] = [];
  let resolveWs!: (url: string) => void;
  const wsUrl = new Promise<string>((r) => (resolveWs = r));
  const drain = (async () => {
    const decoder = new TextDecoder();
    let buf = "";
    for await (const chunk of child.stderr) {
      buf += decoder.decode(chunk, { stream: true });
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        stderrLines.push(line);
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(line);
        if (m) resolveWs(m[1]!);
      }
    }
  })();
  let ws: WebSocket | undefined;
  const timers: ReturnType<typeof setTimeout>[] = [];
  const timeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
    Promise.race([
      p,
      new Promise<T>((_, reject) =>
        timers.push(setTimeout(() => reject(new Error(`Timed out: ${what}`)), ms))
      ),
    ]);
  try {
    const endpoint = await timeout(
      Promise.race([wsUrl, child.status.then(() => null)]),
      30_000,
      "Chromium's DevTools endpoint",
    );
    if (endpoint === null) {
      throw new Error(`Chromium exited early: ${stderrLines.slice(-5).join(" | ")}`);
    }
    ws = new WebSocket(endpoint);
    await timeout(
      new Promise((resolve, reject) => {
        ws!.onopen = resolve;
        ws!.onerror = () => reject(new Error("DevTools WebSocket failed"));
      }),
      10_000,
      "DevTools WebSocket",
    );
    let nextId = 1;
    const pending = new Map<
      number,
      { resolve: (v: unknown) => void; reject: (e: Error) => void }
    >();
    const messages: PageMessage[] = [];
    let loaded!: () => void;
    const loadFired = new Promise<void>((r) => (loaded = r));
    ws.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data));
      if (msg.id !== undefined) {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(`CDP error: ${JSON.stringify(msg.error)}`));
        else p?.resolve(msg.result);
        return;
      }
      const params = msg.params ?? {};
      if (msg.method === "Page.loadEventFired") loaded();
      else if (msg.method === "Runtime.consoleAPICalled") {
        const text = (params.args ?? []).map((a: { value?: unknown; description?: string }) =>
          a.value !== undefined ? String(a.value) : a.description ?? ""
        ).join(" ");
        messages.push({ source: "console", level: params.type, text });
      } else if (msg.method === "Runtime.exceptionThrown") {
        const d = params.exceptionDetails ?? {};
        messages.push({
          source: "exception",
          level: "error",
          text: d.exception?.description ?? d.text ?? "",
        });
      } else if (msg.method === "Log.entryAdded") {
        messages.push({
          source: "log",
          level: params.entry?.level ?? "",
          text: params.entry?.text ?? "",
        });
      }
    };
    const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws!.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
      });
    const { targetId } = await send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true }) as {
      sessionId: string;
    };
    await send("Page.enable", {}, sessionId);
    await send("Runtime.enable", {}, sessionId);
    await send("Log.enable", {}, sessionId);
    await send("Page.navigate", { url }, sessionId);
    await timeout(loadFired, 30_000, `load event of ${url}`);
    await new Promise((r) => timers.push(setTimeout(r, settleMs)));
    if (waitFor !== undefined) {
      const deadline = performance.now() + waitMs;
      for (;;) {
        const probe = await send(
          "Runtime.evaluate",
          { expression: waitFor, returnByValue: true },
          sessionId,
        ) as { result: { value: unknown } };
        if (probe.result.value || performance.now() > deadline) break;
        await new Promise((r) => timers.push(setTimeout(r, 200)));
      }
    }
    const result = await send(
      "Runtime.evaluate",
      { expression, returnByValue: true },
      sessionId,
    ) as {
      result: { value: unknown };
      exceptionDetails?: unknown;
    };
    if (result.exceptionDetails) {
      throw new Error(`Evaluation failed: ${JSON.stringify(result.exceptionDetails)}`);
    }
    await send("Browser.close").catch(() => undefined);
    return { messages, value: result.result.value };
  } finally {
    for (const t of timers) clearTimeout(t);
    if (ws && ws.readyState === WebSocket.OPEN) {
      const closed = new Promise((r) => (ws!.onclose = r));
      ws.close();
      await closed;
    }
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
    await child.status;
    await drain;
    await Deno.remove(profile, { recursive: true }).catch(() => undefined);
  }
}
