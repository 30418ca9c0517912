/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// WebGPU kernels: LayerNormalization, RMSNormalization, Softmax, LogSoftmax, BatchNormalization, InstanceNormalization. (Being written.)

import type { GpuOpTable } from './types.js';

export const normalizationOps: GpuOpTable = {};
