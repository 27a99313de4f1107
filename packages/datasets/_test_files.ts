// Helpers for tests: writers of small IDX, CIFAR and tar files.

/** IDX bytes of unsigned bytes with the given dimensions. */
export function idxFile(dims: number[], data: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out[2] = 8;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** Gzips bytes with the web CompressionStream. */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** CIFAR-10 binary records: sample i has label labels[i] and pixel bytes (i + channel·7 + j) mod 256. */
export function cifarFile(labels: number[]): Uint8Array {
  const out = new Uint8Array(labels.length * 3073);
  labels.forEach((l, i) => {
    out[i * 3073] = l;
    for (let c = 0; c < 3; c++) {
      for (let j = 0; j < 1024; j++) out[i * 3073 + 1 + c * 1024 + j] = (i + c * 7 + j) % 256;
    }
  });
  return out;
}

/** A ustar archive of regular files. */
export function tarFile(files: { name: string; data: Uint8Array }[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const f of files) {
    const h = new Uint8Array(512);
    h.set(enc.encode(f.name), 0);
    h.set(enc.encode("0000644\0"), 100);
    h.set(enc.encode("0000000\0"), 108);
    h.set(enc.encode("0000000\0"), 116);
    h.set(enc.encode(f.data.length.toString(8).padStart(11, "0") + "\0"), 124);
    h.set(enc.encode("00000000000\0"), 136);
    h.fill(32, 148, 156);
    h[156] = 48; // '0' regular file
    h.set(enc.encode("ustar\0"), 257);
    h.set(enc.encode("00"), 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.set(enc.encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
    blocks.push(h);
    const body = new Uint8Array(Math.ceil(f.data.length / 512) * 512);
    body.set(f.data);
    blocks.push(body);
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((s, b) => s + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/**
 * Writes a full-size CIFAR-10 batch file (10 000 records): the given records first, then zero
 * records (label 0, black), as a sparse file so tests stay cheap.
 */
export async function writeCifarBatch(path: string, labels: number[]): Promise<void> {
  await Deno.writeFile(path, cifarFile(labels));
  await Deno.truncate(path, 10000 * 3073);
}
