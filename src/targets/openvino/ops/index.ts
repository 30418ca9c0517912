// The ONNX → OpenVINO lowering table: every ONNX op (default domain) the openvino target
// can emit, merged from the per-family files. Identity, Dropout and Constant are handled by
// the emitter itself (aliases and Const layers), so they are listed in PASS_THROUGH_OPS.
//   const lowering = OV_LOWERINGS[node.opType];

import type { OpLowering } from '../lowering.js';
import { CONTROL_LOWERINGS } from './control.js';
import { ELEMENTWISE_LOWERINGS } from './elementwise.js';
import { NN_LOWERINGS } from './nn.js';
import { RECURRENT_LOWERINGS } from './recurrent.js';
import { SHAPE_LOWERINGS } from './shape.js';

export const OV_LOWERINGS: Readonly<Record<string, OpLowering>> = {
  ...ELEMENTWISE_LOWERINGS,
  ...NN_LOWERINGS,
  ...SHAPE_LOWERINGS,
  ...RECURRENT_LOWERINGS,
  ...CONTROL_LOWERINGS,
};

/** Ops that need no layer: Identity and Dropout alias their input, Constant becomes a Const on use. */
export const PASS_THROUGH_OPS: ReadonlySet<string> = new Set(['Identity', 'Dropout', 'Constant']);

/** Every ONNX op type the target accepts, sorted (for `model-convert list`). */
export function supportedOnnxOps(): string[] {
  return [...Object.keys(OV_LOWERINGS), ...PASS_THROUGH_OPS].sort();
}
