// Types of the ONNX → WebNN op table. Each op family file exports an OpTable: per ONNX op
// type, versioned entries { since, attributes, lower, host }. `attributes` runs at
// generation time (reads the ONNX node, returns the plain attributes the generated code
// passes on, or says why the node cannot be expressed). `lower` and `host` run inside the
// generated model.js when the graph for a concrete input shape is built: they are copied
// into it as source text, so they may use only their arguments, their own local
// functions, JavaScript globals and the `helpers` their entry lists — never anything
// imported or defined at module level otherwise.
//   export const activationOps: OpTable = { Relu: [{ since: 6, lower: lowerUnary, ... }] };

import type { MLDataType, MLGraphBuilderLike, MLOperandLike, MLOpSupportLimitsLike } from '../webnn-api.js';

/** ONNX element types a generated module handles (DType names of src/onnx/dtype.ts). */
export type ElementType =
  | 'float32'
  | 'float16'
  | 'int64'
  | 'uint64'
  | 'int32'
  | 'uint32'
  | 'int16'
  | 'uint16'
  | 'int8'
  | 'uint8'
  | 'bool'
  | 'int4'
  | 'uint4'
  | 'int2'
  | 'uint2';

/** A constant stored in model.weights.bin. `storage` is how its bytes are laid out there. */
export interface WeightEntry {
  dtype: ElementType;
  storage: ElementType;
  dims: number[];
  offset: number;
  bytes: number;
}

/**
 * A tensor while the graph is built: its ONNX element type and concrete dims, and either
 * host data known now (constants and shape arithmetic, folded in JavaScript), a weight
 * decoded on demand, a graph input made on first use, or a graph operand.
 */
export interface Value {
  dtype: ElementType;
  dims: number[];
  data?: ArrayLike<number>;
  weight?: number;
  input?: string;
  operand?: MLOperandLike;
}

/** WebNN data types the ONNX float32 / float16 / int64 tensors are computed in. */
export interface BuildMode {
  float32: 'float32' | 'float16';
  float16: 'float16' | 'float32';
  int64: 'int64' | 'int32';
}

/** Attributes handed from the generator to the run-time lowering (JSON-like). */
export type AttrValue = number | string | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attrs = Record<string, AttrValue>;

/** Operand roles of one WebNN call, checked against context.opSupportLimits(). */
export type OperandRoles = Record<string, MLOperandLike | MLOperandLike[] | undefined>;

/** What lowerings get to build with (implemented by WebnnBuildContext in module-core.ts). */
export interface BuildContext {
  readonly b: MLGraphBuilderLike;
  readonly mode: BuildMode;
  readonly limits: MLOpSupportLimitsLike;
  isHost(v: Value): boolean;
  /** A host tensor; data is rounded to the element type (float32: fround, ints: trunc). */
  host(dtype: ElementType, dims: number[], data: ArrayLike<number>): Value;
  /** Host data of `v`; fails naming `what` when v is only known at run time. */
  numbers(v: Value, what: string): ArrayLike<number>;
  ints(v: Value, what: string): number[];
  operand(v: Value): MLOperandLike;
  /** `v` as an operand of the WebNN type that computes `dtype` (cast or typed constant). */
  operandAs(v: Value, dtype: ElementType, label: string): MLOperandLike;
  result(operand: MLOperandLike, dtype: ElementType): Value;
  /** WebNN data type computing ONNX element type `dtype` in the current mode. */
  type(dtype: ElementType): MLDataType;
  has(op: string): boolean;
  supports(op: string, role: string, dataType: MLDataType): boolean;
  /** Checks `roles` against the limits, then calls builder[op](...args). */
  call(op: string, roles: OperandRoles, ...args: unknown[]): MLOperandLike;
  callMany(op: string, roles: OperandRoles, ...args: unknown[]): MLOperandLike[];
  opts(label: string, extra?: Record<string, unknown>): Record<string, unknown>;
  scalar(dtype: ElementType, value: number): MLOperandLike;
  constant(dtype: ElementType, dims: number[], data: ArrayLike<number>): MLOperandLike;
  reshape(x: MLOperandLike, dims: number[], label: string): MLOperandLike;
  /** x as WebNN data type `dataType` (no-op when it already is). */
  cast(x: MLOperandLike, dataType: MLDataType, label: string): MLOperandLike;
  /** Host elementwise evaluation with numpy broadcasting. */
  hostMap(inputs: Value[], dtype: ElementType, fn: (...xs: number[]) => number): Value;
  broadcastDims(a: number[], b: number[]): number[];
  axis(axis: number, rank: number): number;
  fail(message: string): never;
}

export type Lowering<A = Attrs> = (g: BuildContext, x: Value[], a: A, label: string) => Value | Value[];
export type HostEvaluation<A = Attrs> = (g: BuildContext, x: Value[], a: A) => Value | Value[];

/** Read access to an ONNX node at generation time. */
export interface OnnxNodeView {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly opset: number;
  readonly inputs: string[];
  readonly outputs: string[];
  has(attribute: string): boolean;
  int(attribute: string, fallback: number): number;
  ints(attribute: string): number[] | undefined;
  float(attribute: string, fallback: number): number;
  floats(attribute: string): number[] | undefined;
  string(attribute: string, fallback: string): string;
  /** A tensor attribute (e.g. ConstantOfShape's value), decoded. */
  tensor(attribute: string): { dtype: ElementType; dims: number[]; values: number[] } | undefined;
  /** Element type of input i when the model declares it or it is a constant. */
  inputType(index: number): ElementType | undefined;
  /** Rank of input i when the model declares it or it is a constant. */
  inputRank(index: number): number | undefined;
}

/** Returned by `attributes` when the node cannot be expressed in WebNN. */
export interface NotExpressible {
  unsupported: string;
}

export interface OpVersion {
  /** Lowest opset this entry implements; the highest `since` ≤ the model's opset wins. */
  since: number;
  attributes?(node: OnnxNodeView): Attrs | NotExpressible;
  lower(g: BuildContext, x: Value[], a: Attrs, label: string): Value | Value[];
  host?(g: BuildContext, x: Value[], a: Attrs): Value | Value[];
  /**
   * Module-level `function` declarations that lower/host call by name; they are copied into
   * model.js with them and follow the same rule (no outside references).
   */
  helpers?: Helper[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any function signature
export type Helper = (...args: any[]) => unknown;

/** Op table of one family, keyed by op type ('Add') or 'domain::OpType'. */
export type OpTable = Record<string, OpVersion[]>;

export function notExpressible(reason: string): NotExpressible {
  return { unsupported: reason };
}
