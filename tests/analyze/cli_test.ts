// `deno task analyze` end to end on a small fake results folder, and its argument parsing.
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseCli } from "../../apps/analyze/cli.ts";
import { learnerConfig, writeFakeTrial } from "../_fake_results.ts";
import { byClass, parseXml, pngSize } from "../../packages/analysis/_testing.ts";

const MAIN = new URL("../../apps/analyze/main.ts", import.meta.url).pathname;

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("deno task analyze writes figure SVG+PNG, table.md, table.csv and report.html", async () => {
  const root = await Deno.makeTempDir({ prefix: "analyze_cli_" });
  try {
    // Final test accuracy per rule over seeds 0, 1: bp 0.8, 0.9 (mean 0.85), fa 0.6, 0.7 (mean 0.65).
    for (const [rule, base] of [["bp", 0.8], ["fa", 0.6]] as const) {
      for (const seed of [0, 1]) {
        await writeFakeTrial(root, {
          config: learnerConfig("cli", rule, 0.05, seed),
          metrics: [0, 1, 2].map((epoch) => ({
            epoch,
            test_loss: 2 - epoch / 2,
            test_accuracy: 0.1 + (base + 0.1 * seed - 0.1) * epoch / 2,
          })),
        });
      }
    }
    const out = join(root, "report");
    // `--group rule` means the column rule.name.
    const r = await run([
      root,
      "--x",
      "epoch",
      "--y",
      "test_accuracy",
      "--group",
      "rule",
      "--out",
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const files = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    assert.deepEqual(files, [
      "line-test_accuracy.png",
      "line-test_accuracy.svg",
      "report.html",
      "table.csv",
      "table.md",
    ]);
    assert.match(r.stdout, /wrote .*table\.md/);
    const csv = (await Deno.readTextFile(join(out, "table.csv"))).trimEnd().split("\r\n").map((l) =>
      l.split(",")
    );
    assert.deepEqual(csv[0]!.slice(0, 4), [
      "rule.name",
      "final_test_accuracy_n",
      "final_test_accuracy_mean",
      "final_test_accuracy_std",
    ]);
    assert.equal(csv[1]![0], "bp");
    assert.ok(Math.abs(Number(csv[1]![2]) - 0.85) < 1e-9);
    assert.ok(Math.abs(Number(csv[1]![3]) - Math.sqrt(0.005)) < 1e-9); // (±0.05)² · 2 / 1
    assert.ok(Math.abs(Number(csv[2]![2]) - 0.65) < 1e-9);
    const md = await Deno.readTextFile(join(out, "table.md"));
    assert.match(md, /^\| rule\.name \| final_test_accuracy_n \| final_test_accuracy_mean \|/);
    assert.match(md, /\| bp \| 2 \| 0\.85 \| 0\.07071 \|/);
    const svg = parseXml(await Deno.readTextFile(join(out, "line-test_accuracy.svg")));
    assert.equal(byClass(svg, "mark-line").length, 2);
    const size = pngSize(await Deno.readFile(join(out, "line-test_accuracy.png")));
    assert.equal(size.width, 2 * Number(svg.attrs.width));
    assert.ok((await Deno.readTextFile(join(out, "report.html"))).includes("<svg "));
    // A font file that is not there: one line, exit code 1, nothing written.
    const nope = join(root, "nope.ttf");
    const bad = await run([root, "--y", "test_accuracy", "--font", nope, "--out", join(root, "x")]);
    assert.equal(bad.code, 1);
    assert.equal(
      bad.stderr.trim(),
      `error: Font file "${nope}" not found: expected a .ttf or .otf file`,
    );
    assert.ok(!isDir(join(root, "x")));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("deno task analyze fails with one-line errors: exit code 2 for usage, 1 otherwise", async () => {
  const noMetric = await run(["results"]);
  assert.equal(noMetric.code, 2);
  assert.equal(
    noMetric.stderr.trim(),
    "error: No metric given: expected --y <column>, e.g. --y test_accuracy",
  );
  const badPath = await run(["/nonexistent/results", "--y", "test_loss", "--out", "/tmp/never"]);
  assert.equal(badPath.code, 1);
  assert.match(
    badPath.stderr.trim(),
    /^error: Results path "\/nonexistent\/results" is not a folder/,
  );
  assert.equal(badPath.stderr.trim().split("\n").length, 1);
  const help = await run(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: deno task analyze/);
});

Deno.test("parseCli maps flags to analysis options", () => {
  const cmd = parseCli(
    [
      "a",
      "b",
      "--y",
      "test_loss,test_accuracy",
      "--group",
      "rule.name",
      "--group",
      "optimizer.lr",
      "--filter",
      "dataset.name=sine,mnist",
      "--state",
      "done",
      "--chart",
      "scatter",
      "--x",
      "network.depth",
      "--band",
      "sem",
      "--reduce",
      "mean",
      "--best-by",
      "network.depth",
      "--log-y",
      "--png-width",
      "900",
    ],
    (n) => (n === "PLASTICITY_RESULTS" ? "/data/results" : undefined),
  );
  assert.ok(!cmd.help);
  assert.deepEqual(cmd.results, ["a", "b"]);
  assert.equal(cmd.fonts, undefined);
  assert.deepEqual(cmd.options, {
    y: ["test_loss", "test_accuracy"],
    out: "/data/results/_analysis",
    x: "network.depth",
    group: ["rule.name", "optimizer.lr"],
    chart: "scatter",
    band: "sem",
    reduce: "mean",
    bestBy: ["network.depth"],
    where: { "dataset.name": ["sine", "mnist"] },
    states: ["done"],
    logY: true,
    pngWidth: 900,
  });
  assert.deepEqual(parseCli(["-h"]), { help: true });
  const fonts = parseCli(["r", "--y", "a", "--font", "a.ttf", "--font", "b.otf"]);
  assert.ok(!fonts.help);
  assert.deepEqual(fonts.fonts, ["a.ttf", "b.otf"]);
  assert.equal(fonts.options.out, "results/_analysis");
  assert.throws(
    () => parseCli(["r", "--y", "a", "--chart", "pie"]),
    /Option --chart "pie" is not valid: expected one of line, scatter, bar, point/,
  );
  assert.throws(
    () => parseCli(["r", "--y", "a", "--filter", "rule"]),
    /Option --filter "rule" is not valid: expected column=value/,
  );
  assert.throws(
    () => parseCli(["r", "--y", "a", "--png-width", "0"]),
    /Option --png-width "0" is not valid/,
  );
  assert.throws(() => parseCli(["r", "--bogus"]), /Unknown option '--bogus'.*; see --help/);
  assert.throws(() => parseCli(["--y", "a"]), /No results folder given/);
});
