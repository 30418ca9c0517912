/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// WebGPU kernels: Transpose, Expand, Concat, Slice, Split, Tile, Pad, Trilu. (Being written.)

import type { GpuOpTable } from './types.js';

export const layoutOps: GpuOpTable = {};
