/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// WebGPU kernels: ReduceMean/Sum/Max/Min/Prod/L2/SumSquare/LogSumExp, ArgMax, ArgMin. (Being written.)

import type { GpuOpTable } from './types.js';

export const reduceOps: GpuOpTable = {};
