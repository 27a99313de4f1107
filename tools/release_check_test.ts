import assert from "node:assert/strict";
import { join } from "node:path";
import { checkRelease, type ReleaseMember, tagVersion } from "./release_check.ts";

const ROOT = join(import.meta.dirname!, "..");
const SCRIPT = join(ROOT, "tools", "release_check.ts");

function members(version: string): ReleaseMember[] {
  return [
    { path: "packages/core/deno.json", name: "@plasticity/core", version },
    { path: "packages/rules/backprop/deno.json", name: "@plasticity/backprop", version },
  ];
}

const CHANGELOG = `# Changelog

## 0.2.0 — 2025-01-31

- Something new.

## 0.1.0

- First release.
`;

async function runScript(tag: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, tag],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
}

Deno.test("checkRelease() finds no problem when tag, versions and changelog agree", () => {
  assert.deepEqual(checkRelease("v0.2.0", members("0.2.0"), CHANGELOG), []);
  assert.deepEqual(checkRelease("v0.1.0", members("0.1.0"), CHANGELOG), []);
});

Deno.test("checkRelease() rejects a tag not of the form vMAJOR.MINOR.PATCH[-pre.N]", () => {
  for (const tag of ["0.2.0", "v0.2", "v0.2.0-rc.1", "v01.2.0", "release-0.2.0", "v0.2.0-pre"]) {
    const problems = checkRelease(tag, members("0.2.0"), CHANGELOG);
    assert.equal(problems.length, 1, tag);
    assert.match(problems[0]!, /^Tag ".*" is not a release tag: expected "vMAJOR\.MINOR\.PATCH"/);
    assert.ok(problems[0]!.includes(JSON.stringify(tag)), problems[0]!);
  }
});

Deno.test("checkRelease() names the deno.json of a member whose version differs", () => {
  const ms = members("0.2.0");
  ms[1] = { ...ms[1]!, version: "0.1.0" };
  ms.push({
    path: "packages/datasets/deno.json",
    name: "@plasticity/datasets",
    version: undefined,
  });
  assert.deepEqual(checkRelease("v0.2.0", ms, CHANGELOG), [
    'packages/rules/backprop/deno.json: version "0.1.0" does not match tag "v0.2.0": expected "0.2.0"',
    'packages/datasets/deno.json: no "version" field: expected "0.2.0"',
  ]);
});

Deno.test("checkRelease() reports a missing changelog section or file", () => {
  assert.deepEqual(checkRelease("v0.3.0", members("0.3.0"), CHANGELOG), [
    'CHANGELOG.md: no section "## 0.3.0": expected a heading "## 0.3.0" (optionally followed by " — <date>")',
  ]);
  // "## 0.2.0-pre.1" is not a section for 0.2.0, nor "## 0.2.0" for 0.2.0-pre.1.
  const pre = "## 0.2.0-pre.1\n\n- x\n";
  assert.match(checkRelease("v0.2.0", members("0.2.0"), pre)[0]!, /no section "## 0\.2\.0"/);
  assert.match(
    checkRelease("v0.2.0-pre.1", members("0.2.0-pre.1"), CHANGELOG)[0]!,
    /no section "## 0\.2\.0-pre\.1"/,
  );
  // A heading inside a code block does not count.
  const fenced = "# Changelog\n\n```md\n## 0.2.0\n\n- x\n```\n";
  assert.match(checkRelease("v0.2.0", members("0.2.0"), fenced)[0]!, /no section "## 0\.2\.0"/);
  assert.deepEqual(checkRelease("v0.2.0", members("0.2.0"), undefined), [
    'CHANGELOG.md: file not found: expected a section "## 0.2.0"',
  ]);
});

Deno.test("checkRelease() reports an empty or repeated changelog section", () => {
  const empty = "# Changelog\n\n## 0.2.0\n\n   \n## 0.1.0\n\n- First release.\n";
  assert.deepEqual(checkRelease("v0.2.0", members("0.2.0"), empty), [
    'CHANGELOG.md: section "## 0.2.0" is empty: expected at least one non-empty line before the next "## " heading',
  ]);
  const last = "# Changelog\n\n## 0.2.0\n";
  assert.match(checkRelease("v0.2.0", members("0.2.0"), last)[0]!, /is empty/);
  const twice = "## 0.2.0\n\n- a\n\n## 0.2.0\n\n- b\n";
  assert.deepEqual(checkRelease("v0.2.0", members("0.2.0"), twice), [
    'CHANGELOG.md: section "## 0.2.0" appears 2 times: expected one',
  ]);
});

Deno.test("checkRelease() accepts a pre-release tag with matching versions and section", () => {
  assert.equal(tagVersion("v1.0.0-pre.3"), "1.0.0-pre.3");
  const changelog = "# Changelog\n\n## 1.0.0-pre.3 — 2025-02-01\n\n- Preview.\n";
  assert.deepEqual(checkRelease("v1.0.0-pre.3", members("1.0.0-pre.3"), changelog), []);
  assert.deepEqual(checkRelease("v1.0.0-pre.3", members("1.0.0"), changelog), [
    'packages/core/deno.json: version "1.0.0" does not match tag "v1.0.0-pre.3": expected "1.0.0-pre.3"',
    'packages/rules/backprop/deno.json: version "1.0.0" does not match tag "v1.0.0-pre.3": expected "1.0.0-pre.3"',
  ]);
});

Deno.test("the release check passes on the repository for the packages' current version", async () => {
  const core = JSON.parse(Deno.readTextFileSync(join(ROOT, "packages/core/deno.json")));
  const tag = `v${core.version}`;
  const r = await runScript(tag);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^Release ${tag}: \\d+ packages at `));
});

Deno.test("the release check fails on the repository for another version, one line per package", async () => {
  const r = await runScript("v9.9.9");
  assert.equal(r.code, 1);
  const lines = r.stderr.trimEnd().split("\n");
  const packageLines = lines.filter((l) => l.includes('does not match tag "v9.9.9"'));
  assert.ok(packageLines.some((l) => l.startsWith("packages/core/deno.json: ")), r.stderr);
  assert.equal(packageLines.length, lines.length - 1, r.stderr); // the rest: the changelog line
  assert.match(lines.at(-1)!, /^CHANGELOG\.md: no section "## 9\.9\.9"/);
});
