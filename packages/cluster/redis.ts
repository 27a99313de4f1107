/**
 * Where the Redis server behind the queue is: a `redis://` or `rediss://` URL given on the command
 * line or in `PLASTICITY_REDIS_URL`, the password in the URL or in `REDIS_PASSWORD`. Credentials
 * never enter configs, results or messages: {@linkcode redactRedisUrl} is what gets shown.
 *
 * @module
 */

/** Connection settings for BullMQ (ioredis options). */
export interface RedisTarget {
  /** Host name. */
  host: string;
  /** Port. */
  port: number;
  /** User name (Redis 6 ACL), when given. */
  username?: string;
  /** Password, when given. */
  password?: string;
  /** Database number. */
  db: number;
  /** TLS (`rediss://`). */
  tls?: Record<string, never>;
  /** Required by BullMQ workers: commands wait for a reconnect instead of failing. */
  maxRetriesPerRequest: null;
  /** The URL without its password, for messages. */
  shown: string;
}

/**
 * Parses a Redis URL into connection settings.
 *
 * @param url `redis://[user[:password]@]host[:port][/db]` or `rediss://…`; default from
 * `PLASTICITY_REDIS_URL` when `undefined`.
 * @param env The environment (for `PLASTICITY_REDIS_URL` and `REDIS_PASSWORD`).
 * @returns The settings.
 * @throws {Error} On a missing or malformed URL (the message never shows a password).
 *
 * @example
 * ```ts
 * import { redisTarget } from "@plasticity/cluster";
 * const t = redisTarget("redis://:secret@127.0.0.1:6390/2", {});
 * console.assert(t.port === 6390 && t.db === 2 && t.password === "secret");
 * console.assert(t.shown === "redis://:***@127.0.0.1:6390/2");
 * ```
 */
export function redisTarget(
  url: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): RedisTarget {
  const given = url ?? env.PLASTICITY_REDIS_URL;
  if (!given) {
    throw new Error(
      "--redis: expected a Redis URL such as redis://127.0.0.1:6379 (or PLASTICITY_REDIS_URL)",
    );
  }
  let u: URL;
  try {
    u = new URL(given);
  } catch {
    throw new Error(
      `--redis: expected a URL redis://host:port, got "${redactRedisUrl(given)}"`,
    );
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    throw new Error(
      `--redis: expected a redis:// or rediss:// URL, got "${redactRedisUrl(given)}"`,
    );
  }
  const port = u.port === "" ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, "");
  const db = dbText === "" ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) {
    throw new Error(`--redis: expected a database number after the host, got "/${dbText}"`);
  }
  const password = u.password ? decodeURIComponent(u.password) : env.REDIS_PASSWORD || undefined;
  const target: RedisTarget = {
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port,
    db,
    maxRetriesPerRequest: null,
    shown: redactRedisUrl(given),
  };
  if (u.username) target.username = decodeURIComponent(u.username);
  if (password !== undefined) target.password = password;
  if (u.protocol === "rediss:") target.tls = {};
  return target;
}

/**
 * A Redis URL with its password replaced by `***`.
 *
 * @param url The URL.
 * @returns The URL to show.
 *
 * @example
 * ```ts
 * import { redactRedisUrl } from "@plasticity/cluster";
 * console.assert(redactRedisUrl("redis://u:pw@h:1") === "redis://u:***@h:1");
 * ```
 */
export function redactRedisUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*:)[^@/]*@/i, "$1***@");
}

/**
 * The connection options BullMQ takes (the settings without the `shown` URL).
 *
 * @param t The settings.
 * @returns ioredis options.
 *
 * @example
 * ```ts
 * import { connectionOptions, redisTarget } from "@plasticity/cluster";
 * const o = connectionOptions(redisTarget("redis://127.0.0.1:6390", {}));
 * console.assert(o.port === 6390 && !("shown" in o));
 * ```
 */
export function connectionOptions(t: RedisTarget): Omit<RedisTarget, "shown"> {
  const { shown: _s, ...o } = t;
  return o;
}
