// gpt2 (Gemm projections) and llama (RMSNorm, rotary embeddings, grouped KV heads) through
// `model-convert convert --targets webnn` at fp32 and fp16, verified on the reference
// WebNN runtime against the source on ONNX Runtime within the default tolerances.
import { convertFixture } from './fixture-models.js';

test.each(['gpt2.dynamo_static', 'llama.dynamo_static'])(
  '%s converts to webnn fp32 and fp16 and passes',
  async (model) => {
    const { code, variants, log } = await convertFixture(model, ['fp32', 'fp16']);
    expect({ code, log: code === 0 ? '' : log }).toEqual({ code: 0, log: '' });
    expect(variants.map((v) => [v.precision, v.status])).toEqual([
      ['fp32', 'pass'],
      ['fp16', 'pass'],
    ]);
    expect(variants[0].metrics.rel_l2).toBeLessThanOrEqual(2e-6);
    expect(variants[1].metrics.rel_l2).toBeLessThanOrEqual(0.01);
    expect(variants[1].metrics.top1_agree ?? 1).toBe(1);
  },
);
