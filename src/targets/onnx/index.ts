// The ONNX target: writes the (transformed) graph through our own writer — external data
// kept external when the source had it — and runs it on onnxruntime-node.
//   const v = await onnxTarget.emit({ source, model: source.proto, precision: 'fp32', dir, warn });

import path from 'node:path';
import { writeModel } from '../../onnx/model-io.js';
import { createOrtRunner } from '../../verify/ort-runner.js';
import type { EmittedVariant, EmitRequest, Target } from '../types.js';

export const onnxTarget: Target = {
  name: 'onnx',
  precisions: ['fp32', 'fp16', 'int8', 'int4', 'int3', 'int2', 'mixed', 'auto'],
  supports: () => [],
  supportedOps: () => ['* (every op ONNX Runtime runs; the graph is written as it is)'],
  async emit(request: EmitRequest): Promise<EmittedVariant> {
    const file = path.join(request.dir, 'model.onnx');
    const written = writeModel(request.model, file, {
      externalData: request.source.hadExternalData ? 'always' : 'auto',
    });
    return { files: written.files, bytes: written.bytes };
  },
  runner: (variant) => createOrtRunner(variant.files[0]),
};
