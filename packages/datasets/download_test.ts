import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { downloadDataset, downloadSpec, extractTar } from "./download.ts";
import { loadDataset } from "./load.ts";
import { DatasetError } from "./errors.ts";
import { cifarFile, gzip, tarFile } from "./_test_files.ts";

const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex");

/** Serves `files` on 127.0.0.1 under /a/ and /b/; paths under /missing/ answer 404. */
async function withServer(
  files: Record<string, Uint8Array>,
  fn: (base: string, requests: string[]) => Promise<void>,
): Promise<void> {
  const requests: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    requests.push(path);
    const name = path.replace(/^\/(a|b)\//, "");
    const body = path.startsWith("/missing/") ? undefined : files[name];
    return body ? new Response(body as BodyInit) : new Response("not found", { status: 404 });
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, requests);
  } finally {
    await server.shutdown();
  }
}

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "plasticity-dl-" });
}

Deno.test("download verifies checksums, falls back across mirrors and skips verified files", async () => {
  const one = new Uint8Array(5000).map((_, i) => i % 251), two = new TextEncoder().encode("labels");
  await withServer({ "one.gz": one, "two.gz": two }, async (base, requests) => {
    const data = await tempDir();
    try {
      const spec = {
        mirrors: [`${base}/missing/`, `${base}/a/`],
        files: [{ name: "one.gz", md5: md5(one) }, { name: "two.gz", md5: md5(two) }],
        dir: "set",
      };
      const lines: string[] = [];
      const dir = await downloadSpec(spec, { dataDir: data, log: (l) => lines.push(l) });
      assert.equal(dir, join(data, "set"));
      assert.deepEqual(await Deno.readFile(join(dir, "one.gz")), one);
      assert.deepEqual(await Deno.readFile(join(dir, "two.gz")), two);
      assert.deepEqual(requests, ["/missing/one.gz", "/a/one.gz", "/missing/two.gz", "/a/two.gz"]);
      assert.ok(lines.some((l) => l.includes("HTTP 404")));
      // second run: nothing fetched
      await downloadSpec(spec, { dataDir: data, log: () => {} });
      assert.equal(requests.length, 4);
    } finally {
      await Deno.remove(data, { recursive: true });
    }
  });
});

Deno.test("download with a checksum mismatch fails with a clear error and leaves no file", async () => {
  const one = new TextEncoder().encode("tampered");
  await withServer({ "one.gz": one }, async (base) => {
    const data = await tempDir();
    try {
      const spec = {
        mirrors: [`${base}/a/`],
        files: [{ name: "one.gz", md5: "0123456789abcdef0123456789abcdef" }],
        dir: "set",
      };
      await assert.rejects(downloadSpec(spec, { dataDir: data, log: () => {} }), {
        message:
          `Cannot download one.gz from any mirror: Checksum mismatch for "${base}/a/one.gz": expected md5 0123456789abcdef0123456789abcdef, got ${
            md5(one)
          }`,
      });
      assert.deepEqual([...Deno.readDirSync(join(data, "set"))], []);
    } finally {
      await Deno.remove(data, { recursive: true });
    }
  });
});

Deno.test("download of a CIFAR-10 tar.gz extracts batches where loadDataset looks", async () => {
  const members = [1, 2, 3, 4, 5].map((b) => ({
    name: `cifar-10-batches-bin/data_batch_${b}.bin`,
    data: cifarFile([b, b + 1]),
  }));
  members.push({ name: "cifar-10-batches-bin/test_batch.bin", data: cifarFile([9, 0, 5]) });
  const archive = await gzip(tarFile(members));
  await withServer({ "cifar-10-binary.tar.gz": archive }, async (base) => {
    const data = await tempDir();
    try {
      const spec = {
        mirrors: [`${base}/b/`],
        files: [{ name: "cifar-10-binary.tar.gz", md5: md5(archive) }],
        dir: "cifar10",
        extract: true,
      };
      await downloadSpec(spec, { dataDir: data, log: () => {} });
      const dir = join(data, "cifar10", "cifar-10-batches-bin");
      for (const m of members) {
        assert.deepEqual(await Deno.readFile(join(data, "cifar10", m.name)), m.data);
      }
      // the loader finds the extracted batches (and, these being tiny, refuses them: a real batch
      // holds 10 000 records)
      await assert.rejects(loadDataset("cifar10", {}, { seed: 0, dataDir: data }), (e) => {
        assert.ok(e instanceof DatasetError);
        assert.equal(
          e.message,
          `File "${
            join(dir, "data_batch_1.bin")
          }" has 6146 bytes: expected 30730000 (10000 records of 3073 bytes)`,
        );
        return true;
      });
    } finally {
      await Deno.remove(data, { recursive: true });
    }
  });
});

Deno.test("tar extraction refuses unsafe paths and bad headers; unknown downloads are refused", async () => {
  const dest = await tempDir();
  try {
    const evil = tarFile([{ name: "../evil.txt", data: new Uint8Array(3) }]);
    await assert.rejects(extractTar(evil, dest, "x.tar"), {
      message: 'Archive "x.tar" has an unsafe path "../evil.txt"',
    });
    const bad = tarFile([{ name: "ok.txt", data: new Uint8Array(3) }]);
    bad[0] = 120;
    await assert.rejects(extractTar(bad, dest, "y.tar"), /bad tar header checksum at byte 0/);
    await assert.rejects(
      downloadDataset("yin-yang", { dataDir: dest }),
      /Cannot download "yin-yang": expected one of mnist, fashion-mnist, cifar10/,
    );
  } finally {
    await Deno.remove(dest, { recursive: true });
  }
});
