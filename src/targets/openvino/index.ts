// The openvino target: OpenVINO IR v11 (model.xml + model.bin) at fp32, fp16 (f16 weights
// with decompression Converts) and int8/int4 (OpenVINO's compressed-weight pattern), always
// emitted from the fp32 source graph. Every write is checked structurally by reading it back;
// verification runs OpenVINO where openvino-node loads, else the IR round trip on ORT.
//   const v = await openvinoTarget.emit({ source, model: source.proto, precision: 'int4', dir, warn });

import path from 'node:path';
import { writeAtomically } from '../../onnx/model-io.js';
import type { EmittedVariant, EmitRequest, Target } from '../types.js';
import { DEFAULT_TOLERANCES } from '../../verify/tolerance.js';
import { DEFAULT_INT4_GROUP_SIZE, emitOpenVinoIr, findUnsupported, matMulWeights } from './emit.js';
import { chooseInt8Backup } from './int4-backup.js';
import { parseIr } from './ir-reader/parse-ir.js';
import { createOpenVinoIrRunner } from './runner.js';

/** The int4 error estimate the int8 backup aims for, as a share of the default int4 tolerance. */
const INT4_BACKUP_TARGET_FRACTION = 0.7;

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
  precisions: ['fp32', 'fp16', 'int8', 'int4'],
  supports: (model) => findUnsupported(model),
  async emit(request: EmitRequest): Promise<EmittedVariant> {
    const where = path.basename(request.source.path);
    // Compression is OpenVINO's own pattern, applied here to the fp32 source, whatever the
    // precision transform made of the ONNX graph.
    let int8Weights: string[] | undefined;
    if (request.precision === 'int4') {
      // OpenVINO's int8 backup: the last layer, plus the most sensitive layers by measurement.
      const weights = matMulWeights(request.source.proto);
      const measured = await chooseInt8Backup(request.source, weights.slice(0, -1), {
        groupSize: DEFAULT_INT4_GROUP_SIZE,
        targetRelL2: INT4_BACKUP_TARGET_FRACTION * (DEFAULT_TOLERANCES.int4.rel_l2 ?? 0.1),
        warn: request.warn,
      });
      int8Weights = [...weights.slice(-1).map((w) => w.name), ...measured];
    }
    const { xml, bin } = emitOpenVinoIr(request.source.proto, {
      precision: request.precision,
      where,
      int8Weights,
      warn: request.warn,
    });
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
