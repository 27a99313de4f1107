// Private helpers shared by the EP and CSM learners (the relaxation helpers are in core).
import type { HyperValue } from "@plasticity/core";

/** A per-layer list from the hyper-parameters, checked against the expected length. */
export function perLayer(
  h: Record<string, HyperValue>,
  key: string,
  count: number,
  what: string,
): number[] {
  const v = h[key] as readonly number[];
  if (v.length !== count) {
    throw new Error(
      `rule.${key}: expected ${count} numbers (one per ${what}), got ${JSON.stringify(v)}`,
    );
  }
  return [...v];
}
