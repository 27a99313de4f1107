// Every workspace member's README starts with an example: a library package's with a ```ts block
// (which `deno test --doc` runs), an app's with its command lines (```sh), before the first `##`
// section — what a user sees first on JSR or in the repository.
import assert from "node:assert/strict";
import { join } from "node:path";

const ROOT = new URL("../", import.meta.url).pathname;

/** The workspace members, globs expanded. */
function members(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(join(ROOT, "deno.json"))) as {
    workspace: string[];
  };
  const out: string[] = [];
  for (const w of config.workspace) {
    const path = w.replace(/^\.\//, "");
    if (path.endsWith("/*")) {
      const dir = path.slice(0, -2);
      for (const e of Deno.readDirSync(join(ROOT, dir))) {
        if (e.isDirectory) out.push(`${dir}/${e.name}`);
      }
    } else out.push(path);
  }
  return out.sort();
}

/** The text of a README before its first `## ` heading. */
function opening(text: string): string {
  const i = text.search(/^## /m);
  return i < 0 ? text : text.slice(0, i);
}

Deno.test("every package's README opens with a runnable example, every app's with its commands", () => {
  const problems: string[] = [];
  for (const m of members()) {
    let text: string;
    try {
      text = Deno.readTextFileSync(join(ROOT, m, "README.md"));
    } catch {
      problems.push(`${m}: no README.md`);
      continue;
    }
    const head = opening(text);
    const want = m.startsWith("apps/") ? /^```(sh|ts)$/m : /^```ts$/m;
    if (!want.test(head)) {
      problems.push(
        `${m}/README.md: no ${
          m.startsWith("apps/") ? "```sh" : "```ts"
        } block before the first section`,
      );
    }
  }
  assert.deepEqual(problems, []);
});
