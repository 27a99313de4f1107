/**
 * The argument checks every backend makes, for backends written outside core (such as
 * `@plasticity/tfjs`): each throws one line naming the operation and the shapes.
 *
 * @example
 * ```ts
 * import { checkDims } from "@plasticity/core/backend-checks";
 * try { checkDims("fill", 0, 2); } catch (e) { console.assert(String(e).includes("fill")); }
 * ```
 *
 * @module
 */
export {
  checkDims,
  checkFinite,
  checkLength,
  checkMatmul,
  checkOwner,
  checkRow,
  checkSame,
} from "./_check.ts";
