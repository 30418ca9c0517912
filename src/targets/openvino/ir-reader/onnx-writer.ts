// What the IR reader's op table writes with: a small ONNX graph builder (nodes, initializers,
// fresh value names, typed attributes) and the per-layer context (input value names, their
// element types and dims from the IR ports, Const inputs, the layer's data attributes).
//   const [y] = g.node('Relu', [x]); g.node('Cast', [y], [out], { to: attrInt(1) });

import { UserError } from '../../../errors.js';
import { ONNX_DTYPE_CODE, type DType, type HostTensor } from '../../../onnx/dtype.js';
import { onnx, type GraphProto } from '../../../onnx/proto/index.js';
import { tensorToProto } from '../../../onnx/tensor.js';
import { IR_ELEMENT_TYPES, type IrLayerInfo } from './parse-ir.js';

export type OnnxAttr =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'strings'; value: string[] }
  | { kind: 'graph'; value: GraphProto };

export const attrInt = (value: number): OnnxAttr => ({ kind: 'int', value });
export const attrFloat = (value: number): OnnxAttr => ({ kind: 'float', value });
export const attrString = (value: string): OnnxAttr => ({ kind: 'string', value });
export const attrInts = (value: number[]): OnnxAttr => ({ kind: 'ints', value });
export const attrFloats = (value: number[]): OnnxAttr => ({ kind: 'floats', value });
export const attrStrings = (value: string[]): OnnxAttr => ({ kind: 'strings', value });
export const attrGraph = (value: GraphProto): OnnxAttr => ({ kind: 'graph', value });

function toAttributeProto(name: string, a: OnnxAttr): onnx.AttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  const enc = new TextEncoder();
  switch (a.kind) {
    case 'int':
      return new onnx.AttributeProto({ name, type: T.INT, i: a.value });
    case 'float':
      return new onnx.AttributeProto({ name, type: T.FLOAT, f: a.value });
    case 'string':
      return new onnx.AttributeProto({ name, type: T.STRING, s: enc.encode(a.value) });
    case 'ints':
      return new onnx.AttributeProto({ name, type: T.INTS, ints: a.value });
    case 'floats':
      return new onnx.AttributeProto({ name, type: T.FLOATS, floats: a.value });
    case 'strings':
      return new onnx.AttributeProto({ name, type: T.STRINGS, strings: a.value.map((s) => enc.encode(s)) });
    case 'graph':
      return new onnx.AttributeProto({ name, type: T.GRAPH, g: a.value });
  }
}

/** Nodes and initializers of the ONNX model being written; one per model (bodies share it for names). */
export class OnnxGraphWriter {
  readonly initializers: onnx.TensorProto[] = [];
  nodes: onnx.NodeProto[] = [];
  private counter = 0;

  fresh(hint: string): string {
    return `ov#${hint}#${this.counter++}`;
  }

  /** Adds a node; `outputs` is a list of names or a count of fresh ones. Returns the output names. */
  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[] | number = 1,
    attrs: Record<string, OnnxAttr> = {},
  ): string[] {
    const names =
      typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(opType)) : [...outputs];
    this.nodes.push(
      new onnx.NodeProto({
        opType,
        name: this.fresh(`node_${opType}`),
        input: [...inputs],
        output: names,
        attribute: Object.entries(attrs).map(([k, v]) => toAttributeProto(k, v)),
      }),
    );
    return names;
  }

  tensor(t: HostTensor, hint: string): string {
    const name = this.fresh(hint);
    this.initializers.push(tensorToProto(name, t));
    return name;
  }

  i64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.tensor(
      { dtype: 'int64', dims: [...dims], data: BigInt64Array.from(values, (v) => BigInt(v)) },
      'i64',
    );
  }

  scalar(value: number, dtype: DType): string {
    const data =
      dtype === 'int64'
        ? BigInt64Array.of(BigInt(value))
        : dtype === 'float32'
          ? Float32Array.of(value)
          : dtype === 'float64'
            ? Float64Array.of(value)
            : dtype === 'int32'
              ? Int32Array.of(value)
              : undefined;
    if (!data) {
      const f = this.tensor({ dtype: 'float32', dims: [], data: Float32Array.of(value) }, 'scalar');
      return this.node('Cast', [f], 1, { to: attrInt(ONNX_DTYPE_CODE[dtype]) })[0];
    }
    return this.tensor({ dtype, dims: [], data }, 'scalar');
  }

  cast(value: string, dtype: DType): string {
    return this.node('Cast', [value], 1, { to: attrInt(ONNX_DTYPE_CODE[dtype]) })[0];
  }
}

