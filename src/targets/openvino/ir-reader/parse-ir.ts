// Reads an OpenVINO IR (v10/v11 .xml + .bin) as the specification describes it — layers,
// ports with precision and dims, edges, Const data, If bodies and port maps — and checks its
// structure: unique layer ids, every edge between existing ports with agreeing dims and
// element types, one edge per input port, no cycles, Const offsets and sizes inside the
// .bin and matching their element type and shape, legal element types. Written from the
// specification, independent of the emitter.
//   const { network, problems } = parseIr(xmlText, binBytes, 'model.xml');

import type { DType, HostTensor } from '../../../onnx/dtype.js';
import { allocateData, elementCount } from '../../../onnx/dtype.js';
import { decodeRawData } from '../../../onnx/tensor.js';
import { parseXml, xmlChild, xmlChildren, type XmlElement } from '../xml.js';

/** Const/Parameter element types of the specification and what they decode to. */
export const IR_ELEMENT_TYPES: Record<string, { dtype: DType; bits: number }> = {
  f64: { dtype: 'float64', bits: 64 },
  f32: { dtype: 'float32', bits: 32 },
  f16: { dtype: 'float16', bits: 16 },
  bf16: { dtype: 'bfloat16', bits: 16 },
  i64: { dtype: 'int64', bits: 64 },
  i32: { dtype: 'int32', bits: 32 },
  i16: { dtype: 'int16', bits: 16 },
  i8: { dtype: 'int8', bits: 8 },
  u64: { dtype: 'uint64', bits: 64 },
  u32: { dtype: 'uint32', bits: 32 },
  u16: { dtype: 'uint16', bits: 16 },
  u8: { dtype: 'uint8', bits: 8 },
  boolean: { dtype: 'bool', bits: 8 },
  i4: { dtype: 'int4', bits: 4 },
  u4: { dtype: 'uint4', bits: 4 },
};

/** Port `precision` names and the element type each stands for. */
export const IR_PORT_PRECISIONS: Record<string, string> = {
  FP64: 'f64',
  FP32: 'f32',
  FP16: 'f16',
  BF16: 'bf16',
  I64: 'i64',
  I32: 'i32',
  I16: 'i16',
  I8: 'i8',
  U64: 'u64',
  U32: 'u32',
  U16: 'u16',
  U8: 'u8',
  BOOL: 'boolean',
  BOOLEAN: 'boolean',
  I4: 'i4',
  U4: 'u4',
};

export interface IrPort {
  id: number;
  /** Element type name (f32, i64 …) from the port's precision; undefined when absent. */
  elementType?: string;
  dims: number[];
  names: string[];
}

export interface IrPortMap {
  inputs: { externalPort: number; internalLayer: number }[];
  outputs: { externalPort: number; internalLayer: number }[];
}

export interface IrLayerInfo {
  id: number;
  name: string;
  type: string;
  version: string;
  data: Record<string, string>;
  inputs: IrPort[];
  outputs: IrPort[];
  rtInfo: string[];
  /** If: then/else bodies with their port maps. */
  bodies?: { then: IrNetwork; else: IrNetwork; thenMap: IrPortMap; elseMap: IrPortMap };
}

export interface IrEdge {
  fromLayer: number;
  fromPort: number;
  toLayer: number;
  toPort: number;
}

export interface IrNetwork {
  layers: IrLayerInfo[];
  edges: IrEdge[];
  /** Layers ordered so that every layer follows its producers. */
  order: IrLayerInfo[];
}

export interface IrModel {
  name: string;
  version: number;
  network: IrNetwork;
  weights: Uint8Array;
}

function int(s: string | undefined, fallback = NaN): number {
  if (s === undefined || s.trim() === '') return fallback;
  return Number(s.trim());
}

/** Splits a `names` attribute on commas that are not escaped. */
function splitNames(s: string | undefined): string[] {
  if (!s) return [];
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) cur += s[++i];
    else if (s[i] === ',') {
      out.push(cur);
      cur = '';
    } else cur += s[i];
  }
  out.push(cur);
  return out.filter((n) => n.length > 0);
}

/** A dims list attribute ("1,3,?,224" or "1, 3"); "?" and "-1" are dynamic (-1). */
export function parseShapeAttr(s: string | undefined): number[] | undefined {
  if (s === undefined) return undefined;
  if (s.trim() === '') return [];
  return s.split(',').map((d) => {
    const t = d.trim();
    return t === '?' || t === '-1' ? -1 : Number(t);
  });
}

function parsePorts(e: XmlElement | undefined): IrPort[] {
  if (!e) return [];
  return xmlChildren(e, 'port').map((p) => {
    const precision = p.attrs.precision;
    return {
      id: int(p.attrs.id),
      elementType: precision ? (IR_PORT_PRECISIONS[precision.toUpperCase()] ?? `?${precision}`) : undefined,
      dims: xmlChildren(p, 'dim').map((d) => int(d.text)),
      names: splitNames(p.attrs.names),
    };
  });
}

