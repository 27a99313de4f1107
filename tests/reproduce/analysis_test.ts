import assert from "node:assert/strict";
import { FIGURES } from "@plasticity/reproduce/registry";
import type { AnalysisContext, Row } from "@plasticity/reproduce";

const PC = FIGURES.find((f) => f.id === "pc/fig3")!;
const PAL = FIGURES.find((f) => f.id === "pal/fig3")!;

function ctx(panels: string[], rows: Record<string, Row[]>): AnalysisContext {
  return {
    mode: "quick",
    panels: new Set(panels),
    note: () => "test",
    rows: (file) => Promise.resolve(rows[file] ?? []),
  };
}

/** Rows of one learner trial: test error per epoch 0…n (epoch 0 = before training). */
function trial(id: string, depth: number, lr: number, errors: number[], state = "done"): Row[] {
  return errors.map((e, epoch) => ({
    trial: id,
    state,
    "network.depth": depth,
    "optimizer.lr": lr,
    epoch,
    test_error: e,
  }));
}

Deno.test("3h: best α per depth by mean error over epochs ≥ 1; diverged counts as 0.9", async () => {
  const pc = [
    ...trial("p1", 15, 0.5, [0.9, 0.4, 0.5]), // mean 0.45 (epoch 0 is left out)
    ...trial("p2", 15, 0.05, [0.9, 0.6, 0.6]), // 0.6
    ...trial("p3", 15, 5, [0.9], "diverged"), // 0.9
  ];
  const bp = [
    ...trial("b1", 15, 0.005, [0.9, 0.5, 0.6]), // 0.55
    ...trial("b2", 15, 0.5, [0.9, 0.8, 0.8]), // 0.8
  ];
  const out = await PC.analyse(ctx(["3h"], { "3fgh_pc.yaml": pc, "3fgh_bp.yaml": bp }));
  const v = out.outcomes.find((o) => o.panel === "3h" && o.verdict !== "info")!;
  assert.equal(v.verdict, "met");
  assert.match(v.ours, /^0\.45 \(PC, α 0\.5\) vs 0\.55 \(BP, α 0\.005\)$/);
  const table = out.tables.find((t) => t.name === "3h_best_lr")!;
  assert.deepEqual(
    [table.rows[0]!["PC best α"], table.rows[0]!["BP best α"]],
    [0.5, 0.005],
  );
  // Swap the errors: PC worse than BP at L = 15 is "not met".
  const worse = await PC.analyse(
    ctx(["3h"], { "3fgh_pc.yaml": trial("p", 15, 0.5, [0.9, 0.7, 0.7]), "3fgh_bp.yaml": bp }),
  );
  assert.equal(worse.outcomes.find((o) => o.verdict !== "info")!.verdict, "not met");
  // No L = 15 runs: nothing measured.
  const none = await PC.analyse(ctx(["3h"], { "3fgh_pc.yaml": [], "3fgh_bp.yaml": [] }));
  assert.equal(none.outcomes.find((o) => o.verdict !== "info")!.verdict, "not run");
});

Deno.test("3a: verdicts from hand-made trajectories", async () => {
  const traj = (pc: number[], bp: number[]) =>
    pc.map((p, k) => ({ iteration: k, pc_out0: 0, pc_out1: p, bp_out0: 0, bp_out1: bp[k]! }));
  const ok = await PC.analyse(
    ctx(["3a"], { "3a.yaml": traj([1, 0.95, 0.93, 1], [1, 0.8, 0.76, 1]) }),
  );
  assert.deepEqual(ok.outcomes.filter((o) => o.verdict !== "info").map((o) => o.verdict), [
    "met",
    "met",
  ]);
  const bad = await PC.analyse(ctx(["3a"], { "3a.yaml": traj([1, 0.89, 1], [1, 0.85, 1]) }));
  assert.deepEqual(bad.outcomes.filter((o) => o.verdict !== "info").map((o) => o.verdict), [
    "not met",
    "not met",
  ]);
});

Deno.test("3e: PC must beat BP at every depth ≥ 10, on the mean over networks", async () => {
  const rows = (bpAt12: number) =>
    [1, 10, 12].flatMap((depth) =>
      [0, 1].map((i) => ({
        depth,
        "metrics.seed": i,
        pc_target_alignment: 0.9,
        bp_target_alignment: depth === 12 ? bpAt12 + (i ? 0.1 : -0.1) : 0.5,
      }))
    );
  const met = await PC.analyse(ctx(["3e"], { "3e.yaml": rows(0.5) }));
  assert.equal(met.outcomes[0]!.verdict, "met");
  const notMet = await PC.analyse(ctx(["3e"], { "3e.yaml": rows(0.95) }));
  assert.equal(notMet.outcomes[0]!.verdict, "not met");
});

Deno.test("PAL Fig3abc: the mean over seeds at 10 s decides, per layer", async () => {
  // Two seeds; layer 1 ends at 25° and 33° (mean 29° < 30°), layer 2 at 40° and 30° (35°).
  const rows: Row[] = [];
  for (const [seed, end] of [[1, [25, 40, 10]], [2, [33, 30, 12]]] as const) {
    for (const t of [0.01, 5, 10, 10.1]) {
      const r: Row = { trial: `s${seed}`, t, "simulation.params.model_type": "PAL" };
      for (let h = 0; h < 3; h++) {
        r[`angle_B_WT_${h}`] = t < 10 ? 90 : end[h]!;
        r[`angle_B_RHS_${h}`] = 45;
      }
      rows.push(r);
    }
  }
  const out = await PAL.analyse(
    ctx(["3a"], { "fig3abc_pal.yaml": rows, "fig3abc_bp_fa.yaml": [] }),
  );
  const v = out.outcomes.filter((o) => o.panel === "3a" && o.verdict !== "info");
  assert.deepEqual(v.map((o) => o.verdict), ["met", "not met", "met"]);
  assert.match(v[0]!.ours, /^29 ± 5\.7° at 10 s; first below 30° at 10 s$/);
});
