import assert from "node:assert/strict";

// A child process, so that the environment it is given touches no other test.
async function selectInChild(
  env: Record<string, string>,
  name?: string,
): Promise<{ name: string; notices: string[] }> {
  const script = `
    import { selectEnvBackend } from "${new URL("./backend_env.ts", import.meta.url).href}";
    const notices = [];
    const b = await selectEnvBackend(${JSON.stringify(name)}, { log: (l) => notices.push(l) });
    console.log(JSON.stringify({ name: b.name, notices }));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    env: { PLASTICITY_BACKEND: "", PLASTICITY_BLAS_LIB: "", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  assert.ok(out.success, dec.decode(out.stderr));
  return JSON.parse(dec.decode(out.stdout).trim().split("\n").at(-1)!);
}

Deno.test("selectEnvBackend() takes the name from PLASTICITY_BACKEND when none is given", async () => {
  assert.deepEqual(await selectInChild({ PLASTICITY_BACKEND: "js" }), { name: "js", notices: [] });
  // A given name wins over the variable.
  assert.equal((await selectInChild({ PLASTICITY_BACKEND: "blas" }, "js")).name, "js");
});

Deno.test("selectEnvBackend() opens the OpenBLAS file of PLASTICITY_BLAS_LIB and no other", async () => {
  const got = await selectInChild({ PLASTICITY_BLAS_LIB: "/nonexistent/libblas.so" }, "blas");
  assert.equal(got.notices.length, 1);
  assert.match(
    got.notices[0]!,
    /^backend blas unavailable: OpenBLAS could not be loaded \(\/nonexistent\/libblas\.so: [^;]*\); using tfjs-wasm$/,
  );
  assert.notEqual(got.name, "blas");
});
