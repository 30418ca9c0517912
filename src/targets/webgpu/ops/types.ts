// Types of the ONNX → WebGPU op table. Each op family file exports a GpuOpTable: per ONNX
// op type, versioned entries { since, attributes, lower, host }. `attributes` runs at
// generation time; `lower` (plans GPU kernels for concrete dims) and `host` (evaluates
// shape arithmetic in JavaScript) run inside the generated model.js when the plan for one
// input-shape signature is made. They are copied into model.js as source text, so they may
// use only their arguments, their own local functions, JavaScript globals and the
// `helpers` their entry lists — never anything imported or defined at module level.
//   export const softmaxOps: GpuOpTable = { Softmax: [{ since: 13, lower: lowerSoftmax }] };

import type { ElementType, NotExpressible, OnnxNodeView } from '../../webnn/ops/types.js';

export type { ElementType, NotExpressible, OnnxNodeView };

/** WGSL scalar type a tensor's elements have in a GPU buffer. */
export type WgslType = 'f32' | 'i32' | 'u32';

/**
 * How a weight's bytes sit in its GPU buffer: 'f32' / 'i32' / 'u32' one element per word;
 * 'f16' two float16 per u32 word (element i in the low half when i is even); 'raw' the
 * stored int8/uint8 bytes, four per word (DequantizeLinear and MatMulNBits codes).
 */
export type GpuLayout = 'f32' | 'i32' | 'u32' | 'f16' | 'raw';

/** A constant stored in model.weights.bin and how it goes to the GPU. */
export interface GpuWeightEntry {
  dtype: ElementType;
  /** Layout of its bytes in model.weights.bin (an ONNX element type). */
  storage: ElementType;
  dims: number[];
  offset: number;
  bytes: number;
  /** GPU buffer layout; absent: never uploaded (only read on the host). */
  gpu?: GpuLayout;
}

/**
 * A tensor while a plan is made: its ONNX element type and concrete dims, and either host
 * data known now (constants and shape arithmetic), a weight, or a GPU buffer (`buffer`: a
 * logical buffer id; views share their source's id).
 */
export interface Value {
  dtype: ElementType;
  dims: number[];
  data?: ArrayLike<number>;
  weight?: number;
  buffer?: number;
  /** Layout of the GPU data when it is not the dtype's plain one (weights only). */
  layout?: GpuLayout;
  /**
   * A dequantized weight not computed yet: consumers that read quantized weights (MatMul,
   * Gather) use `dequantized`; any other kernel input runs `materialize` once.
   */
  dequantized?: Dequantized;
  materialize?: () => Value;
}

/** DequantizeLinear of packed codes: value = (code - zeroPoint) * scale, per `axis` (and block). */
export interface Dequantized {
  codes: Value;
  scale: Value;
  zeroPoint?: Value;
  axis: number;
  blockSize: number;
}

/** One kernel dispatch asked for by a lowering. */
export interface KernelSpec {
  /** Node label (and a suffix for multi-kernel lowerings), for messages and debugging. */
  label: string;
  /**
   * WGSL after the bindings: the planner declares `x0..xN` (read-only storage arrays of
   * each input's WGSL type, `array<u32>` for packed weights) and `y0..yM` (read_write
   * arrays of each output's type) in that order, then appends this code.
   */
  code: string;
  inputs: Value[];
  outputs: { dtype: ElementType; dims: number[] }[];
  /** Input indices the code reads in their packed layout; others arrive as plain words. */
  packed?: number[];
  /** Workgroup counts; x above 65535 is the lowering's job to split (see ops/wgsl.ts). */
  workgroups: [number, number, number];
}

/** What lowerings plan with (implemented by WebgpuPlanContext in plan-context.ts). */
export interface PlanContext {
  /** true when the adapter has shader-f16 (the generated module then may use f16 math). */
  readonly f16: boolean;
  isHost(v: Value): boolean;
  host(dtype: ElementType, dims: number[], data: ArrayLike<number>): Value;
  numbers(v: Value, what: string): ArrayLike<number>;
  ints(v: Value, what: string): number[];
  hostMap(inputs: Value[], dtype: ElementType, fn: (...xs: number[]) => number): Value;
  broadcastDims(a: number[], b: number[]): number[];
  axis(axis: number, rank: number): number;
  fail(message: string): never;
  /** WGSL element type of v on the GPU ('u32' for packed weight layouts). */
  wgslType(v: Value | ElementType): WgslType;
  /** A reshape: the same GPU buffer (or host data) seen with new dims. */
  view(v: Value, dims: number[]): Value;
  /** Plans one dispatch; returns its outputs. */
  kernel(spec: KernelSpec): Value[];
}

export type Attrs = Record<string, unknown>;

export interface GpuOpVersion {
  /** Lowest opset this entry implements; the highest `since` ≤ the model's opset wins. */
  since: number;
  attributes?(node: OnnxNodeView): Attrs | NotExpressible;
  lower(g: PlanContext, x: Value[], a: Attrs, label: string): Value | Value[];
  /** Input indices whose constant weights this lowering reads packed (f16 pairs, byte codes). */
  packedInputs?: number[];
  /** Runs instead of `lower` when every input is host data. */
  host?(g: PlanContext, x: Value[], a: Attrs): Value | Value[];
  /** Module-level `function` declarations lower/host call by name; copied with them. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any function signature
  helpers?: ((...args: any[]) => unknown)[];
}

export type GpuOpTable = Record<string, GpuOpVersion[]>;
