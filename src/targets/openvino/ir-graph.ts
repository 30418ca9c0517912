// The in-memory OpenVINO IR the emitter builds: layers with typed, shaped ports, the edges
// between them, Const data collected into one .bin (identical constants stored once), and
// the IR v11 XML text. Output shapes come from ov-shapes.ts, so every port carries dims.
//   const bin = new IrBinWriter();
//   const b = new IrGraphBuilder(bin, 'model.onnx');
//   const x = b.parameter('x', 'f32', [-1, 8]);
//   const [y] = b.op('ReLU', { name: 'relu', inputs: [x] });
//   b.result('y', y);
//   const xml = irDocumentXml('model', b); const weights = bin.finish();

import { createHash } from 'node:crypto';
import { OV_ELEMENT_BITS, OV_PORT_PRECISION, type OvElementType } from './element-types.js';
import { inferOutputs, type AttrValue } from './ov-shapes.js';
import { escapeXml } from './xml.js';

export type { AttrValue } from './ov-shapes.js';

/** One output port of a layer, as seen by the layers that read it. */
export interface OvValue {
  readonly layer: IrLayer;
  readonly port: number;
  readonly type: OvElementType;
  /** Dims; -1 is a dynamic dim. */
  readonly shape: readonly number[];
  /** Known contents of small tensors (constants, shape arithmetic). */
  readonly values?: readonly number[];
}

export interface IrOutputPort {
  id: number;
  type: OvElementType;
  shape: number[];
  /** Tensor names (the ONNX value names this port carries). */
  names: string[];
  values?: number[];
}

/** If-8 bodies and port maps: inputs map If input ports to body Parameters, outputs map body Results to If outputs. */
export interface IrIfBodies {
  then: IrGraphBuilder;
  else: IrGraphBuilder;
  thenInputs: { externalPort: number; internalLayer: number }[];
  elseInputs: { externalPort: number; internalLayer: number }[];
  thenOutputs: { externalPort: number; internalLayer: number }[];
  elseOutputs: { externalPort: number; internalLayer: number }[];
}

export interface IrLayer {
  id: number;
  name: string;
  type: string;
  version: string;
  data: [string, string][];
  inputs: { id: number; source: OvValue }[];
  outputs: IrOutputPort[];
  /** rt_info attribute names, e.g. 'decompression'. */
  rtInfo: string[];
  bodies?: IrIfBodies;
  /** Const data, placed into the .bin when the graph is finished. */
  constBytes?: Uint8Array;
}

/** Collects Const data for the .bin; a byte string already stored is not stored again. */
export class IrBinWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  private readonly stored = new Map<string, number>();

  /** Appends `bytes` (or finds an identical earlier block) and returns its offset. */
  add(bytes: Uint8Array): number {
    const key =
      bytes.length <= 64
        ? `s${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`
        : `h${bytes.length}:${createHash('sha256').update(bytes).digest('hex')}`;
    const known = this.stored.get(key);
    if (known !== undefined) return known;
    const offset = this.size;
    this.chunks.push(bytes);
    this.size += bytes.length;
    this.stored.set(key, offset);
    return offset;
  }

  get byteLength(): number {
    return this.size;
  }

  finish(): Uint8Array {
    return Buffer.concat(this.chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
  }
}

/** Opset of each layer type the emitter writes (the `version` attribute). */
export const OV_OPSET_OF: Record<string, string> = {
  Parameter: 'opset1',
  Result: 'opset1',
  Const: 'opset1',
  BatchNormInference: 'opset5',
  HSwish: 'opset4',
  SoftPlus: 'opset4',
  Mish: 'opset4',
  Gelu: 'opset7',
  SoftMax: 'opset8',
  MVN: 'opset6',
  AvgPool: 'opset14',
  MaxPool: 'opset14',
  Interpolate: 'opset11',
  Slice: 'opset8',
  Gather: 'opset8',
  GatherElements: 'opset6',
  GatherND: 'opset8',
  Broadcast: 'opset3',
  ShapeOf: 'opset3',
  IsNaN: 'opset10',
  IsInf: 'opset10',
  Range: 'opset4',
  LSTMSequence: 'opset5',
  If: 'opset8',
  Pad: 'opset12',
  CumSum: 'opset3',
  TopK: 'opset11',
  Round: 'opset5',
};

