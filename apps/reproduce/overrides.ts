/**
 * Quick-mode overrides: a figure's YAML configs state the paper's protocol, and quick mode merges a
 * smaller protocol over them (fewer seeds, grid points or epochs).
 *
 * @module
 */

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Deep-merges `override` over `base` without changing either: mappings merge key by key, every
 * other value (numbers, strings, arrays) replaces the base value, and `null` deletes the key.
 *
 * @param base The config as read from YAML.
 * @param override The values to put over it.
 * @returns The merged config.
 *
 * @example
 * ```ts
 * import { mergeConfig } from "@plasticity/reproduce/overrides";
 * const m = mergeConfig(
 *   { epochs: 64, seeds: [1, 2, 3], grid: { "optimizer.lr": [1, 0.1], "network.sizes": [[1, 1]] } },
 *   { epochs: 4, seeds: [1], grid: { "optimizer.lr": [0.1] } },
 * );
 * console.assert(m.epochs === 4 && (m.grid as Record<string, unknown[]>)["network.sizes"]!.length === 1);
 * ```
 */
export function mergeConfig(
  base: Record<string, unknown>,
  override: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete out[key];
    else if (isPlainObject(value) && isPlainObject(out[key])) {
      out[key] = mergeConfig(out[key] as Record<string, unknown>, value);
    } else out[key] = structuredClone(value);
  }
  return out;
}

/**
 * Describes an override in one line for figure captions and reports, e.g.
 * `epochs 4, seeds [1], grid.optimizer.lr [0.1]`.
 *
 * @param override The override.
 * @param prefix Key prefix for nested keys.
 * @returns The description.
 *
 * @example
 * ```ts
 * import { describeOverride } from "@plasticity/reproduce/overrides";
 * console.assert(describeOverride({ epochs: 4, grid: { "optimizer.lr": [0.1] } }) ===
 *   "epochs 4, grid.optimizer.lr [0.1]");
 * ```
 */
export function describeOverride(override: Record<string, unknown>, prefix = ""): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(override)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(value)) parts.push(describeOverride(value, name));
    else parts.push(`${name} ${JSON.stringify(value)?.replaceAll(",", ", ")}`);
  }
  return parts.filter((p) => p.length > 0).join(", ");
}
