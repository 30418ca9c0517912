// bert, vit, gpt2 and llama at fp32, fp16, int8 and int4 as generated WebGPU modules, each
// run on Dawn (SwiftShader in CI) and verified against the fp32 source on ONNX Runtime
// within the default tolerances (fp32 rel_l2 ≤ 2e-6, fp16 ≤ 0.01, int8 ≤ 0.05, int4 ≤ 0.1),
// with the quantized weights kept packed in GPU memory.
import { convertFixture } from '../webnn/fixture-models.js';

test.each(['bert.legacy', 'vit.legacy', 'gpt2.dynamo_static', 'llama.dynamo_static'])(
  '%s converts to webgpu fp32, fp16, int8 and int4 and passes on Dawn',
  async (model) => {
    const { code, variants, log } = await convertFixture(model, ['fp32', 'fp16', 'int8', 'int4'], 'webgpu');
    expect({ code, log: code === 0 ? '' : log }).toEqual({ code: 0, log: '' });
    expect(variants.map((v) => [v.precision, v.status])).toEqual([
      ['fp32', 'pass'],
      ['fp16', 'pass'],
      ['int8', 'pass'],
      ['int4', 'pass'],
    ]);
    const [fp32, fp16, int8, int4] = variants;
    expect(fp32.runtime).toMatch(/^Dawn webgpu/);
    expect(fp32.metrics.rel_l2).toBeLessThanOrEqual(2e-6);
    expect(fp16.metrics.rel_l2).toBeLessThanOrEqual(0.01);
    expect(int8.metrics.rel_l2).toBeLessThanOrEqual(0.05);
    expect(int4.metrics.rel_l2).toBeLessThanOrEqual(0.1);
    expect(variants.every((v) => v.metrics.nan === 0)).toBe(true);
    // Weights stay as stored: float16 halves them, int8 codes quarter the MatMul weights,
    // 4-bit blocks go lower still — no dequantized float copy on the GPU.
    const gpuBytes = variants.map((v) => v.gpu_memory!.weight_bytes);
    expect(gpuBytes[1]).toBeLessThan(gpuBytes[0] * 0.55);
    expect(gpuBytes[2]).toBeLessThan(gpuBytes[0] * 0.35);
    expect(gpuBytes[3]).toBeLessThan(gpuBytes[2]);
  },
);