export interface OpOptions {
  name: string;
  inputs: readonly OvValue[];
  attrs?: Record<string, AttrValue>;
  /** rt_info markers, e.g. ['decompression']. */
  rtInfo?: string[];
}

function formatAttr(v: AttrValue): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return v;
  return (v as readonly (number | string)[])
    .map((x) => (typeof x === 'number' ? formatNumber(x) : x))
    .join(',');
}

function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return String(v);
}

/** Dims as the `shape` attribute of Parameter and Const writes them: "?" for a dynamic dim. */
export function formatShapeAttr(shape: readonly number[]): string {
  return shape.map((d) => (d < 0 ? '?' : String(d))).join(',');
}

/** Tensor names joined as the `names` port attribute (commas inside a name escaped). */
function formatNames(names: readonly string[]): string {
  return names.map((n) => n.replace(/\\/g, '\\\\').replace(/,/g, '\\,')).join(',');
}

/** Builds one graph (the model or an If body): layers in creation order, edges from their inputs. */
export class IrGraphBuilder {
  readonly layers: IrLayer[] = [];
  readonly bin: IrBinWriter;
  readonly where: string;
  private readonly usedNames = new Set<string>();

  constructor(bin: IrBinWriter, where: string) {
    this.bin = bin;
    this.where = where;
  }

  /** `name`, or `name_2`, `name_3` … when taken. */
  uniqueName(name: string): string {
    let n = name || 'layer';
    for (let i = 2; this.usedNames.has(n); i++) n = `${name}_${i}`;
    this.usedNames.add(n);
    return n;
  }

  private addLayer(layer: Omit<IrLayer, 'id'>): IrLayer {
    const full: IrLayer = { ...layer, id: this.layers.length };
    this.layers.push(full);
    return full;
  }

  private value(layer: IrLayer, index: number): OvValue {
    const p = layer.outputs[index];
    return { layer, port: p.id, type: p.type, shape: p.shape, values: p.values };
  }

  parameter(name: string, type: OvElementType, shape: readonly number[]): OvValue {
    const layer = this.addLayer({
      name: this.uniqueName(name),
      type: 'Parameter',
      version: 'opset1',
      data: [
        ['shape', formatShapeAttr(shape)],
        ['element_type', type],
      ],
      inputs: [],
      outputs: [{ id: 0, type, shape: [...shape], names: [name] }],
      rtInfo: [],
    });
    return this.value(layer, 0);
  }

  /** A Const layer over `bytes` (packed little-endian; 4-bit types two per byte, low nibble first). */
  constant(
    name: string,
    type: OvElementType,
    shape: readonly number[],
    bytes: Uint8Array,
    values?: readonly number[],
  ): OvValue {
    const count = shape.reduce((a, d) => a * d, 1);
    const need = Math.ceil((count * OV_ELEMENT_BITS[type]) / 8);
    if (bytes.length !== need) {
      throw new Error(
        `${this.where}: Const "${name}" has ${bytes.length} bytes, ${type}[${shape.join(',')}] needs ${need}`,
      );
    }
    const layer = this.addLayer({
      name: this.uniqueName(name),
      type: 'Const',
      version: 'opset1',
      constBytes: bytes,
      data: [
        ['element_type', type],
        ['shape', shape.join(',')],
        ['offset', '0'],
        ['size', String(bytes.length)],
      ],
      inputs: [],
      outputs: [{ id: 0, type, shape: [...shape], names: [], values: values ? [...values] : undefined }],
      rtInfo: [],
    });
    return this.value(layer, 0);
  }