/** The ONNX element type of an IR element type name. */
export function dtypeOfElement(elementType: string | undefined, where: string): DType {
  const t = elementType ? IR_ELEMENT_TYPES[elementType] : undefined;
  if (!t) throw new UserError(`${where}: element type ${elementType ?? '(none)'} is not readable.`);
  return t.dtype;
}

/** One IR layer being turned into ONNX nodes. */
export class LayerReadContext {
  readonly layer: IrLayerInfo;
  readonly g: OnnxGraphWriter;
  /** Value names of the inputs, in input-port order. */
  readonly inputs: string[];
  /** Value names the outputs must get, in output-port order. */
  readonly outputs: string[];
  private readonly inputTypes: (string | undefined)[];
  private readonly inputDims: number[][];
  private readonly constants: (HostTensor | undefined)[];
  readonly where: string;

  constructor(args: {
    layer: IrLayerInfo;
    g: OnnxGraphWriter;
    inputs: string[];
    outputs: string[];
    inputTypes: (string | undefined)[];
    inputDims: number[][];
    constants: (HostTensor | undefined)[];
    where: string;
  }) {
    this.layer = args.layer;
    this.g = args.g;
    this.inputs = args.inputs;
    this.outputs = args.outputs;
    this.inputTypes = args.inputTypes;
    this.inputDims = args.inputDims;
    this.constants = args.constants;
    this.where = `${args.where}: layer ${args.layer.id} "${args.layer.name}" (${args.layer.type})`;
  }

  fail(reason: string): never {
    throw new UserError(`${this.where} ${reason}`);
  }

  inType(i: number): DType {
    return dtypeOfElement(this.inputTypes[i], `${this.where} input ${i}`);
  }

  inDims(i: number): number[] {
    return this.inputDims[i] ?? [];
  }

  outType(i: number): DType {
    return dtypeOfElement(this.layer.outputs[i]?.elementType, `${this.where} output ${i}`);
  }

  outDims(i: number): number[] {
    return this.layer.outputs[i]?.dims ?? [];
  }

  /** Input `i` when a Const layer produces it directly. */
  constant(i: number): HostTensor | undefined {
    return this.constants[i];
  }

  constantNumbers(i: number): number[] | undefined {
    const t = this.constants[i];
    return t && !Array.isArray(t.data) ? Array.from(t.data as ArrayLike<number | bigint>, Number) : undefined;
  }

  str(name: string, fallback: string): string {
    return this.layer.data[name] ?? fallback;
  }

  num(name: string, fallback: number): number {
    const v = this.layer.data[name];
    if (v === undefined || v.trim() === '') return fallback;
    const t = v.trim().toLowerCase();
    if (t === 'inf' || t === '+inf') return Infinity;
    if (t === '-inf') return -Infinity;
    if (t === 'nan') return NaN;
    return Number(t);
  }

  nums(name: string): number[] | undefined {
    const v = this.layer.data[name];
    if (v === undefined) return undefined;
    return v.trim() === '' ? [] : v.split(',').map((x) => Number(x.trim()));
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.layer.data[name];
    return v === undefined ? fallback : v.trim().toLowerCase() === 'true' || v.trim() === '1';
  }

  /** Writes `opType` from the inputs straight to this layer's outputs. */
  emit(opType: string, inputs: readonly string[], attrs: Record<string, OnnxAttr> = {}): void {
    this.g.node(opType, inputs, this.outputs, attrs);
  }
}

export type IrLayerReader = (c: LayerReadContext) => void;
