// The WebNN reference runtime: a CPU implementation of the W3C Web Neural Network API in
// TypeScript, used to verify generated WebNN modules on any machine.
//   import { ml, MLGraphBuilder } from './runtime/index.js';
//   const context = await ml.createContext();
//   const builder = new MLGraphBuilder(context);

import { ML, MLContext } from './context.js';
import { MLGraphBuilder } from './builder.js';
import { MLGraph } from './graph.js';
import { MLOperand } from './operand.js';
import { MLTensor } from './tensor.js';

export { ML, MLContext, MLGraphBuilder, MLGraph, MLOperand, MLTensor };
export type { MLOpSupportLimits, OperatorName } from './support-limits.js';
export type * from './types.js';

/** The runtime's `navigator.ml` object. */
export const ml = new ML();

interface InstallTarget {
  navigator?: object;
  [name: string]: unknown;
}

/**
 * Defines `navigator.ml` (creating `navigator` if absent) and the WebNN interface objects
 * (MLGraphBuilder, MLContext, …) on `target`, so code written for browsers runs unchanged.
 * Existing definitions of the interface names are replaced. Returns the installed `ml`.
 */
export function install(target: object = globalThis): ML {
  const scope = target as InstallTarget;
  let navigator = scope.navigator;
  if (navigator === undefined || navigator === null) {
    navigator = {};
    Object.defineProperty(scope, 'navigator', {
      value: navigator,
      configurable: true,
      writable: true,
      enumerable: false,
    });
  }
  Object.defineProperty(navigator, 'ml', { value: ml, configurable: true, writable: true, enumerable: true });
  const interfaces = { ML, MLContext, MLGraphBuilder, MLGraph, MLOperand, MLTensor };
  for (const [name, value] of Object.entries(interfaces)) {
    Object.defineProperty(scope, name, { value, configurable: true, writable: true, enumerable: false });
  }
  return ml;
}
