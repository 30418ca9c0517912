// OpenVINO IR → an ONNX model (opset 21) with the same semantics, so ONNX Runtime can run
// an IR where OpenVINO cannot be installed. Parameters become graph inputs, Consts become
// initializers (4-bit types widened to 8 bits, values unchanged), Results become graph
// outputs named after their tensors, If bodies become ONNX subgraphs; every other layer goes
// through the reader's own op table (read-*.ts), written from the operation specification.
//   const model = irToOnnx(readIrFiles('model.xml'), 'model.xml');

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../../errors.js';
import { ONNX_DTYPE_CODE, type HostTensor } from '../../../onnx/dtype.js';
import { onnx, type GraphProto, type ModelProto } from '../../../onnx/proto/index.js';
import { ELEMENTWISE_READERS } from './read-elementwise.js';
import { NN_READERS } from './read-nn.js';
import { SHAPE_READERS } from './read-shape.js';
import {
  LayerReadContext,
  OnnxGraphWriter,
  attrGraph,
  dtypeOfElement,
  type IrLayerReader,
} from './onnx-writer.js';
import {
  parseIr,
  parseShapeAttr,
  readConstTensor,
  type IrLayerInfo,
  type IrModel,
  type IrNetwork,
} from './parse-ir.js';

/** The ONNX opset the reader writes. */
export const READER_OPSET = 21;

const READERS: Record<string, IrLayerReader> = { ...ELEMENTWISE_READERS, ...NN_READERS, ...SHAPE_READERS };

/** Every IR layer type the reader understands. */
export function readableLayerTypes(): string[] {
  return ['Parameter', 'Const', 'Result', 'If', ...Object.keys(READERS)].sort();
}

/** Reads model.xml and its model.bin, checking the IR's structure; problems are a UserError. */
export function readIrFiles(xmlPath: string): IrModel {
  const where = path.basename(xmlPath);
  const binPath = xmlPath.replace(/\.xml$/i, '.bin');
  const { model, problems } = parseIr(
    readFileSync(xmlPath, 'utf8'),
    new Uint8Array(readFileSync(binPath)),
    where,
  );
  if (problems.length > 0)
    throw new UserError(`${where}: not a valid OpenVINO IR: ${problems.slice(0, 5).join('; ')}`);
  return model;
}

function widenFourBit(t: HostTensor): HostTensor {
  if (t.dtype === 'uint4') return { ...t, dtype: 'uint8' };
  if (t.dtype === 'int4') return { ...t, dtype: 'int8' };
  return t;
}

function valueInfo(
  name: string,
  elementType: string | undefined,
  dims: readonly number[] | undefined,
  where: string,
): onnx.ValueInfoProto {
  const dtype = dtypeOfElement(elementType, where);
  const elemType = ONNX_DTYPE_CODE[dtype === 'uint4' ? 'uint8' : dtype === 'int4' ? 'int8' : dtype];
  return new onnx.ValueInfoProto({
    name,
    type: {
      tensorType: {
        elemType,
        shape: dims ? { dim: dims.map((d) => (d >= 0 ? { dimValue: d } : {})) } : undefined,
      },
    },
  });
}

interface NetworkIo {
  inputs: onnx.ValueInfoProto[];
  /** Graph outputs with the Result layer that makes each, in layer-id order. */
  outputs: { layerId: number; info: onnx.ValueInfoProto }[];
}

/**
 * Writes the nodes of `net` into `g.nodes`. `parameterValue` names the value a body
 * Parameter stands for (undefined in the main graph, where Parameters become inputs);
 * `resultName` names each Result's output.
 */