function parsePortMap(e: XmlElement | undefined): IrPortMap {
  const entries = (tag: string): { externalPort: number; internalLayer: number }[] =>
    e
      ? xmlChildren(e, tag).map((m) => ({
          externalPort: int(m.attrs.external_port_id),
          internalLayer: int(m.attrs.internal_layer_id),
        }))
      : [];
  return { inputs: entries('input'), outputs: entries('output') };
}

function parseNetwork(e: XmlElement, weights: Uint8Array, where: string, problems: string[]): IrNetwork {
  const layersElement = xmlChild(e, 'layers');
  if (!layersElement) problems.push(`${where}: no <layers>`);
  const layers: IrLayerInfo[] = (layersElement ? xmlChildren(layersElement, 'layer') : []).map((l) => {
    const info: IrLayerInfo = {
      id: int(l.attrs.id),
      name: l.attrs.name ?? '',
      type: l.attrs.type ?? '',
      version: l.attrs.version ?? '',
      data: { ...(xmlChild(l, 'data')?.attrs ?? {}) },
      inputs: parsePorts(xmlChild(l, 'input')),
      outputs: parsePorts(xmlChild(l, 'output')),
      rtInfo: xmlChildren(
        xmlChild(l, 'rt_info') ?? { name: '', attrs: {}, children: [], text: '' },
        'attribute',
      ).map((a) => a.attrs.name ?? ''),
    };
    const thenBody = xmlChild(l, 'then_body');
    const elseBody = xmlChild(l, 'else_body');
    if (thenBody && elseBody) {
      info.bodies = {
        then: parseNetwork(thenBody, weights, `${where}: layer ${info.id} then_body`, problems),
        else: parseNetwork(elseBody, weights, `${where}: layer ${info.id} else_body`, problems),
        thenMap: parsePortMap(xmlChild(l, 'then_port_map')),
        elseMap: parsePortMap(xmlChild(l, 'else_port_map')),
      };
    } else if (info.type === 'If') {
      problems.push(`${where}: If layer ${info.id} lacks then_body/else_body`);
    }
    return info;
  });
  const edgesElement = xmlChild(e, 'edges');
  const edges: IrEdge[] = (edgesElement ? xmlChildren(edgesElement, 'edge') : []).map((x) => ({
    fromLayer: int(x.attrs['from-layer']),
    fromPort: int(x.attrs['from-port']),
    toLayer: int(x.attrs['to-layer']),
    toPort: int(x.attrs['to-port']),
  }));
  const network: IrNetwork = { layers, edges, order: [] };
  checkNetwork(network, weights, where, problems);
  return network;
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i] || d === -1 || b[i] === -1);
}

function checkNetwork(net: IrNetwork, weights: Uint8Array, where: string, problems: string[]): void {
  const byId = new Map<number, IrLayerInfo>();
  for (const l of net.layers) {
    if (!Number.isInteger(l.id) || l.id < 0) problems.push(`${where}: layer "${l.name}" has id ${l.id}`);
    if (byId.has(l.id)) problems.push(`${where}: layer id ${l.id} appears twice`);
    byId.set(l.id, l);
    if (!l.type) problems.push(`${where}: layer ${l.id} has no type`);
    const portIds = [...l.inputs, ...l.outputs].map((p) => p.id);
    if (new Set(portIds).size !== portIds.length) problems.push(`${where}: layer ${l.id} repeats a port id`);
    for (const p of [...l.inputs, ...l.outputs]) {
      if (p.elementType?.startsWith('?'))
        problems.push(`${where}: layer ${l.id} port ${p.id} has precision ${p.elementType.slice(1)}`);
      if (p.dims.some((d) => !Number.isInteger(d) || d < -1))
        problems.push(`${where}: layer ${l.id} port ${p.id} has dims ${p.dims.join(',')}`);
    }
    if (l.type === 'Const' || l.type === 'Parameter') {
      const et = l.data.element_type;
      if (!et || !IR_ELEMENT_TYPES[et]) problems.push(`${where}: ${l.type} ${l.id} has element_type ${et}`);
      const shape = parseShapeAttr(l.data.shape);
      if (!shape) problems.push(`${where}: ${l.type} ${l.id} has no shape`);
      const out = l.outputs[0];
      if (out && shape && !sameDims(out.dims, shape))
        problems.push(`${where}: ${l.type} ${l.id} shape ${l.data.shape} differs from its port dims`);
    }
    if (l.type === 'Const') checkConst(l, weights, where, problems);
  }
  const fed = new Map<string, number>();
  const dependents = new Map<number, number[]>();
  const waiting = new Map<number, number>(net.layers.map((l) => [l.id, 0]));
  for (const e of net.edges) {
    const from = byId.get(e.fromLayer);
    const to = byId.get(e.toLayer);
    const fromPort = from?.outputs.find((p) => p.id === e.fromPort);
    const toPort = to?.inputs.find((p) => p.id === e.toPort);
    const label = `${where}: edge ${e.fromLayer}:${e.fromPort} → ${e.toLayer}:${e.toPort}`;
    if (!fromPort || !toPort) {
      problems.push(`${label} connects a port that does not exist`);
      continue;
    }
    if (!sameDims(fromPort.dims, toPort.dims))
      problems.push(`${label}: dims [${fromPort.dims.join(',')}] vs [${toPort.dims.join(',')}]`);
    if (fromPort.elementType && toPort.elementType && fromPort.elementType !== toPort.elementType)
      problems.push(`${label}: element type ${fromPort.elementType} vs ${toPort.elementType}`);
    const key = `${e.toLayer}:${e.toPort}`;
    fed.set(key, (fed.get(key) ?? 0) + 1);
    (dependents.get(e.fromLayer) ?? dependents.set(e.fromLayer, []).get(e.fromLayer)!).push(e.toLayer);
    waiting.set(e.toLayer, (waiting.get(e.toLayer) ?? 0) + 1);
  }
  for (const l of net.layers) {
    for (const p of l.inputs) {
      const n = fed.get(`${l.id}:${p.id}`) ?? 0;
      if (n !== 1) problems.push(`${where}: layer ${l.id} input port ${p.id} has ${n} incoming edges`);
    }
  }
  const ready = net.layers.filter((l) => (waiting.get(l.id) ?? 0) === 0).map((l) => l.id);
  while (ready.length > 0) {
    const id = ready.shift()!;
    const l = byId.get(id);
    if (l) net.order.push(l);
    for (const d of dependents.get(id) ?? []) {
      const w = waiting.get(d)! - 1;
      waiting.set(d, w);
      if (w === 0) ready.push(d);
    }
  }
  if (net.order.length !== net.layers.length) problems.push(`${where}: the edges form a cycle`);
  for (const l of net.layers) {
    if (!l.bodies) continue;
    for (const [body, map, tag] of [
      [l.bodies.then, l.bodies.thenMap, 'then'],
      [l.bodies.else, l.bodies.elseMap, 'else'],
    ] as const) {
      for (const m of map.inputs) {
        const inner = body.layers.find((x) => x.id === m.internalLayer);
        if (inner?.type !== 'Parameter' || !l.inputs.some((p) => p.id === m.externalPort))
          problems.push(
            `${where}: If ${l.id} ${tag}_port_map input ${m.externalPort}→${m.internalLayer} is not a Parameter mapping`,
          );
      }
      if (map.outputs.length !== l.outputs.length)
        problems.push(
          `${where}: If ${l.id} ${tag}_port_map maps ${map.outputs.length} of ${l.outputs.length} outputs`,
        );
      for (const m of map.outputs) {
        const inner = body.layers.find((x) => x.id === m.internalLayer);
        if (inner?.type !== 'Result')
          problems.push(`${where}: If ${l.id} ${tag}_port_map output ${m.internalLayer} is not a Result`);
      }
    }
  }
}

