// `deno task analyze` results you can trust: trials from two results roots are never merged,
// unfinished trials are left out (and counted) unless asked for, output sizes are bounded, and a
// report folder appears whole or not at all.
import assert from "node:assert/strict";
import { join } from "node:path";
import { checkOutputFolder, parseCli, writeOutputFolder } from "../../apps/analyze/cli.ts";
import { type FakeTrialFiles, learnerConfig, writeFakeTrial } from "../_fake_results.ts";

const MAIN = new URL("../../apps/analyze/main.ts", import.meta.url).pathname;

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Every file under a folder, relative path → content, for before/after comparisons. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of Deno.readDirSync(d)) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) walk(join(d, e.name), r);
      else out[r] = Array.from(Deno.readFileSync(join(d, e.name))).join(",");
    }
  };
  walk(dir, "");
  return out;
}

function csvRows(text: string): string[][] {
  return text.trimEnd().split("\r\n").map((l) => l.split(","));
}

// Seed s of a tiny bp run; final test loss finals[s] at epoch 2.
function tiny(seed: number, final: number, extra: Partial<FakeTrialFiles> = {}): FakeTrialFiles {
  return {
    config: learnerConfig("tiny", "bp", 0.1, seed),
    metrics: [0, 1, 2].map((epoch) => ({ epoch, test_loss: 1 - (1 - final) * epoch / 2 })),
    ...extra,
  };
}

