// bert and vit (TorchScript exports with symbolic batch/seq, and torch.export static ones)
// through `model-convert convert --targets webnn`: every variant verified on the reference
// WebNN runtime against the source on ONNX Runtime, within the default tolerances.
import path from 'node:path';
import { convertFixture } from './fixture-models.js';

test.each([
  ['bert.legacy', ['fp32', 'fp16']],
  ['vit.legacy', ['fp32', 'fp16']],
  ['bert.dynamo_static', ['fp32']],
  ['vit.dynamo_static', ['fp32']],
])('%s converts to webnn %j and passes on the reference runtime', async (model, precisions) => {
  const { code, variants, log } = await convertFixture(model as string, precisions as string[]);
  expect({ code, log: code === 0 ? '' : log }).toEqual({ code: 0, log: '' });
  expect(variants.map((v) => [v.precision, v.status, v.runtime])).toEqual(
    (precisions as string[]).map((p) => [p, 'pass', 'webnn-reference (model-convert 0.1.0)']),
  );
  expect(variants.map((v) => v.files.map((f) => path.basename(f)))).toEqual(
    (precisions as string[]).map(() => ['model.js', 'model.weights.bin', 'package.json']),
  );
  const fp32 = variants.find((v) => v.precision === 'fp32')!;
  expect(fp32.metrics.rel_l2).toBeLessThanOrEqual(2e-6);
});
