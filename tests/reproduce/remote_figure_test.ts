// Run from a registry the reproduce app's figure folders are URLs, not folders: their configs are
// fetched into the output folder first. Here a loopback HTTP server stands in for the registry,
// serving the figure folders of this checkout; the configs read from the fetched copy must equal
// those read in place, init_from chains (pc/fig4's drift runs start from its pretraining) included.
import assert from "node:assert/strict";
import { join } from "node:path";
import { figureDir, figureFolder, FIGURES } from "@plasticity/reproduce/registry";
import { experimentConfigs, selectPanels } from "@plasticity/reproduce";

const FIGURE_ROOT = new URL("../../apps/reproduce/figures/", import.meta.url);

Deno.test("a figure served over HTTP is fetched into the output folder and reads as in place", async () => {
  const ac = new AbortController();
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", signal: ac.signal, onListen() {} },
    async (req) => {
      const path = new URL(req.url).pathname.slice(1);
      try {
        return new Response(await Deno.readFile(new URL(path, FIGURE_ROOT)));
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
  const out = await Deno.makeTempDir({ prefix: "remote_figure_" });
  try {
    const port = (server.addr as Deno.NetAddr).port;
    for (const id of ["pc/fig4", "bioflax/mnist", "pal/fig4"]) {
      const fig = FIGURES.find((f) => f.id === id)!;
      const base = new URL(`http://127.0.0.1:${port}/${id}/`);
      const dir = await figureFolder(fig, join(out, id), base);
      assert.equal(dir, join(out, id, "figure"));
      const panels = selectPanels(fig, undefined);
      for (const mode of ["quick", "full"] as const) {
        const local = await experimentConfigs(fig, mode, panels);
        const fetched = await experimentConfigs(fig, mode, panels, dir);
        // The same configs, but for init_from, which points into the folder read from.
        const strip = (e: { raw: Record<string, unknown> }) =>
          JSON.stringify({ ...e.raw, "init_from": typeof e.raw.init_from });
        assert.deepEqual(fetched.map(strip), local.map(strip), `${id} ${mode}`);
        for (const e of fetched) {
          if (typeof e.raw.init_from === "string") {
            assert.ok(e.raw.init_from.startsWith(dir), `${id}: ${e.raw.init_from}`);
            const rel = e.raw.init_from.slice(dir.length + 1);
            assert.equal(
              Deno.readTextFileSync(e.raw.init_from),
              Deno.readTextFileSync(join(figureDir(id), rel)),
            );
          }
        }
      }
    }
    // A file the server does not have: one line naming the URL.
    const fig = {
      ...FIGURES[0]!,
      experiments: [{ ...FIGURES[0]!.experiments[0]!, file: "gone.yaml" }],
    };
    await assert.rejects(
      () => figureFolder(fig, out, new URL(`http://127.0.0.1:${port}/pc/fig3/`)),
      /^Error: Cannot fetch the figure config "http:\/\/127\.0\.0\.1:\d+\/pc\/fig3\/gone\.yaml": 404/,
    );
  } finally {
    ac.abort();
    await server.finished;
    Deno.removeSync(out, { recursive: true });
  }
});
