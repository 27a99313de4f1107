// SHA-256 of data files, cached in memory per (path, size, mtime, inode): expanding a sweep of a
// thousand trials, or loading the same files in several trials of one process, hashes each file
// once. A file rewritten in place within the same millisecond with the same size is not noticed.
import { resolve } from "node:path";
import type { DataFile, DatasetSource } from "./types.ts";

interface Entry {
  stamp: string;
  sha256: string;
  /** What an inspection found, by inspection kind (e.g. the IDX dimensions). */
  found: Map<string, unknown>;
}

const cache = new Map<string, Entry>();
const inflight = new Map<string, Promise<Entry>>();

function stampOf(info: Deno.FileInfo): string | undefined {
  // without a modification time a cached hash could not be trusted
  if (info.mtime === null) return undefined;
  return `${info.size}:${info.mtime.getTime()}:${info.ino ?? ""}`;
}

/** Lower-case hex SHA-256 of bytes or text. */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function lookup(path: string, stamp: string | undefined): Entry | undefined {
  const hit = stamp === undefined ? undefined : cache.get(resolve(path));
  return hit?.stamp === stamp ? hit : undefined;
}

async function remember(
  path: string,
  stamp: string | undefined,
  bytes: Uint8Array,
): Promise<Entry> {
  const entry = { stamp: stamp ?? "", sha256: await sha256Hex(bytes), found: new Map() };
  if (stamp !== undefined) cache.set(resolve(path), entry);
  return entry;
}

/**
 * Reads a whole file and gives its SHA-256 (from the cache when the file is unchanged).
 *
 * @returns The bytes, their size and hash.
 */
export async function readHashed(path: string): Promise<{ bytes: Uint8Array; file: Hashed }> {
  // stat first: a file changed while being read then gets a fresh stamp next time
  const stamp = stampOf(await Deno.stat(path));
  const bytes = await Deno.readFile(path);
  const entry = lookup(path, stamp) ?? await remember(path, stamp, bytes);
  return { bytes, file: { path, bytes: bytes.length, sha256: entry.sha256 } };
}

/** A hashed file. */
export interface Hashed {
  /** The path read. */
  path: string;
  /** Its size. */
  bytes: number;
  /** Its SHA-256, lower-case hex. */
  sha256: string;
}

/**
 * Hashes a file and inspects its bytes with `inspect` (which throws on a bad file), both cached:
 * an unchanged file is neither read nor inspected again.
 *
 * @param kind Names the inspection, so that two inspections of one file are kept apart.
 * @returns The hash and what `inspect` returned.
 */
export async function inspectHashed<T>(
  path: string,
  kind: string,
  inspect: (bytes: Uint8Array) => T,
): Promise<{ file: Hashed; found: T }> {
  const info = await Deno.stat(path);
  const stamp = stampOf(info);
  let entry = lookup(path, stamp);
  if (!entry || !entry.found.has(kind)) {
    // concurrent calls for one unchanged file (a sweep expanded with Promise.all) share one read
    const key = `${resolve(path)}\0${stamp}\0${kind}`;
    let pending = stamp === undefined ? undefined : inflight.get(key);
    if (!pending) {
      pending = (async () => {
        const bytes = await Deno.readFile(path);
        const found = inspect(bytes);
        const e = lookup(path, stamp) ?? await remember(path, stamp, bytes);
        e.found.set(kind, found);
        return e;
      })();
      if (stamp !== undefined) {
        inflight.set(key, pending);
        pending.finally(() => inflight.delete(key)).catch(() => {});
      }
    }
    entry = await pending;
  }
  return {
    file: { path, bytes: info.size, sha256: entry.sha256 },
    found: entry.found.get(kind) as T,
  };
}

/**
 * The `files` source of hashed files in `dir`, in the given (fixed) order.
 *
 * @returns The source, its `sha256` the hash of the `sha256sum`-style listing.
 */
export async function filesSource(
  dir: string,
  names: readonly string[],
  hashed: readonly Hashed[],
): Promise<DatasetSource> {
  const files: DataFile[] = hashed.map((h, i) => ({
    name: names[i]!,
    bytes: h.bytes,
    sha256: h.sha256,
  }));
  const listing = files.map((f) => `${f.sha256}  ${f.name}\n`).join("");
  return { kind: "files", path: dir, sha256: await sha256Hex(listing), files };
}