function checkConst(l: IrLayerInfo, weights: Uint8Array, where: string, problems: string[]): void {
  const et = IR_ELEMENT_TYPES[l.data.element_type ?? ''];
  const shape = parseShapeAttr(l.data.shape) ?? [];
  const offset = int(l.data.offset);
  const size = int(l.data.size);
  const label = `${where}: Const ${l.id} ("${l.name}")`;
  if (!Number.isInteger(offset) || !Number.isInteger(size) || offset < 0 || size < 0) {
    problems.push(`${label} has offset ${l.data.offset} and size ${l.data.size}`);
    return;
  }
  if (offset + size > weights.length)
    problems.push(`${label} reads bytes ${offset}..${offset + size} of a ${weights.length}-byte .bin`);
  if (et && shape.every((d) => d >= 0)) {
    const need = Math.ceil((elementCount(shape) * et.bits) / 8);
    if (need !== size)
      problems.push(
        `${label} has size ${size}, but ${l.data.element_type}[${shape.join(',')}] takes ${need}`,
      );
  } else if (shape.some((d) => d < 0)) {
    problems.push(`${label} has a dynamic shape`);
  }
}

/** Parses IR XML text with its weights; structural problems are returned, not thrown. */
export function parseIr(
  xmlText: string,
  weights: Uint8Array,
  where: string,
): { model: IrModel; problems: string[] } {
  const problems: string[] = [];
  const root = parseXml(xmlText);
  if (root.name !== 'net') problems.push(`${where}: the root element is <${root.name}>, not <net>`);
  const version = int(root.attrs.version);
  if (version !== 10 && version !== 11)
    problems.push(`${where}: IR version ${root.attrs.version} (expected 10 or 11)`);
  const network = parseNetwork(root, weights, where, problems);
  return { model: { name: root.attrs.name ?? 'model', version, network, weights }, problems };
}

/** The tensor a Const layer holds (4-bit types unpacked, one element per entry). */
export function readConstTensor(layer: IrLayerInfo, weights: Uint8Array): HostTensor {
  const et = IR_ELEMENT_TYPES[layer.data.element_type ?? ''];
  const dims = parseShapeAttr(layer.data.shape) ?? [];
  const count = elementCount(dims);
  if (count === 0) return { dtype: et.dtype, dims, data: allocateData(et.dtype, 0) };
  const offset = int(layer.data.offset);
  const bytes = weights.subarray(offset, offset + int(layer.data.size));
  return { dtype: et.dtype, dims, data: decodeRawData(et.dtype, bytes, count) };
}
