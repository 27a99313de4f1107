// The layering of the workspace, as the root README's "Architecture" section states it: which
// package may import which, and where files and the environment may be touched. A change that
// imports against the layers, or reads a file in a layer that must not, fails here.
import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";

const ROOT = new URL("../", import.meta.url).pathname;

/** Each workspace member (folder) with the `@plasticity/*` packages its library code may import. */
const ALLOWED: Record<string, readonly string[]> = {
  "packages/core": [],
  "packages/tfjs": ["core"],
  "packages/webgpu": ["core"],
  "packages/rules/backprop": ["core"],
  "packages/rules/feedback-alignment": ["core", "backprop"],
  "packages/rules/predictive-coding": ["core"],
  "packages/rules/equilibrium-propagation": ["core", "backprop"],
  "packages/rules/corinfomax": ["core"],
  "packages/datasets": ["core"],
  "packages/microcircuit": ["core"],
  "packages/analysis": ["core"],
  "packages/runner": [
    "core",
    "tfjs",
    "webgpu",
    "datasets",
    "backprop",
    "feedback-alignment",
    "predictive-coding",
    "equilibrium-propagation",
    "corinfomax",
    "microcircuit",
    "analysis",
  ],
  "packages/cluster": ["core", "runner"],
  "apps/run": ["core", "datasets", "runner", "cluster"],
  "apps/worker": ["cluster"],
  "apps/analyze": ["core", "analysis", "runner"],
  "apps/reproduce": ["core", "datasets", "analysis", "runner", "cluster"],
  "apps/data": ["core", "datasets"],
  // The web page trains two rules in the browser, on the webgpu backend where it can.
  "apps/web": ["core", "datasets", "feedback-alignment", "webgpu"],
};

/** Members whose library code reads and writes no file and reads no environment variable. */
const NO_IO = [
  "packages/core",
  "packages/tfjs",
  "packages/webgpu",
  "packages/rules/backprop",
  "packages/rules/feedback-alignment",
  "packages/rules/predictive-coding",
  "packages/rules/equilibrium-propagation",
  "packages/rules/corinfomax",
  "packages/microcircuit",
  "packages/analysis",
];

const IO_CALL =
  /\bDeno\.(readFile|readTextFile|writeFile|writeTextFile|open|create|stat|lstat|mkdir|remove|readDir|rename|copyFile|makeTemp\w*|env|Command|cwd|chdir)\w*\b/;

/** Library source files of a member: `.ts` files that are not tests, benches or test helpers. */
function librarySources(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const e of Deno.readDirSync(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) {
        if (e.name !== "node_modules" && !e.name.startsWith(".")) visit(p);
      } else if (
        e.name.endsWith(".ts") && !/_test\.ts$|_bench\.ts$/.test(e.name) &&
        !/^_(test|fake|testing)/.test(e.name)
      ) out.push(p);
    }
  };
  visit(join(ROOT, dir));
  return out.sort();
}

/** The lines of a source file that are code: doc comments and line comments removed. */
function codeLines(text: string): [number, string][] {
  const out: [number, string][] = [];
  let inBlock = false;
  text.split("\n").forEach((line, i) => {
    let code = line;
    if (inBlock) {
      const end = code.indexOf("*/");
      if (end < 0) return;
      code = code.slice(end + 2);
      inBlock = false;
    }
    const start = code.indexOf("/*");
    if (start >= 0 && code.indexOf("*/", start) < 0) {
      inBlock = true;
      code = code.slice(0, start);
    }
    code = code.replace(/\/\*.*?\*\//g, "").replace(/^\s*\/\/.*$/, "");
    if (code.trim()) out.push([i + 1, code]);
  });
  return out;
}

Deno.test("every workspace member appears in the layer table", () => {
  const cfg = JSON.parse(Deno.readTextFileSync(join(ROOT, "deno.json"))) as { workspace: string[] };
  const members: string[] = [];
  for (const w of cfg.workspace) {
    const clean = w.replace(/^\.\//, "");
    if (clean.endsWith("/*")) {
      const base = clean.slice(0, -2);
      for (const e of Deno.readDirSync(join(ROOT, base))) {
        if (e.isDirectory) members.push(`${base}/${e.name}`);
      }
    } else members.push(clean);
  }
  assert.deepEqual(members.sort(), Object.keys(ALLOWED).sort());
});

Deno.test("packages import only the layers below them; no package or app imports an app", () => {
  const bad: string[] = [];
  for (const [dir, allowed] of Object.entries(ALLOWED)) {
    const self = JSON.parse(Deno.readTextFileSync(join(ROOT, dir, "deno.json"))).name as string;
    for (const file of librarySources(dir)) {
      for (const [n, code] of codeLines(Deno.readTextFileSync(file))) {
        for (const m of code.matchAll(/["']@plasticity\/([a-z-]+)(?:\/[^"']*)?["']/g)) {
          const target = m[1]!;
          if (`@plasticity/${target}` === self || allowed.includes(target)) continue;
          bad.push(`${relative(ROOT, file)}:${n} imports @plasticity/${target}`);
        }
        for (const m of code.matchAll(/(?:from\s+|import\s*\(?\s*)["'](\.\.?\/[^"']+)["']/g)) {
          const target = relative(join(ROOT, dir), join(dirname(file), m[1]!));
          if (target.startsWith("..")) {
            bad.push(`${relative(ROOT, file)}:${n} imports ${m[1]} outside its package`);
          }
        }
      }
    }
  }
  assert.deepEqual(bad, []);
});

Deno.test("core, the rules, microcircuit and analysis touch no file and no environment variable", () => {
  const bad: string[] = [];
  for (const dir of NO_IO) {
    for (const file of librarySources(dir)) {
      for (const [n, code] of codeLines(Deno.readTextFileSync(file))) {
        const m = code.match(IO_CALL);
        if (m) bad.push(`${relative(ROOT, file)}:${n} calls ${m[0]}`);
      }
    }
  }
  assert.deepEqual(bad, []);
});

Deno.test("library code draws no randomness from Math.random", () => {
  const bad: string[] = [];
  for (const dir of Object.keys(ALLOWED)) {
    for (const file of librarySources(dir)) {
      for (const [n, code] of codeLines(Deno.readTextFileSync(file))) {
        if (/\bMath\.random\b/.test(code)) bad.push(`${relative(ROOT, file)}:${n}`);
      }
    }
  }
  assert.deepEqual(bad, []);
});
