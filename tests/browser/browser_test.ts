// Core and a rule package run in a browser: `train_fa.ts` (core + @plasticity/feedback-alignment on
// the js backend) is bundled for the browser platform, inlined into a page and loaded in headless
// Chromium, which must train it (the loss falls) with no console error and no `Deno` global.
// Skipped, with a printed reason, where Chromium is not installed (CI installs it).
import assert from "node:assert/strict";
import { join } from "node:path";
import { haveChromium, openPage } from "../analyze/_chromium.ts";

const present = haveChromium();
if (!present) console.error("browser test skipped: no Chromium at /usr/bin/chromium");

Deno.test({
  name: "core + feedback alignment, bundled for the browser, train in headless Chromium",
  ignore: !present,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "browser_bundle_" });
    try {
      const bundle = join(dir, "bundle.js");
      const built = await new Deno.Command(Deno.execPath(), {
        args: [
          "bundle",
          "--quiet",
          "--platform",
          "browser",
          new URL("./train_fa.ts", import.meta.url).pathname,
          "-o",
          bundle,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(built.code, 0, new TextDecoder().decode(built.stderr));
      const code = await Deno.readTextFile(bundle);
      // Inline, because Chromium refuses module scripts from file:// origins.
      const html = `<!doctype html><meta charset="utf-8"><title>plasticity in a browser</title>` +
        `<script type="module">${code.replaceAll("</script", "<\\/script")}</script>`;
      await Deno.writeTextFile(join(dir, "index.html"), html);
      const visit = await openPage(
        `file://${join(dir, "index.html")}`,
        "JSON.stringify(globalThis.plasticityResult ?? null)",
        300,
        "globalThis.plasticityResult !== undefined",
      );
      const problems = visit.messages.filter((m) =>
        m.source === "exception" || ["error", "assert"].includes(m.level)
      );
      assert.deepEqual(problems, [], `console: ${JSON.stringify(visit.messages)}`);
      const result = JSON.parse(visit.value as string) as {
        first: number;
        last: number;
        hasDeno: boolean;
      };
      assert.ok(result, "the page did not run the bundle");
      assert.equal(result.hasDeno, false);
      assert.ok(result.last < 0.1 * result.first, `loss ${result.first} → ${result.last}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
