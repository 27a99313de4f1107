/**
 * The one registry type behind the learner and simulation registries: definitions by name, a
 * second registration of a name with another definition refused, lookups that name the known
 * entries when they fail.
 *
 * @module
 */

/**
 * Named definitions of one kind (rules, simulations).
 *
 * @example
 * ```ts
 * import { Registry } from "@plasticity/core";
 * const r = new Registry<{ name: string }>("widget");
 * r.register({ name: "b" });
 * r.register({ name: "a" });
 * console.assert(r.names().join() === "a,b" && r.get("a").name === "a");
 * try { r.get("c"); } catch (e) { console.assert((e as Error).message === 'Unknown widget "c": expected one of a, b'); }
 * ```
 */
export class Registry<T extends { readonly name: string }> {
  readonly #what: string;
  readonly #defs = new Map<string, T>();

  /**
   * Makes an empty registry.
   *
   * @param what What it holds, for messages (e.g. `rule`).
   */
  constructor(what: string) {
    this.#what = what;
  }

  /**
   * Registers a definition; registering the same object again is a no-op, another one under
   * the same name is an error.
   *
   * @param def The definition.
   * @returns The definition, so a module can register and export it in one statement.
   */
  register(def: T): T {
    const prev = this.#defs.get(def.name);
    if (prev && prev !== def) {
      throw new Error(
        `${this.#what[0]!.toUpperCase()}${this.#what.slice(1)} ${
          JSON.stringify(def.name)
        } is already registered`,
      );
    }
    this.#defs.set(def.name, def);
    return def;
  }

  /**
   * The definition of that name.
   *
   * @param name The name.
   * @returns The definition.
   */
  get(name: string): T {
    const def = this.#defs.get(name);
    if (!def) {
      throw new Error(
        `Unknown ${this.#what} ${JSON.stringify(name)}: expected one of ${
          this.names().join(", ") || "(none registered)"
        }`,
      );
    }
    return def;
  }

  /**
   * The registered names, sorted.
   *
   * @returns The names.
   */
  names(): string[] {
    return [...this.#defs.keys()].sort();
  }
}
