import assert from "node:assert/strict";
import { figureDir, FIGURES, listFigures, selectFigures } from "@plasticity/reproduce/registry";
import { parseCli } from "@plasticity/reproduce/cli";

Deno.test("the registry lists pc/fig3, pc/fig4 and pal/fig3 with their panels", () => {
  // The first five, in listing order (later papers append theirs).
  assert.deepEqual(FIGURES.map((f) => f.id).slice(0, 5), [
    "pc/fig3",
    "pc/fig4",
    "pal/fig3",
    "pal/fig4",
    "pal-genn/yin-yang",
  ]);
  const pc = FIGURES[0]!;
  assert.deepEqual(pc.panels.map((p) => p.id), ["3a", "3d", "3e", "3f", "3g", "3h"]);
  const text = listFigures();
  for (const id of ["pc/fig3", "pal/fig3", "3fgh_pc.yaml", "fig3def_pal.yaml"]) {
    assert.ok(text.includes(id), `listing lacks ${id}`);
  }
});

Deno.test("every figure folder holds its configs and a README with the exact command", () => {
  for (const f of FIGURES) {
    const dir = figureDir(f.id);
    const readme = Deno.readTextFileSync(`${dir}/README.md`);
    assert.ok(readme.includes(`deno task reproduce ${f.id}`), `${f.id} README lacks the command`);
    for (const p of f.panels) {
      assert.ok(readme.includes(p.id), `${f.id} README lacks panel ${p.id}`);
    }
    for (const e of f.experiments) {
      assert.ok(Deno.statSync(`${dir}/${e.file}`).isFile, `${f.id}: missing ${e.file}`);
      assert.ok(e.panels.every((p) => f.panels.some((q) => q.id === p)), `${e.file} panels`);
    }
  }
});

Deno.test("selectors: a figure name selects both papers, a paper its figures, ids one", () => {
  assert.deepEqual(selectFigures(["fig3"]).map((f) => f.id), ["pc/fig3", "pal/fig3"]);
  assert.deepEqual(selectFigures(["pc/fig3"]).map((f) => f.id), ["pc/fig3"]);
  assert.deepEqual(selectFigures(["pal", "fig3"]).map((f) => f.id), [
    "pal/fig3",
    "pal/fig4",
    "pc/fig3",
  ]);
  assert.deepEqual(selectFigures(["fig4"]).map((f) => f.id), ["pc/fig4", "pal/fig4"]);
  assert.deepEqual(selectFigures(["pal-genn"]).map((f) => f.id), [
    "pal-genn/yin-yang",
    "pal-genn/mnist",
  ]);
  assert.deepEqual(selectFigures(["bioflax"]).map((f) => f.id), [
    "bioflax/mnist",
    "bioflax/teacher-student",
    "bioflax/sine",
  ]);
  assert.throws(() => selectFigures(["fig9"]), /Unknown figure "fig9": expected one of pc\/fig3/);
});

Deno.test("command line: quick by default, --full, panels, bad options", () => {
  assert.equal(parseCli(["fig3"]).mode, "quick");
  assert.equal(parseCli(["fig3", "--full"]).mode, "full");
  assert.deepEqual(parseCli(["pc/fig3", "--panels", "3a, 3e"]).panels, ["3a", "3e"]);
  assert.equal(parseCli(["--list"]).list, true);
  assert.throws(() => parseCli(["fig3", "--quick", "--full"]), /exclude each other/);
  assert.throws(() => parseCli(["fig3", "--jobs", "0"]), /Invalid --jobs "0"/);
  assert.throws(() => parseCli(["fig3", "--bogus"]), /bogus/);
});
