// `deno.browser.json` is `deno.json` for a browser: the same workspace, imports and compiler
// options, with the DOM libraries instead of the Deno namespace, so that `deno task check`'s
// `deno check --config deno.browser.json` of core and the rule packages finds any `Deno.*` use.
import assert from "node:assert/strict";

const read = (name: string) =>
  JSON.parse(Deno.readTextFileSync(new URL(`../../${name}`, import.meta.url)));

Deno.test("deno.browser.json mirrors deno.json but for the DOM libraries", () => {
  const main = read("deno.json"), browser = read("deno.browser.json");
  assert.deepEqual(browser.workspace, main.workspace);
  assert.deepEqual(browser.imports, main.imports);
  assert.equal(browser.nodeModulesDir, main.nodeModulesDir);
  const { lib, ...options } = browser.compilerOptions;
  assert.deepEqual(options, main.compilerOptions);
  assert.deepEqual(lib, ["dom", "dom.iterable", "esnext"]);
  assert.match(main.tasks.check, /deno check --config deno\.browser\.json packages\/core\/mod\.ts/);
});
