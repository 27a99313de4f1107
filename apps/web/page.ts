/**
 * The web page: one self-contained HTML file (no server needed, it opens from disk) holding the
 * bundled training worker and an MNIST subset, with a live loss plot of BP against FA.
 *
 * @module
 */

/** What the page is built from. */
export interface PageParts {
  /** The bundled `train.ts` (an ES module without imports). */
  readonly worker: string;
  /** Pixels of `count` images, 784 bytes each. */
  readonly pixels: Uint8Array;
  /** Their labels, one byte each. */
  readonly labels: Uint8Array;
  /** Training steps per rule. */
  readonly steps: number;
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/**
 * The page's HTML. When training ends, `globalThis.plasticityWeb` holds the backend used (and why
 * not WebGPU, if not) and both loss curves, for tests and curious users.
 *
 * @param parts The worker, the data and the number of steps.
 * @returns The HTML text.
 *
 * @example
 * ```ts
 * import { pageHtml } from "./page.ts";
 * const html = pageHtml({ worker: "", pixels: new Uint8Array(784), labels: new Uint8Array(1), steps: 1 });
 * console.assert(html.startsWith("<!doctype html>") && html.includes("<canvas"));
 * ```
 */
export function pageHtml(parts: PageParts): string {
  // A data: URL, not a blob: one, so that the page also works opened from disk (file://).
  const workerUrl = `data:text/javascript;base64,${base64(new TextEncoder().encode(parts.worker))}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>plasticity: BP vs FA in the browser</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}canvas{border:1px solid #ccc}</style></head>
<body>
<h1>Backprop vs feedback alignment, trained in your browser</h1>
<p id="status">starting…</p>
<canvas id="plot" width="640" height="320"></canvas>
<p>Training loss per batch (cross-entropy, 784-64-10 ReLU, batch 32, SGD 0.05) on
${parts.labels.length} MNIST images: <span style="color:#1f77b4">BP</span> and
<span style="color:#7f7f7f">FA</span>.</p>
<script type="module">
const bytes = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const pixels = bytes("${base64(parts.pixels)}"), labels = bytes("${base64(parts.labels)}");
const state = { backend: "", why: "", bp: [], fa: [], done: false };
const status = document.getElementById("status"), plot = document.getElementById("plot");
function draw() {
  const g = plot.getContext("2d"), w = plot.width, h = plot.height, n = Math.max(2, state.bp.length);
  const top = Math.max(...state.bp, ...state.fa, 1e-9);
  g.clearRect(0, 0, w, h);
  for (const [key, color] of [["bp", "#1f77b4"], ["fa", "#7f7f7f"]]) {
    g.strokeStyle = color;
    g.beginPath();
    state[key].forEach((v, i) => {
      const px = (i / (n - 1)) * (w - 10) + 5, py = h - 5 - (v / top) * (h - 10);
      i === 0 ? g.moveTo(px, py) : g.lineTo(px, py);
    });
    g.stroke();
  }
}
const worker = new Worker("${workerUrl}", { type: "module" });
worker.onmessage = (e) => {
  const m = e.data;
  if (m.type === "backend") {
    state.backend = m.name;
    state.why = m.why;
    status.textContent = "training on " + m.name + (m.why ? " (no WebGPU: " + m.why + ")" : "");
  } else if (m.type === "loss") {
    state.bp.push(m.bp);
    state.fa.push(m.fa);
    draw();
  } else if (m.type === "done") {
    state.done = true;
    status.textContent += " — done";
    globalThis.plasticityWeb = state;
  }
};
worker.onerror = (e) => { status.textContent = "error: " + e.message; };
worker.postMessage({ pixels, labels, count: labels.length, steps: ${parts.steps} });
</script>
</body></html>
`;
}
