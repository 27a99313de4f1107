/**
 * Downloads of MNIST, Fashion-MNIST and CIFAR-10 from their canonical mirrors into the data
 * directory, with MD5 verification (the checksums torchvision uses) and safe tar.gz extraction.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { dirname, join, normalize } from "node:path";
import { dataDir } from "./data_dir.ts";
import { maybeGunzip } from "./idx.ts";

/** One file of a download. */
export interface DownloadFile {
  /** File name, appended to a mirror URL and used as the local name. */
  readonly name: string;
  /** Expected MD5, lower-case hex. */
  readonly md5: string;
}

/** How to fetch one dataset. */
export interface DownloadSpec {
  /** Base URLs tried in order (each ends with `/`). */
  readonly mirrors: readonly string[];
  /** Files to fetch. */
  readonly files: readonly DownloadFile[];
  /** Target folder, relative to the data directory. */
  readonly dir: string;
  /** Extract each file as a tar.gz archive into `dir` after verification. */
  readonly extract?: boolean;
}

/** The downloads of the real datasets (mirrors and MD5s as in torchvision). */
export const DOWNLOADS: Readonly<Record<"mnist" | "fashion-mnist" | "cifar10", DownloadSpec>> = {
  "mnist": {
    mirrors: [
      "https://ossci-datasets.s3.amazonaws.com/mnist/",
      "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ],
    files: [
      { name: "train-images-idx3-ubyte.gz", md5: "f68b3c2dcbeaaa9fbdd348bbdeb94873" },
      { name: "train-labels-idx1-ubyte.gz", md5: "d53e105ee54ea40749a09fcbcd1e9432" },
      { name: "t10k-images-idx3-ubyte.gz", md5: "9fb629c4189551a2d022fa330f9573f3" },
      { name: "t10k-labels-idx1-ubyte.gz", md5: "ec29112dd5afa0611ce80d1b7f02629c" },
    ],
    dir: "mnist",
  },
  "fashion-mnist": {
    mirrors: [
      "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
      "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ],
    files: [
      { name: "train-images-idx3-ubyte.gz", md5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d" },
      { name: "train-labels-idx1-ubyte.gz", md5: "25c81989df183df01b3e8a0aad5dffbe" },
      { name: "t10k-images-idx3-ubyte.gz", md5: "bef4ecab320f06d8554ea6380940ec79" },
      { name: "t10k-labels-idx1-ubyte.gz", md5: "bb300cfdad3c16e7a12a480ee83cd310" },
    ],
    dir: "fashion-mnist",
  },
  "cifar10": {
    mirrors: ["https://www.cs.toronto.edu/~kriz/"],
    files: [{ name: "cifar-10-binary.tar.gz", md5: "c32a1d4ab5d03f1284b67883e8d87530" }],
    dir: "cifar10",
    extract: true,
  },
};

/**
 * MD5 of a file, streamed.
 *
 * @param path The file.
 * @returns Lower-case hex digest.
 *
 * @example
 * ```ts
 * import { fileMd5 } from "@plasticity/datasets/download";
 * const p = await Deno.makeTempFile();
 * console.assert(await fileMd5(p) === "d41d8cd98f00b204e9800998ecf8427e");
 * await Deno.remove(p);
 * ```
 */
export async function fileMd5(path: string): Promise<string> {
  const hash = createHash("md5");
  using file = await Deno.open(path);
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

/**
 * Fetches `url` to `dest`, streaming through an MD5 hash; the file only appears at `dest`
 * (renamed from a `.part` file) when the checksum matches.
 *
 * @param url Source.
 * @param dest Target path.
 * @param md5 Expected MD5 (lower-case hex).
 * @returns Resolves when the verified file is in place.
 *
 * @example
 * ```ts ignore
 * import { fetchVerified } from "@plasticity/datasets/download";
 * const dest = `${Deno.makeTempDirSync()}/a.gz`;
 * await fetchVerified("https://example.org/a.gz", dest, "d41d8cd98f00b204e9800998ecf8427e");
 * ```
 */
export async function fetchVerified(url: string, dest: string, md5: string): Promise<void> {
  const res = await fetch(url);
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new Error(`Cannot download "${url}": HTTP ${res.status} ${res.statusText}`.trimEnd());
  }
  const part = `${dest}.part`;
  const hash = createHash("md5");
  {
    using file = await Deno.open(part, { write: true, create: true, truncate: true });
    const writer = file.writable.getWriter();
    for await (const chunk of res.body) {
      hash.update(chunk);
      await writer.write(chunk);
    }
    await writer.close();
  }
  const got = hash.digest("hex");
  if (got !== md5.toLowerCase()) {
    await Deno.remove(part);
    throw new Error(`Checksum mismatch for "${url}": expected md5 ${md5}, got ${got}`);
  }
  await Deno.rename(part, dest);
}

function tarString(h: Uint8Array, at: number, len: number): string {
  const end = h.indexOf(0, at);
  return new TextDecoder().decode(h.subarray(at, end < 0 || end > at + len ? at + len : end));
}

/**
 * Extracts the regular files of a tar archive (ustar/GNU; gzipped or not) into `dest`. Entries
 * with absolute paths or `..` are refused; directories are created as needed; links and other
 * special entries are skipped.
 *
 * @param archive The archive bytes.
 * @param dest Target folder.
 * @param file Archive name, for messages.
 * @returns The relative paths written.
 *
 * @example
 * ```ts ignore
 * import { extractTar } from "@plasticity/datasets/download";
 * await extractTar(await Deno.readFile("cifar-10-binary.tar.gz"), "/data/cifar10", "cifar-10-binary.tar.gz");
 * ```
 */
export async function extractTar(
  archive: Uint8Array,
  dest: string,
  file: string,
): Promise<string[]> {
  const tar = maybeGunzip(archive, file);
  const written: string[] = [];
  let at = 0, longName: string | undefined;
  while (at + 512 <= tar.length) {
    const h = tar.subarray(at, at + 512);
    if (h.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    const stored = parseInt(tarString(h, 148, 8).trim(), 8);
    if (stored !== sum) {
      throw new Error(`Archive "${file}" has a bad tar header checksum at byte ${at}`);
    }
    const size = parseInt(tarString(h, 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(h[156]!);
    const prefix = tarString(h, 345, 155);
    let name = longName ?? (prefix ? `${prefix}/${tarString(h, 0, 100)}` : tarString(h, 0, 100));
    longName = undefined;
    const body = at + 512;
    if (body + size > tar.length) {
      throw new Error(`Archive "${file}" is truncated in entry "${name}"`);
    }
    const data = tar.subarray(body, body + size);
    at = body + Math.ceil(size / 512) * 512;
    if (type === "L") {
      longName = new TextDecoder().decode(data).replace(/\0.*$/s, "");
      continue;
    }
    if (type !== "0" && type !== "\0" && type !== "5") continue;
    name = name.replace(/^\.\//, "");
    const rel = normalize(name);
    if (rel.startsWith("/") || rel === ".." || rel.startsWith("../")) {
      throw new Error(`Archive "${file}" has an unsafe path "${name}"`);
    }
    const out = join(dest, rel);
    if (type === "5") {
      await Deno.mkdir(out, { recursive: true });
      continue;
    }
    await Deno.mkdir(dirname(out), { recursive: true });
    await Deno.writeFile(out, data);
    written.push(rel);
  }
  return written;
}

/** Options of {@linkcode downloadDataset}. */
export interface DownloadOptions {
  /** Data directory (default {@linkcode dataDir}). */
  dataDir?: string;
  /** Mirrors to use instead of the spec's. */
  mirrors?: readonly string[];
  /** Progress lines (default: `console.error`). */
  log?: (line: string) => void;
}

/**
 * Downloads the files of `spec` into `<data>/<spec.dir>`: files already present with the right
 * MD5 are kept; each missing one is fetched from the first mirror that delivers it with the
 * right checksum; archives are then extracted.
 *
 * @param spec What to fetch.
 * @param opts Data directory, mirrors, logger.
 * @returns The target folder.
 *
 * @example
 * ```ts ignore
 * import { downloadSpec } from "@plasticity/datasets/download";
 * await downloadSpec({ mirrors: ["http://127.0.0.1:8000/"], files: [{ name: "a", md5: "…" }], dir: "x" });
 * ```
 */
export async function downloadSpec(
  spec: DownloadSpec,
  opts: DownloadOptions = {},
): Promise<string> {
  const log = opts.log ?? ((l: string) => console.error(l));
  const target = join(opts.dataDir ?? dataDir(), spec.dir);
  await Deno.mkdir(target, { recursive: true });
  const mirrors = opts.mirrors ?? spec.mirrors;
  for (const f of spec.files) {
    const dest = join(target, f.name);
    let ok = false;
    try {
      ok = await fileMd5(dest) === f.md5.toLowerCase();
      if (ok) log(`${f.name}: present, checksum ok`);
      else log(`${f.name}: present but checksum differs, downloading again`);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    const errors: string[] = [];
    for (const m of mirrors) {
      if (ok) break;
      const url = m.endsWith("/") ? m + f.name : `${m}/${f.name}`;
      log(`${f.name}: downloading ${url}`);
      try {
        await fetchVerified(url, dest, f.md5);
        ok = true;
        log(`${f.name}: checksum ok`);
      } catch (e) {
        const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
        errors.push(msg);
        log(`${f.name}: ${msg}`);
      }
    }
    if (!ok) throw new Error(`Cannot download ${f.name} from any mirror: ${errors.join("; ")}`);
    if (spec.extract) {
      const files = await extractTar(await Deno.readFile(dest), target, dest);
      log(`${f.name}: extracted ${files.length} files into "${target}"`);
    }
  }
  return target;
}

/**
 * Downloads a real dataset (`mnist`, `fashion-mnist`, `cifar10`) into the data directory, where
 * {@linkcode loadDataset} finds it.
 *
 * @param name Dataset name.
 * @param opts Data directory, mirrors, logger.
 * @returns The target folder.
 *
 * @example
 * ```ts ignore
 * import { downloadDataset } from "@plasticity/datasets/download";
 * await downloadDataset("fashion-mnist");
 * ```
 */
export async function downloadDataset(name: string, opts: DownloadOptions = {}): Promise<string> {
  if (!Object.hasOwn(DOWNLOADS, name)) {
    throw new Error(
      `Cannot download ${JSON.stringify(name)}: expected one of ${
        Object.keys(DOWNLOADS).join(", ")
      }`,
    );
  }
  return await downloadSpec(DOWNLOADS[name as keyof typeof DOWNLOADS], opts);
}
