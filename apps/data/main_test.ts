import assert from "node:assert/strict";
import { main } from "./main.ts";

Deno.test("data CLI: usage errors, unknown names, and a checksum mismatch exit non-zero with one line", async () => {
  const lines: string[] = [];
  const log = (l: string) => lines.push(l);
  assert.equal(await main([], log), 2);
  assert.equal(await main(["download", "yin-yang"], log), 2);
  assert.match(
    lines.at(-1)!,
    /^Unknown dataset "yin-yang": expected one of mnist, fashion-mnist, cifar10/,
  );
  assert.equal(await main(["fetch"], log), 2);
  assert.match(lines.at(-1)!, /^Unknown command "fetch"/);

  // a local mirror serving a wrong file: the real MD5 of CIFAR-10 cannot match
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("not cifar"),
  );
  const dir = await Deno.makeTempDir({ prefix: "plasticity-cli-" });
  try {
    const mirror = `http://127.0.0.1:${server.addr.port}/`;
    assert.equal(
      await main(["download", "cifar10", "--data-dir", dir, "--mirror", mirror], log),
      1,
    );
    assert.match(
      lines.at(-1)!,
      /^cifar10: Cannot download cifar-10-binary\.tar\.gz from any mirror: Checksum mismatch .* expected md5 c32a1d4ab5d03f1284b67883e8d87530/,
    );
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