  /** An operation layer; output types and shapes are inferred from the inputs and attributes. */
  op(type: string, options: OpOptions): OvValue[] {
    const attrs = options.attrs ?? {};
    const inferred = inferOutputs(
      type,
      options.inputs,
      attrs,
      `${this.where}: layer "${options.name}" (${type})`,
    );
    const n = options.inputs.length;
    const layer = this.addLayer({
      name: this.uniqueName(options.name),
      type,
      version: OV_OPSET_OF[type] ?? 'opset1',
      data: Object.entries(attrs).map(([k, v]) => [k, formatAttr(v)]),
      inputs: options.inputs.map((source, i) => ({ id: i, source })),
      outputs: inferred.map((o, i) => ({
        id: n + i,
        type: o.type,
        shape: o.shape,
        names: [],
        values: o.values,
      })),
      rtInfo: options.rtInfo ?? [],
    });
    return layer.outputs.map((_, i) => this.value(layer, i));
  }

  /** An If-8 layer over two built bodies; outputs take the then-body Result types, shapes merged. */
  ifLayer(options: {
    name: string;
    inputs: readonly OvValue[];
    bodies: IrIfBodies;
    outputs: { type: OvElementType; shape: number[] }[];
  }): OvValue[] {
    const n = options.inputs.length;
    const layer = this.addLayer({
      name: this.uniqueName(options.name),
      type: 'If',
      version: 'opset8',
      data: [],
      inputs: options.inputs.map((source, i) => ({ id: i, source })),
      outputs: options.outputs.map((o, i) => ({ id: n + i, type: o.type, shape: o.shape, names: [] })),
      rtInfo: [],
      bodies: options.bodies,
    });
    return layer.outputs.map((_, i) => this.value(layer, i));
  }

  result(name: string, source: OvValue): IrLayer {
    return this.addLayer({
      name: this.uniqueName(name),
      type: 'Result',
      version: 'opset1',
      data: [],
      inputs: [{ id: 0, source }],
      outputs: [],
      rtInfo: [],
    });
  }

  /** Adds a tensor name to the port that produces `v`. */
  nameValue(v: OvValue, name: string): void {
    const port = v.layer.outputs.find((p) => p.id === v.port);
    if (port && !port.names.includes(name)) port.names.push(name);
  }

  /**
   * Drops layers no Result depends on (Parameters stay), numbers the rest from 0 and places
   * the data of the remaining Consts into the .bin. Call once, before writing the XML.
   */
  finish(): void {
    const live = new Set<IrLayer>();
    const visit = (l: IrLayer): void => {
      if (live.has(l)) return;
      live.add(l);
      for (const i of l.inputs) visit(i.source.layer);
    };
    for (const l of this.layers) if (l.type === 'Result' || l.type === 'Parameter') visit(l);
    const kept = this.layers.filter((l) => live.has(l));
    this.layers.length = 0;
    this.layers.push(...kept);
    kept.forEach((l, i) => (l.id = i));
    for (const l of kept) {
      if (l.constBytes) {
        const offset = this.bin.add(l.constBytes);
        l.data = l.data.map(([k, v]) => [k, k === 'offset' ? String(offset) : v]);
      }
      if (l.bodies) {
        const b = l.bodies;
        const before = new Map<IrGraphBuilder, Map<number, IrLayer>>(
          [b.then, b.else].map((body) => [body, new Map(body.layers.map((x) => [x.id, x]))]),
        );
        b.then.finish();
        b.else.finish();
        const remap = (body: IrGraphBuilder, ms: { externalPort: number; internalLayer: number }[]): void => {
          for (const m of ms) m.internalLayer = before.get(body)!.get(m.internalLayer)!.id;
        };
        remap(b.then, b.thenInputs);
        remap(b.then, b.thenOutputs);
        remap(b.else, b.elseInputs);
        remap(b.else, b.elseOutputs);
      }
    }
  }

  /** The <layers> and <edges> elements, indented by `depth` tabs. */
  writeXml(lines: string[], depth: number): void {
    const t = (k: number): string => '\t'.repeat(depth + k);
    lines.push(`${t(0)}<layers>`);
    for (const layer of this.layers) writeLayer(lines, layer, depth + 1);
    lines.push(`${t(0)}</layers>`);
    lines.push(`${t(0)}<edges>`);
    for (const layer of this.layers) {
      for (const input of layer.inputs) {
        lines.push(
          `${t(1)}<edge from-layer="${input.source.layer.id}" from-port="${input.source.port}" to-layer="${layer.id}" to-port="${input.id}" />`,
        );
      }
    }
    lines.push(`${t(0)}</edges>`);
  }
}