Deno.test("analyze A B --group meta.git_commit gives one full group per folder", async () => {
  const root = await Deno.makeTempDir({ prefix: "analyze_trust_" });
  try {
    // Folder A: seeds 0 and 1 (final losses 0.2, 0.4); folder B: a copy with another commit.
    const a = join(root, "A"), b = join(root, "B");
    for (const [seed, final] of [[0, 0.2], [1, 0.4]]) await writeFakeTrial(a, tiny(seed!, final!));
    const cp = await new Deno.Command("cp", { args: ["-r", a, b] }).output();
    assert.ok(cp.success);
    let copies = 0;
    for (const trial of Deno.readDirSync(join(b, "tiny"))) {
      const path = join(b, "tiny", trial.name, "meta.json");
      const meta = JSON.parse(await Deno.readTextFile(path));
      await Deno.writeTextFile(path, JSON.stringify({ ...meta, "git_commit": "c0ffee" }));
      copies++;
    }
    assert.equal(copies, 2);
    const out = join(root, "out");
    const r = await run([a, b, "--y", "test_loss", "--group", "meta.git_commit", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const csv = csvRows(await Deno.readTextFile(join(out, "table.csv")));
    assert.deepEqual(csv[0]!.slice(0, 3), [
      "meta.git_commit",
      "final_test_loss_n",
      "final_test_loss_mean",
    ]);
    // Both groups: n = 2, mean (0.2 + 0.4)/2 = 0.3, no blank cell.
    assert.deepEqual(csv.slice(1).map((l) => [l[0], l[1]]), [["abc123", "2"], ["c0ffee", "2"]]);
    for (const line of csv.slice(1)) {
      assert.ok(Math.abs(Number(line[2]) - 0.3) < 1e-12, line.join());
      assert.ok(line.every((cell) => cell !== ""), line.join());
    }
    // The experiment as the x of a bar chart.
    const bars = await run([
      a,
      b,
      "--y",
      "test_loss",
      "--chart",
      "bar",
      "--x",
      "experiment",
      "--group",
      "meta.git_commit",
      "--out",
      join(root, "bars"),
    ]);
    assert.equal(bars.code, 0, bars.stderr);
    const barCsv = csvRows(await Deno.readTextFile(join(root, "bars", "table.csv")));
    assert.deepEqual(barCsv.slice(1).map((l) => l.slice(0, 3)), [
      ["tiny", "abc123", "2"],
      ["tiny", "c0ffee", "2"],
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("analyze leaves unfinished trials out, says so on stderr and in the report", async () => {
  const root = await Deno.makeTempDir({ prefix: "analyze_trust_" });
  try {
    await writeFakeTrial(root, tiny(0, 0.2));
    await writeFakeTrial(root, tiny(1, 0.4));
    await writeFakeTrial(root, tiny(2, 0.9, { state: "running" }));
    await writeFakeTrial(root, tiny(3, 0.8, { state: "running" }));
    await writeFakeTrial(root, tiny(4, 0.7, { state: "failed", error: "out of memory" }));
    const out = join(root, "out");
    const r = await run([root, "--y", "test_loss", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    const line =
      "Left out 3 unfinished trials (running 2, failed 1): only done and diverged trials count; use --include-unfinished to keep them";
    assert.equal(r.stderr, `${line}\n`);
    const csv = csvRows(await Deno.readTextFile(join(out, "table.csv")));
    assert.equal(csv[1]![0], "2");
    assert.ok(Math.abs(Number(csv[1]![1]) - 0.3) < 1e-12);
    assert.ok((await Deno.readTextFile(join(out, "table.md"))).includes(line));
    assert.ok((await Deno.readTextFile(join(out, "report.html"))).includes(line));
    // --include-unfinished: all five count, mean (0.2 + 0.4 + 0.9 + 0.8 + 0.7)/5 = 0.6.
    const all = await run([root, "--y", "test_loss", "--include-unfinished", "--out", out]);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stderr, "");
    const allCsv = csvRows(await Deno.readTextFile(join(out, "table.csv")));
    assert.equal(allCsv[1]![0], "5");
    assert.ok(Math.abs(Number(allCsv[1]![1]) - 0.6) < 1e-12);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("size flags are bounded: one-line error, exit code 2, nothing written", async () => {
  const root = await Deno.makeTempDir({ prefix: "analyze_trust_" });
  try {
    await writeFakeTrial(root, tiny(0, 0.2));
    const out = join(root, "out");
    for (
      const [flag, value, expected] of [
        ["--png-width", "8193", "a whole number from 1 to 8192"],
        ["--png-height", "100000", "a whole number from 1 to 8192"],
        ["--png-width", "1e9", "a whole number from 1 to 8192"],
        ["--digits", "101", "a whole number from 1 to 17"],
      ]
    ) {
      const r = await run([root, "--y", "test_loss", flag!, value!, "--out", out]);
      assert.equal(r.code, 2, `${flag} ${value}: ${r.stderr}`);
      assert.equal(
        r.stderr,
        `error: Option ${flag} "${value}" is not valid: expected ${expected}\n`,
      );
      assert.ok(!exists(out));
    }
    const both = await run([
      root,
      "--y",
      "test_loss",
      "--png-width",
      "800",
      "--png-height",
      "600",
      "--out",
      out,
    ]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /^error: Options --png-width and --png-height are both given/);
    // A height in bounds whose aspect ratio makes the width too large fails when drawing.
    const implied = await run([root, "--y", "test_loss", "--png-height", "8192", "--out", out]);
    assert.equal(implied.code, 1);
    assert.match(
      implied.stderr,
      /^error: PNG of \d+ × 8192 pixels is too large: expected at most 8192 pixels a side/,
    );
    assert.ok(!exists(out));
    // The largest width allowed works.
    const ok = await run([root, "--y", "test_loss", "--png-width", "8192", "--out", out]);
    assert.equal(ok.code, 0, ok.stderr);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  assert.deepEqual(parseCli(["r", "--y", "a", "--png-height", "600", "--include-unfinished"]), {
    help: false,
    results: ["r"],
    options: { y: ["a"], out: "results/_analysis", includeUnfinished: true, pngHeight: 600 },
  });
});

Deno.test("a failure while writing the report leaves the output folder absent or unchanged", async () => {
  const root = await Deno.makeTempDir({ prefix: "analyze_trust_" });
  try {
    const files = new Map<string, string | Uint8Array>([
      ["table.md", "| a |\n"],
      ["table.csv", "a\r\n"],
      ["line-a.svg", "<svg/>"],
      ["line-a.png", new Uint8Array([1, 2, 3])],
      ["report.html", "<html></html>"],
    ]);
    // Fails on the third file, after two were written.
    const failing = () => {
      let n = 0;
      return async (path: string, data: string | Uint8Array) => {
        if (++n === 3) throw new Error("No space left on device");
        if (typeof data === "string") await Deno.writeTextFile(path, data);
        else await Deno.writeFile(path, data);
      };
    };
    const fresh = join(root, "fresh");
    await assert.rejects(
      () => writeOutputFolder(fresh, files, { writeFile: failing() }),
      /No space left on device/,
    );
    assert.deepEqual([...Deno.readDirSync(root)], []); // no output folder, no partial folder
    // An earlier report stays as it was.
    const earlier = join(root, "earlier");
    await writeOutputFolder(earlier, new Map([["table.md", "old\n"], ["bar-b.svg", "<svg/>"]]));
    const before = snapshot(earlier);
    await assert.rejects(
      () => writeOutputFolder(earlier, files, { writeFile: failing() }),
      /No space left on device/,
    );
    assert.deepEqual(snapshot(earlier), before);
    assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name), ["earlier"]);
    // Without a failure the earlier report is replaced whole (its stale bar-b.svg is gone).
    const written = await writeOutputFolder(earlier, files);
    assert.deepEqual(written, [...files.keys()].map((f) => join(earlier, f)));
    assert.deepEqual(Object.keys(snapshot(earlier)).sort(), [...files.keys()].sort());
    assert.equal(await Deno.readTextFile(join(earlier, "table.md")), "| a |\n");
    assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name), ["earlier"]);
    // A folder holding anything analyze did not write is never replaced.
    const mine = join(root, "mine");
    await Deno.mkdir(mine);
    await Deno.writeTextFile(join(mine, "notes.txt"), "keep me");
    await assert.rejects(
      () => writeOutputFolder(mine, files),
      /^Error: Output folder ".*mine" holds "notes.txt", which analyze did not write: expected a new or empty folder/,
    );
    assert.deepEqual(snapshot(mine), { "notes.txt": snapshot(mine)["notes.txt"] });
    assert.ok(checkOutputFolder(earlier) && !checkOutputFolder(join(root, "none")));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a figure that fails to render leaves an earlier report unchanged", async () => {
  const root = await Deno.makeTempDir({ prefix: "analyze_trust_" });
  try {
    await writeFakeTrial(root, tiny(0, 0.2));
    await writeFakeTrial(root, {
      config: learnerConfig("tiny", "bp", 0.1, 1),
      metrics: [0, 1].map((epoch) => ({ epoch, test_loss: 0.5, shift: -1 - epoch })),
    });
    const out = join(root, "out");
    const first = await run([root, "--y", "test_loss", "--out", out]);
    assert.equal(first.code, 0, first.stderr);
    const before = snapshot(out);
    // test_loss draws; `shift` (never positive) cannot on a log axis: the second figure fails.
    const bad = await run([root, "--y", "test_loss,shift", "--log-y", "--out", out]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: Cannot draw "shift" against "epoch"/);
    assert.equal(bad.stderr.trim().split("\n").length, 1);
    assert.deepEqual(snapshot(out), before);
    assert.deepEqual(
      [...Deno.readDirSync(root)].map((e) => e.name).filter((n) => n.startsWith(".")),
      [],
    );
    // A folder holding other files is refused before any work, with exit code 1.
    await Deno.writeTextFile(join(out, "notes.txt"), "mine");
    const refused = await run([root, "--y", "test_loss", "--out", out]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error: Output folder ".*" holds "notes.txt"/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
