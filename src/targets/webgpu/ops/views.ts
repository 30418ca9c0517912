/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// Reshape, Flatten, Squeeze and Unsqueeze as views: the output is the input's buffer seen
// with new dims (no kernel). Target dims are computed by the webnn target's helpers
// (ONNX's 0 / -1 in Reshape, axes from attributes or inputs), shared by both web targets.
//   viewOps.Reshape[0].lower(g, [x, shape], { kind: 'reshape', allowzero: false }, 'Reshape_5')

import { layoutOps, targetDims } from '../../webnn/ops/layout.js';
import type { GpuOpTable, GpuOpVersion, PlanContext, Value } from './types.js';

function viewReshape(g: PlanContext, x: Value[], a: unknown): Value {
  return g.view(x[0], targetDims(g as never, x as never, a as never));
}

const asView = (entries: (typeof layoutOps)[string]): GpuOpVersion[] =>
  entries.map((e) => ({
    ...(e as unknown as GpuOpVersion),
    lower: viewReshape as GpuOpVersion['lower'],
    packedInputs: [0],
  }));

export const viewOps: GpuOpTable = {
  Reshape: asView(layoutOps.Reshape),
  Flatten: asView(layoutOps.Flatten),
  Squeeze: asView(layoutOps.Squeeze),
  Unsqueeze: asView(layoutOps.Unsqueeze),
};
