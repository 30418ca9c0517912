// bert, vit, gpt2 and llama quantized to int8 and int4 by the shared transforms, emitted as
// WebNN modules (dequantizeLinear where the context supports the type) and verified on the
// reference WebNN runtime against the fp32 source on ONNX Runtime within the default
// tolerances (int8: rel_l2 ≤ 0.05, int4: ≤ 0.1).
import { convertFixture } from './fixture-models.js';

test.each(['bert.legacy', 'vit.legacy', 'gpt2.dynamo_static', 'llama.dynamo_static'])(
  '%s converts to webnn int8 and int4 and passes',
  async (model) => {
    const { code, variants, log } = await convertFixture(model, ['int8', 'int4']);
    expect({ code, log: code === 0 ? '' : log }).toEqual({ code: 0, log: '' });
    expect(variants.map((v) => [v.precision, v.status])).toEqual([
      ['int8', 'pass'],
      ['int4', 'pass'],
    ]);
    expect(variants[0].metrics.rel_l2).toBeLessThanOrEqual(0.05);
    expect(variants[1].metrics.rel_l2).toBeLessThanOrEqual(0.1);
    expect(variants.every((v) => v.metrics.nan === 0)).toBe(true);
  },
);