function writePort(
  lines: string[],
  indent: string,
  id: number,
  type: OvElementType,
  shape: readonly number[],
  names?: readonly string[],
): void {
  const nameAttr = names && names.length > 0 ? ` names="${escapeXml(formatNames(names))}"` : '';
  const open = `${indent}<port id="${id}" precision="${OV_PORT_PRECISION[type]}"${nameAttr}`;
  if (shape.length === 0) {
    lines.push(`${open} />`);
    return;
  }
  lines.push(`${open}>`);
  for (const d of shape) lines.push(`${indent}\t<dim>${d}</dim>`);
  lines.push(`${indent}</port>`);
}

function writeLayer(lines: string[], layer: IrLayer, depth: number): void {
  const t = (k: number): string => '\t'.repeat(depth + k);
  lines.push(
    `${t(0)}<layer id="${layer.id}" name="${escapeXml(layer.name)}" type="${layer.type}" version="${layer.version}">`,
  );
  if (layer.data.length > 0) {
    const attrs = layer.data.map(([k, v]) => `${k}="${escapeXml(v)}"`).join(' ');
    lines.push(`${t(1)}<data ${attrs} />`);
  }
  if (layer.rtInfo.length > 0) {
    lines.push(`${t(1)}<rt_info>`);
    for (const r of layer.rtInfo) lines.push(`${t(2)}<attribute name="${escapeXml(r)}" version="0" />`);
    lines.push(`${t(1)}</rt_info>`);
  }
  if (layer.inputs.length > 0) {
    lines.push(`${t(1)}<input>`);
    for (const input of layer.inputs) writePort(lines, t(2), input.id, input.source.type, input.source.shape);
    lines.push(`${t(1)}</input>`);
  }
  if (layer.outputs.length > 0) {
    lines.push(`${t(1)}<output>`);
    for (const p of layer.outputs) writePort(lines, t(2), p.id, p.type, p.shape, p.names);
    lines.push(`${t(1)}</output>`);
  }
  if (layer.bodies) {
    const b = layer.bodies;
    for (const [tag, inputs, outputs] of [
      ['then_port_map', b.thenInputs, b.thenOutputs],
      ['else_port_map', b.elseInputs, b.elseOutputs],
    ] as const) {
      lines.push(`${t(1)}<${tag}>`);
      for (const m of inputs)
        lines.push(
          `${t(2)}<input external_port_id="${m.externalPort}" internal_layer_id="${m.internalLayer}" />`,
        );
      for (const m of outputs)
        lines.push(
          `${t(2)}<output external_port_id="${m.externalPort}" internal_layer_id="${m.internalLayer}" />`,
        );
      lines.push(`${t(1)}</${tag}>`);
    }
    for (const [tag, body] of [
      ['then_body', b.then],
      ['else_body', b.else],
    ] as const) {
      lines.push(`${t(1)}<${tag}>`);
      body.writeXml(lines, depth + 2);
      lines.push(`${t(1)}</${tag}>`);
    }
  }
  lines.push(`${t(0)}</layer>`);
}

/** The whole IR v11 document for a model graph (finishes the graph: see IrGraphBuilder.finish). */
export function irDocumentXml(
  netName: string,
  graph: IrGraphBuilder,
  rtInfo: Record<string, string> = {},
): string {
  graph.finish();
  const lines: string[] = ['<?xml version="1.0"?>', `<net name="${escapeXml(netName)}" version="11">`];
  graph.writeXml(lines, 1);
  const entries = Object.entries(rtInfo);
  if (entries.length > 0) {
    lines.push('\t<rt_info>');
    for (const [k, v] of entries) lines.push(`\t\t<${k} value="${escapeXml(v)}" />`);
    lines.push('\t</rt_info>');
  }
  lines.push('</net>');
  return lines.join('\n') + '\n';
}
