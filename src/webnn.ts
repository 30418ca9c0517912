// Package subpath `model-convert/webnn`: the WebNN reference runtime (contract, see
// ARCHITECTURE.md "Generated web modules").
//   import { ml, MLGraphBuilder, install } from 'model-convert/webnn';
//   install(); // navigator.ml and MLGraphBuilder on globalThis

export {
  install,
  ml,
  ML,
  MLContext,
  MLGraph,
  MLGraphBuilder,
  MLOperand,
  MLTensor,
} from './targets/webnn/runtime/index.js';
export type * from './targets/webnn/runtime/index.js';
