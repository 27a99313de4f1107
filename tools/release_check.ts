// Release check: a tag, the workspace packages' versions and CHANGELOG.md must agree before
// anything is published. Prints one line per problem and exits 1, or one summary line and exits 0.
// The publish workflow (.github/workflows/publish.yml) runs it on every pushed `v*` tag; run it
// locally before tagging.
// Run: deno run -A tools/release_check.ts v0.2.0
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** A publishable workspace member: the path of its deno.json (relative to the repository root,
 * with `/` separators), its package name and its version (undefined when the file has none). */
export interface ReleaseMember {
  /** Path of the member's deno.json relative to the repository root, e.g. `packages/core/deno.json`. */
  path: string;
  /** The package name, e.g. `@plasticity/core`. */
  name: string;
  /** The `"version"` field, or undefined when it is missing or not a string. */
  version: string | undefined;
}

const TAG_FORM = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-pre\.(0|[1-9]\d*))?$/;

/**
 * The version a release tag stands for: the tag without its leading `v` when it has the form
 * `vMAJOR.MINOR.PATCH` or `vMAJOR.MINOR.PATCH-pre.N`, else undefined.
 *
 * @example
 * ```ts
 * import { tagVersion } from "./release_check.ts";
 * tagVersion("v0.2.0"); // "0.2.0"
 * tagVersion("v0.2.0-pre.1"); // "0.2.0-pre.1"
 * tagVersion("0.2.0"); // undefined
 * ```
 */
export function tagVersion(tag: string): string | undefined {
  return TAG_FORM.test(tag) ? tag.slice(1) : undefined;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Checks that a release tag, the publishable workspace members and the changelog agree, without
 * touching any file.
 *
 * - the tag has the form `vMAJOR.MINOR.PATCH`, optionally followed by `-pre.N`;
 * - every member's version equals the tag without its leading `v`;
 * - the changelog has exactly one section heading `## <version>` (optionally followed by
 *   ` — <date>`) with at least one non-empty line before the next `## ` heading.
 *
 * @param tag the release tag, e.g. `v0.2.0`
 * @param members the publishable workspace members (see {@linkcode readPublishableMembers})
 * @param changelog the text of CHANGELOG.md, or undefined when the file is missing
 * @returns one line per problem, empty when everything agrees
 */
export function checkRelease(
  tag: string,
  members: readonly ReleaseMember[],
  changelog: string | undefined,
): string[] {
  const version = tagVersion(tag);
  if (version === undefined) {
    return [
      `Tag ${
        JSON.stringify(tag)
      } is not a release tag: expected "vMAJOR.MINOR.PATCH" or "vMAJOR.MINOR.PATCH-pre.N", e.g. "v0.2.0"`,
    ];
  }
  const problems: string[] = [];
  if (members.length === 0) {
    problems.push(
      `No publishable workspace members found: expected deno.json files with a "@plasticity/" name and "exports"`,
    );
  }
  for (const m of members) {
    if (m.version === undefined) {
      problems.push(`${m.path}: no "version" field: expected "${version}"`);
    } else if (m.version !== version) {
      problems.push(
        `${m.path}: version ${JSON.stringify(m.version)} does not match tag ${
          JSON.stringify(tag)
        }: expected "${version}"`,
      );
    }
  }
  problems.push(...checkChangelog(version, changelog));
  return problems;
}

function checkChangelog(version: string, changelog: string | undefined): string[] {
  const heading = `## ${version}`;
  if (changelog === undefined) {
    return [`CHANGELOG.md: file not found: expected a section "${heading}"`];
  }
  const lines = changelog.split(/\r?\n/);
  const isHeading = new RegExp(`^## ${escapeRegExp(version)}(\\s+[—–-]\\s+.*)?\\s*$`);
  const starts: number[] = [];
  let inFence = false;
  for (const [i, line] of lines.entries()) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (!inFence && isHeading.test(line)) starts.push(i);
  }
  if (starts.length === 0) {
    return [
      `CHANGELOG.md: no section "${heading}": expected a heading "${heading}" (optionally followed by " — <date>")`,
    ];
  }
  if (starts.length > 1) {
    return [`CHANGELOG.md: section "${heading}" appears ${starts.length} times: expected one`];
  }
  for (const line of lines.slice(starts[0]! + 1)) {
    if (line.startsWith("## ")) break;
    if (line.trim() !== "") return [];
  }
  return [
    `CHANGELOG.md: section "${heading}" is empty: expected at least one non-empty line before the next "## " heading`,
  ];
}

/** Directories matching one workspace entry such as `./packages/core` or `./packages/rules/*`
 * (`*` matches within one path segment). */
function expandWorkspaceEntry(root: string, entry: string): string[] {
  let dirs = [root];
  for (const segment of entry.split("/").filter((s) => s !== "" && s !== ".")) {
    const next: string[] = [];
    for (const dir of dirs) {
      if (!segment.includes("*")) {
        const candidate = join(dir, segment);
        if (existsSync(candidate) && statSync(candidate).isDirectory()) next.push(candidate);
        continue;
      }
      const pattern = new RegExp(`^${segment.split("*").map(escapeRegExp).join("[^/]*")}$`);
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory() && !e.name.startsWith(".") && pattern.test(e.name)) {
          next.push(join(dir, e.name));
        }
      }
    }
    dirs = next.sort();
  }
  return dirs;
}

/**
 * Reads the root deno.json's `"workspace"` array, expands its globs, and returns the members
 * that JSR would publish: those whose deno.json has a `"name"` starting with `@plasticity/` and an
 * `"exports"` field.
 *
 * @param root the repository root
 */
export function readPublishableMembers(root: string): ReleaseMember[] {
  const config = JSON.parse(readFileSync(join(root, "deno.json"), "utf8")) as {
    workspace?: unknown;
  };
  const entries = Array.isArray(config.workspace) ? config.workspace : [];
  const members: ReleaseMember[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (typeof entry !== "string") continue;
    for (const dir of expandWorkspaceEntry(root, entry)) {
      const file = join(dir, "deno.json");
      if (seen.has(file) || !existsSync(file)) continue;
      seen.add(file);
      const json = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
      const name = json.name;
      if (typeof name !== "string" || !name.startsWith("@plasticity/")) continue;
      if (json.exports === undefined) continue;
      members.push({
        path: relative(root, file).split("\\").join("/"),
        name,
        version: typeof json.version === "string" ? json.version : undefined,
      });
    }
  }
  return members;
}

if (import.meta.main) {
  const tag = Deno.args[0];
  if (tag === undefined || Deno.args.length !== 1) {
    console.error("Usage: deno run -A tools/release_check.ts <tag>, e.g. v0.2.0");
    Deno.exit(2);
  }
  if (import.meta.dirname === undefined) throw new Error("Run this script from a local file");
  const root = join(import.meta.dirname, "..");
  const members = readPublishableMembers(root);
  const changelogPath = join(root, "CHANGELOG.md");
  const changelog = existsSync(changelogPath) ? readFileSync(changelogPath, "utf8") : undefined;
  const problems = checkRelease(tag, members, changelog);
  if (problems.length > 0) {
    for (const p of problems) console.error(p);
    Deno.exit(1);
  }
  console.log(
    `Release ${tag}: ${members.length} packages at ${tag.slice(1)} and CHANGELOG.md section "## ${
      tag.slice(1)
    }" agree`,
  );
}
