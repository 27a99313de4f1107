// The web page of apps/web: built with a small MNIST subset, opened from disk in headless
// Chromium, it trains BP and FA in a Worker (WebGPU where the browser offers a hardware adapter
// and blocking readback, else the js backend, saying why) and both losses fall.
import assert from "node:assert/strict";
import { join } from "node:path";
import { haveChromium, openPage } from "../analyze/_chromium.ts";
import { buildPage } from "@plasticity/web";

const present = haveChromium();
if (!present) console.error("web page test skipped: no Chromium at /usr/bin/chromium");

Deno.test({
  name: "the web page trains BP and FA in headless Chromium and both losses fall",
  ignore: !present,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "web_page_" });
    try {
      const page = await buildPage({ out: dir, images: 640, steps: 100 });
      assert.equal(page, join(dir, "index.html"));
      const visit = await openPage(
        `file://${page}`,
        "JSON.stringify(globalThis.plasticityWeb ?? null)",
        300,
        "globalThis.plasticityWeb?.done === true",
      );
      const problems = visit.messages.filter((m) =>
        m.source === "exception" || ["error", "assert"].includes(m.level)
      );
      assert.deepEqual(problems, [], `console: ${JSON.stringify(visit.messages)}`);
      const state = JSON.parse(visit.value as string) as {
        backend: string;
        why: string;
        bp: number[];
        fa: number[];
        done: boolean;
      } | null;
      assert.ok(state?.done, "training did not finish on the page");
      console.error(`web page: trained on ${state.backend}${state.why ? ` (${state.why})` : ""}`);
      assert.ok(state.backend === "webgpu" || (state.backend === "js" && state.why.length > 0));
      assert.equal(state.bp.length, 100);
      const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
      for (const rule of ["bp", "fa"] as const) {
        const curve: number[] = state[rule];
        assert.ok(mean(curve.slice(-10)) < 0.7 * mean(curve.slice(0, 10)), `${rule}: ${curve}`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
