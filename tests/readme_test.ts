// The library snippet of the root README runs as written and trains: its code block is written to
// a temporary file and run against the workspace's deno.json, as the README tells a new user to.
import assert from "node:assert/strict";
import { join } from "node:path";

const ROOT = new URL("../", import.meta.url).pathname;

Deno.test("the README's library snippet trains feedback alignment on MNIST to about 90 %", async () => {
  const readme = Deno.readTextFileSync(join(ROOT, "README.md"));
  const section = readme.slice(readme.indexOf("## Use as a library"));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(code, "no ts block under 'Use as a library'");
  const dir = await Deno.makeTempDir({ prefix: "readme_snippet_" });
  try {
    const file = join(dir, "try.ts");
    await Deno.writeTextFile(file, code);
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", join(ROOT, "deno.json"), file],
      env: { OPENBLAS_NUM_THREADS: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(r.stdout);
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    assert.match(out, /^epoch 3: training loss /m);
    const accuracy = Number(/test accuracy ([\d.]+) %/.exec(out)?.[1]);
    assert.ok(accuracy > 85, out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