function convertNetwork(
  net: IrNetwork,
  g: OnnxGraphWriter,
  weights: Uint8Array,
  where: string,
  parameterValue: (layer: IrLayerInfo) => string | undefined,
  resultName: (layer: IrLayerInfo, producerNames: string[]) => string,
): NetworkIo {
  const valueOf = new Map<string, string>();
  const typeOf = new Map<string, string | undefined>();
  const dimsOf = new Map<string, number[]>();
  const constOf = new Map<string, HostTensor>();
  const producer = new Map<string, { layer: number; port: number }>();
  for (const e of net.edges)
    producer.set(`${e.toLayer}:${e.toPort}`, { layer: e.fromLayer, port: e.fromPort });
  const byId = new Map(net.layers.map((l) => [l.id, l]));
  const io: NetworkIo = { inputs: [], outputs: [] };
  for (const layer of net.order) {
    const label = `${where}: layer ${layer.id} "${layer.name}" (${layer.type})`;
    const inputKeys = [...layer.inputs]
      .sort((a, b) => a.id - b.id)
      .map((p) => {
        const src = producer.get(`${layer.id}:${p.id}`)!;
        return `${src.layer}:${src.port}`;
      });
    const outputPorts = [...layer.outputs].sort((a, b) => a.id - b.id);
    const outputNames = outputPorts.map((p) => g.fresh(`${layer.id}_${p.id}`));
    outputPorts.forEach((p, i) => {
      const key = `${layer.id}:${p.id}`;
      valueOf.set(key, outputNames[i]);
      typeOf.set(key, p.elementType);
      dimsOf.set(key, p.dims);
    });
    if (layer.type === 'Parameter') {
      const outer = parameterValue(layer);
      const key = `${layer.id}:${outputPorts[0].id}`;
      typeOf.set(key, layer.data.element_type);
      if (outer !== undefined) {
        g.node('Identity', [outer], [outputNames[0]]);
      } else {
        const name = outputPorts[0].names[0] ?? layer.name;
        valueOf.set(key, name);
        io.inputs.push(valueInfo(name, layer.data.element_type, parseShapeAttr(layer.data.shape), label));
      }
      continue;
    }
    if (layer.type === 'Const') {
      const t = readConstTensor(layer, weights);
      constOf.set(`${layer.id}:${outputPorts[0].id}`, t);
      valueOf.set(`${layer.id}:${outputPorts[0].id}`, g.tensor(widenFourBit(t), `const_${layer.id}`));
      continue;
    }
    const inputs = inputKeys.map((k) => valueOf.get(k)!);
    if (layer.type === 'Result') {
      const src = producer.get(`${layer.id}:${layer.inputs[0].id}`)!;
      const srcPort = byId.get(src.layer)?.outputs.find((p) => p.id === src.port);
      const name = resultName(layer, srcPort?.names ?? []);
      g.node('Identity', [inputs[0]], [name]);
      io.outputs.push({
        layerId: layer.id,
        info: valueInfo(name, typeOf.get(inputKeys[0]), dimsOf.get(inputKeys[0]), label),
      });
      continue;
    }
    if (layer.type === 'If') {
      convertIf(layer, inputs, outputNames, g, weights, where);
      continue;
    }
    const reader = READERS[layer.type];
    if (!reader)
      throw new UserError(`${label}: layer type ${layer.type} is not readable by the IR round trip.`);
    reader(
      new LayerReadContext({
        layer,
        g,
        inputs,
        outputs: outputNames,
        inputTypes: inputKeys.map((k) => typeOf.get(k)),
        inputDims: inputKeys.map((k) => dimsOf.get(k) ?? []),
        constants: inputKeys.map((k) => constOf.get(k)),
        where,
      }),
    );
  }
  io.outputs.sort((a, b) => a.layerId - b.layerId);
  return io;
}

/** If-8 → ONNX If: body Parameters read the If's inputs from the enclosing scope; outputs follow external_port_id order. */
function convertIf(
  layer: IrLayerInfo,
  inputs: string[],
  outputs: string[],
  g: OnnxGraphWriter,
  weights: Uint8Array,
  where: string,
): void {
  const bodies = layer.bodies!;
  const branch = (net: IrNetwork, map: typeof bodies.thenMap, tag: string): GraphProto => {
    const outerNodes = g.nodes;
    g.nodes = [];
    const paramInput = new Map(map.inputs.map((m) => [m.internalLayer, m.externalPort]));
    const portIndex = new Map([...layer.inputs].sort((a, b) => a.id - b.id).map((p, i) => [p.id, i]));
    const outputOrder = [...map.outputs]
      .sort((a, b) => a.externalPort - b.externalPort)
      .map((m) => m.internalLayer);
    const io = convertNetwork(
      net,
      g,
      weights,
      `${where}: If ${layer.id} ${tag}`,
      (p) => {
        const ext = paramInput.get(p.id);
        return ext === undefined ? '' : inputs[portIndex.get(ext) ?? -1];
      },
      (r) => g.fresh(`${tag}_result_${r.id}`),
    );
    const ordered = outputOrder.map((id) => {
      const out = io.outputs.find((o) => o.layerId === id);
      if (!out)
        throw new UserError(
          `${where}: If ${layer.id} ${tag}_port_map names Result ${id}, which the body lacks.`,
        );
      return out.info;
    });
    const graph = new onnx.GraphProto({ name: `${layer.name}_${tag}`, node: g.nodes, output: ordered });
    g.nodes = outerNodes;
    return graph;
  };
  g.node('If', [inputs[0]], outputs, {
    then_branch: attrGraph(branch(bodies.then, bodies.thenMap, 'then')),
    else_branch: attrGraph(branch(bodies.else, bodies.elseMap, 'else')),
  });
}

/** The ONNX model an IR stands for (opset 21). */
export function irToOnnx(ir: IrModel, where: string): ModelProto {
  const g = new OnnxGraphWriter();
  const io = convertNetwork(
    ir.network,
    g,
    ir.weights,
    where,
    () => undefined,
    (result, names) => (names.includes(result.name) ? result.name : (names[0] ?? result.name)),
  );
  return new onnx.ModelProto({
    irVersion: 10,
    producerName: 'model-convert openvino-ir-reader',
    opsetImport: [{ domain: '', version: READER_OPSET }],
    graph: new onnx.GraphProto({
      name: ir.name,
      node: g.nodes,
      initializer: g.initializers,
      input: io.inputs,
      output: io.outputs.map((o) => o.info),
    }),
  });
}
