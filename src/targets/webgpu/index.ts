// The `webgpu` target: the (transformed) ONNX graph → webgpu/<precision>/model.js +
// model.weights.bin (module contract in ARCHITECTURE.md): the model's own WGSL kernels
// and a weights file, nothing else to ship. Verified by running model.js on Dawn (the
// `webgpu` npm package) in a child process (module-runner.ts), against ONNX Runtime CPU.
// A package.json {"type":"module"} next to model.js lets Node load it from any folder.
//   const v = await webgpuTarget.emit({ source, model, precision: 'int4', dir, warn });
//   const runner = await webgpuTarget.runner(v);

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeAtomically } from '../../onnx/model-io.js';
import type { ModelProto } from '../../onnx/proto/index.js';
import type { EmittedVariant, EmitRequest, Target, Unsupported } from '../types.js';
import { foldConstants } from '../webnn/fold-constants.js';
import { moduleGaps } from '../web-module-graph.js';
import { generateWebgpuModule } from './generate-module.js';
import { createWebgpuRunner } from './module-runner.js';
import { findGpuLowering, supportedGpuOpKeys } from './op-registry.js';

/** Everything in `model` the webgpu target cannot express, all at once. */
export function webgpuGaps(model: ModelProto, where: string): Unsupported[] {
  return moduleGaps(model, where, 'the webgpu target', findGpuLowering);
}

export const webgpuTarget: Target = {
  name: 'webgpu',
  precisions: ['fp32', 'fp16', 'int8', 'int4', 'int3', 'int2', 'mixed', 'auto'],
  quantizeDefaults: { format: 'matmulnbits', fp16: 'weights', int8: 'weights' },
  supports: (model: ModelProto) => webgpuGaps(model, 'model'),
  supportedOps: () => supportedGpuOpKeys(),

  async emit(request: EmitRequest): Promise<EmittedVariant> {
    const where = path.basename(request.source.path);
    const gaps = webgpuGaps(request.model, where);
    if (gaps.length > 0) {
      // The source passed supports(); a gap here comes from the precision transform.
      throw new Error(
        `the ${request.precision} graph has ops the webgpu target cannot express: ${gaps.map((g) => `node "${g.node}" (${g.opType}) ${g.reason}`).join('; ')}`,
      );
    }
    const { model } = await foldConstants(request.model, where);
    const generated = generateWebgpuModule(model, { source: where, precision: request.precision });
    const modelJs = path.join(request.dir, 'model.js');
    const weights = path.join(request.dir, 'model.weights.bin');
    const packageJson = path.join(request.dir, 'package.json');
    writeAtomically(weights, generated.weights);
    writeAtomically(modelJs, [Buffer.from(generated.code)]);
    writeFileSync(packageJson, '{ "type": "module" }\n');
    const bytes = Buffer.byteLength(generated.code) + generated.weightsBytes;
    return { files: [modelJs, weights, packageJson], bytes };
  },

  runner: (variant) => createWebgpuRunner(variant.files[0]),
};
