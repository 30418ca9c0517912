// The `webnn` target: the (transformed) ONNX graph → webnn/<precision>/model.js +
// model.weights.bin (module contract in ARCHITECTURE.md), verified by running model.js on
// the reference WebNN runtime (src/webnn.ts). A package.json {"type":"module"} next to
// model.js lets Node load it as an ES module from any folder.
//   const v = await webnnTarget.emit({ source, model, precision: 'fp32', dir, warn });
//   const runner = await webnnTarget.runner(v);

import { supportedOpKeys } from './op-registry.js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ModelProto } from '../../onnx/proto/index.js';
import { writeAtomically } from '../../onnx/model-io.js';
import type { Precision } from '../../pipeline/types.js';
import type { EmittedVariant, EmitRequest, Target, Unsupported } from '../types.js';
import { foldConstants } from './fold-constants.js';
import { generateWebnnModule } from './generate-module.js';
import { createWebnnRunner } from './module-runner.js';
import { findLowering } from './op-registry.js';
import { moduleGaps } from '../web-module-graph.js';

/** Everything in `model` the webnn target cannot express, all at once. */
export function webnnGaps(model: ModelProto, where: string): Unsupported[] {
  return moduleGaps(model, where, 'WebNN', findLowering);
}

export const webnnTarget: Target = {
  name: 'webnn',
  precisions: ['fp32', 'fp16', 'int8', 'int4', 'int3', 'int2', 'mixed', 'auto'],
  supports: (model: ModelProto, _precision: Precision) => webnnGaps(model, 'model'),
  supportedOps: () => supportedOpKeys(),

  async emit(request: EmitRequest): Promise<EmittedVariant> {
    const where = path.basename(request.source.path);
    const gaps = webnnGaps(request.model, where);
    if (gaps.length > 0) {
      // The source passed supports(); a gap here comes from the precision transform.
      throw new Error(
        `the ${request.precision} graph has ops the webnn target cannot express: ${gaps.map((g) => `node "${g.node}" (${g.opType}) ${g.reason}`).join('; ')}`,
      );
    }
    const { model } = await foldConstants(request.model, where);
    const generated = generateWebnnModule(model, {
      source: where,
      precision: request.precision,
      float32Compute: request.precision === 'fp16' ? 'float16' : 'float32',
    });
    const modelJs = path.join(request.dir, 'model.js');
    const weights = path.join(request.dir, 'model.weights.bin');
    const packageJson = path.join(request.dir, 'package.json');
    writeAtomically(weights, generated.weights);
    writeAtomically(modelJs, [Buffer.from(generated.code)]);
    writeFileSync(packageJson, '{ "type": "module" }\n');
    const bytes = Buffer.byteLength(generated.code) + generated.weightsBytes;
    return { files: [modelJs, weights, packageJson], bytes };
  },

  runner: (variant) => createWebnnRunner(variant.files[0]),
};
