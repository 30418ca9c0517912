// The openvino target: OpenVINO IR v11 (model.xml + model.bin) of the graph the precision
// transform made — the shared quantizers' graphs, asked for in the forms OpenVINO stores:
// block-wise DequantizeLinear ('qdq') for n-bit weights, per-channel DequantizeLinear for
// int8, float16 storage + Cast for fp16. The emitter writes those weights in OpenVINO's
// compressed-weight pattern with the transform's codes and scales (fp16: f16 Const →
// decompression Convert). Every write is checked structurally by reading it back;
// verification runs OpenVINO where openvino-node loads, else the IR round trip on ORT.
//   const v = await openvinoTarget.emit({ source, model: transformed, precision: 'int4', dir, warn });

import path from 'node:path';
import { writeAtomically } from '../../onnx/model-io.js';
import type { EmittedVariant, EmitRequest, Target } from '../types.js';
import { emitOpenVinoIr, findUnsupported } from './emit.js';
import { parseIr } from './ir-reader/parse-ir.js';
import { supportedOnnxOps } from './ops/index.js';
import { createOpenVinoIrRunner } from './runner.js';

/** Structural check of a freshly emitted IR; a problem here is our bug, not the user's. */
export function checkEmittedIr(xml: string, bin: Uint8Array, where: string): void {
  const { problems } = parseIr(xml, bin, where);
  if (problems.length > 0) {
    throw new Error(
      `${where}: the emitted IR is malformed (${problems.length} problems): ${problems.slice(0, 5).join('; ')}`,
    );
  }
}

export const openvinoTarget: Target = {
  name: 'openvino',
  // int3, int2 and auto are not offered: the IR has no 3- or 2-bit element type this target
  // writes, and auto's byte counts assume them. mixed stores 2/3-bit rules in 4-bit codes.
  precisions: ['fp32', 'fp16', 'int8', 'int4', 'mixed'],
  quantizeDefaults: { format: 'qdq', fp16: 'weights', int8: 'weights' },
  supports: (model) => findUnsupported(model),
  supportedOps: () => supportedOnnxOps(),
  async emit(request: EmitRequest): Promise<EmittedVariant> {
    const where = path.basename(request.source.path);
    const { xml, bin } = emitOpenVinoIr(request.model, { where, warn: request.warn });
    checkEmittedIr(xml, bin, `${where} → openvino/${request.precision}`);
    const xmlPath = path.join(request.dir, 'model.xml');
    const binPath = path.join(request.dir, 'model.bin');
    const xmlBytes = Buffer.from(xml, 'utf8');
    writeAtomically(binPath, [bin]);
    writeAtomically(xmlPath, [xmlBytes]);
    return { files: [xmlPath, binPath], bytes: xmlBytes.length + bin.length };
  },
  runner: (variant) => createOpenVinoIrRunner(variant.files[0]),
};
