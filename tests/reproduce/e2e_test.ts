import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const MAIN = fileURLToPath(new URL("../../apps/reproduce/main.ts", import.meta.url));

/** BP on the 1-1-2 linear net by hand: out = w1·s·w2, ½‖y − out‖², simultaneous SGD steps. */
function bpSecondOutput(iterations: number, lr: number): number[] {
  let w1 = 1;
  const w2 = [1, 1];
  const s = 1, y = [0, 1];
  const out1: number[] = [];
  for (let k = 0; k <= iterations; k++) {
    const h = w1 * s;
    const out = [h * w2[0]!, h * w2[1]!];
    out1.push(out[1]!);
    const e = [y[0]! - out[0]!, y[1]! - out[1]!];
    const back = w2[0]! * e[0]! + w2[1]! * e[1]!;
    w2[0] = w2[0]! + lr * h * e[0]!;
    w2[1] = w2[1]! + lr * h * e[1]!;
    w1 += lr * s * back;
  }
  return out1;
}

Deno.test("end to end: pc/fig3 --panels 3a writes panels, tables and report with verdicts", async () => {
  const out = Deno.makeTempDirSync({ prefix: "reproduce-e2e-" });
  try {
    const res = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "pc/fig3", "--panels", "3a", "--out", out],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(res.stdout);
    assert.equal(res.code, 0, new TextDecoder().decode(res.stderr));
    const dir = join(out, "pc", "fig3");
    for (const f of ["3a.svg", "3a.png", "summary.md", "summary.csv", "report.html"]) {
      assert.ok(Deno.statSync(join(dir, f)).size > 0, f);
    }
    // No other panel was produced.
    assert.throws(() => Deno.statSync(join(dir, "3e.svg")));
    const png = Deno.readFileSync(join(dir, "3a.png"));
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    // Verdicts are printed, and BP's dip matches the hand-computed trajectory.
    const bpMin = Math.min(...bpSecondOutput(64, 0.2));
    assert.ok(bpMin > 0.75 && bpMin < 0.77, `hand-computed BP minimum ${bpMin}`);
    assert.match(stdout, /MET +pc\/fig3 3a: BP's second output dips below 0\.8/);
    assert.ok(stdout.includes(`minimum ${Number(bpMin.toPrecision(3))}`), stdout);
    assert.match(stdout, /MET +pc\/fig3 3a: PC's second output stays above 0\.9/);
    const csv = Deno.readTextFileSync(join(dir, "summary.csv"));
    assert.ok(csv.startsWith("panel,expected,paper,ours,verdict"));
    assert.equal(csv.split(/\r?\n/).filter((l) => l.endsWith(",met")).length, 2);
    const html = Deno.readTextFileSync(join(dir, "report.html"));
    assert.ok(html.includes('<img src="3a.svg"'));
    // --no-run analyses the finished trials again without touching them: same verdicts.
    const statuses = () =>
      [...walkFiles(join(dir, "runs"))].filter((f) => f.endsWith("status.json")).sort()
        .map((f) => Deno.readTextFileSync(f));
    const before = statuses();
    assert.ok(before.length > 0 && before.every((s) => s.includes('"done"')));
    const again = await reproduce(["pc/fig3", "--panels", "3a", "--out", out, "--no-run"]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(verdicts(stdout).length, 2);
    assert.deepEqual(verdicts(again.stdout), verdicts(stdout));
    assert.doesNotMatch(again.stdout, /UNFINISHED/);
    assert.deepEqual(statuses(), before);
  } finally {
    Deno.removeSync(out, { recursive: true });
  }
});

/** Runs the reproduce app; its exit code and output. */
async function reproduce(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const res = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: res.code, stdout: text.decode(res.stdout), stderr: text.decode(res.stderr) };
}

/** The verdict lines of the app's output. */
function verdicts(stdout: string): string[] {
  return stdout.split("\n").filter((l) => /^ +(MET|NOT MET|NOT RUN) /.test(l));
}

/** Every file under a folder. */
function* walkFiles(dir: string): Generator<string> {
  for (const e of Deno.readDirSync(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) yield* walkFiles(p);
    else yield p;
  }
}

Deno.test("--no-run on an empty output root: every verdict not run, the trials counted as missing, none run", async () => {
  const out = Deno.makeTempDirSync({ prefix: "reproduce-norun-" });
  try {
    const r = await reproduce(["pc/fig3", "--panels", "3a", "--out", out, "--no-run"]);
    assert.equal(r.code, 0, r.stderr);
    const v = verdicts(r.stdout);
    assert.ok(v.length === 2 && v.every((l) => l.includes("NOT RUN")), r.stdout);
    assert.match(
      r.stdout,
      /UNFINISHED \(--no-run\) pc\/fig3 \S+\.yaml: 0 of [1-9]\d* trials finished/,
    );
    assert.match(r.stderr, /not run \(--no-run\), 0 of/);
    const runs = join(out, "pc", "fig3", "runs");
    const trialFolders = [...walkFiles(out)].filter((f) => f.startsWith(runs));
    assert.deepEqual(trialFolders, []);
    const summary = Deno.readTextFileSync(join(out, "pc", "fig3", "summary.md"));
    assert.match(summary, /Analysed without running \(--no-run\)/);
  } finally {
    Deno.removeSync(out, { recursive: true });
  }
});

Deno.test("--no-run excludes --force and --executor: one-line error, exit code 2", async () => {
  for (const extra of [["--force"], ["--executor", "bullmq"]]) {
    const r = await reproduce(["pc/fig3", "--no-run", ...extra]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr.trim(),
      /^reproduce: Option --no-run runs nothing: it excludes --(force|executor)$/,
    );
  }
});

Deno.test("unknown figure or panel: one-line error, exit code 2", async () => {
  for (const args of [["fig9"], ["pc/fig3", "--panels", "3z"]]) {
    const res = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(res.stderr).trim();
    assert.equal(res.code, 2);
    assert.equal(err.split("\n").length, 1, err);
    assert.match(err, /Unknown (figure "fig9"|panel "3z")/);
  }
});
