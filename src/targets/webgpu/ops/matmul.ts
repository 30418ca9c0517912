/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// WebGPU kernels: MatMul, Gemm, MatMulNBits, DequantizeLinear. (Being written.)

import type { GpuOpTable } from './types.js';

export const matmulOps: GpuOpTable = {};
