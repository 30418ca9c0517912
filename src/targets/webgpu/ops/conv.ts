/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// WebGPU kernels: Conv, ConvTranspose, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, Resize. (Being written.)

import type { GpuOpTable } from './types.js';

export const convOps: GpuOpTable = {};
