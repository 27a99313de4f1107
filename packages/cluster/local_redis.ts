/**
 * A throwaway `redis-server` on a free loopback port, without persistence: for tests, benchmarks
 * and trying the `bullmq` executor on one machine (Debian's `redis-server` package).
 *
 * @module
 */

/**
 * Whether a `redis-server` can be started here.
 *
 * @example
 * ```ts
 * import { HAS_REDIS } from "@plasticity/cluster/local-redis";
 * console.assert(typeof HAS_REDIS === "boolean");
 * ```
 */
export const HAS_REDIS: boolean = (() => {
  try {
    return new Deno.Command("redis-server", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

/** A running server. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` on a free loopback port, without persistence, and waits until it answers.
 *
 * @returns The server.
 * @throws {Error} When `redis-server` is missing or does not answer within 5 s.
 *
 * @example
 * ```ts ignore
 * import { startLocalRedis } from "@plasticity/cluster/local-redis";
 * const redis = await startLocalRedis();
 * console.log(redis.url); // redis://127.0.0.1:<port>
 * await redis.stop();
 * ```
 */
export async function startLocalRedis(): Promise<RedisServer> {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const child = new Deno.Command("redis-server", {
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0; i < 200; i++) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(new TextEncoder().encode("PING\r\n"));
      const buf = new Uint8Array(16);
      const n = await conn.read(buf);
      conn.close();
      if (n && new TextDecoder().decode(buf.subarray(0, n)).startsWith("+PONG")) {
        return {
          url: `redis://127.0.0.1:${port}`,
          async stop() {
            try {
              child.kill("SIGTERM");
            } catch { /* already gone */ }
            await child.status;
          },
        };
      }
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill("SIGKILL");
  await child.status;
  throw new Error(`redis-server did not answer on port ${port} within 5 s`);
}
