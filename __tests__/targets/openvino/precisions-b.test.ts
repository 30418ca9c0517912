// The openvino target at fp16, int8, int4 and mixed on the GPT-2 and Llama fixtures: each variant passes the
// IR round trip within the default tolerance of its precision and shrinks the model
// (fp16 about half, int8 about a quarter, int4 no larger than int8, mixed under half).
import path from 'node:path';
import { convertAndCompare, sharedFixtures } from './helpers.js';

describe.each(['gpt2.dynamo_static', 'llama.dynamo_static'])('%s', (name) => {
  const file = path.join(sharedFixtures, `${name}.onnx`);
  let int8Bytes = 0;

  test('fp16 passes within the fp16 tolerance at about half the size', async () => {
    const r = await convertAndCompare(file, 'fp16');
    expect(r.verdict.reason).toBe('');
    expect(r.verdict.metrics!.rel_l2).toBeLessThan(1e-2);
    expect(r.bytes / r.sourceBytes).toBeLessThan(0.6);
  });

  test('int8 passes within the int8 tolerance at under a third of the size', async () => {
    const r = await convertAndCompare(file, 'int8');
    int8Bytes = r.bytes;
    expect(r.verdict.reason).toBe('');
    expect(r.verdict.metrics!.rel_l2).toBeLessThan(0.05);
    expect(r.bytes / r.sourceBytes).toBeLessThan(0.36);
  });

  test('int4 passes within the int4 tolerance and is no larger than int8', async () => {
    const r = await convertAndCompare(file, 'int4');
    expect(r.verdict.reason).toBe('');
    expect(r.verdict.metrics!.rel_l2).toBeLessThan(0.1);
    expect(r.bytes).toBeLessThan(int8Bytes);
  });

  test('mixed (the default policy: int8 / int4 / fp16 by role) passes within the mixed tolerance', async () => {
    const r = await convertAndCompare(file, 'mixed');
    expect(r.verdict.reason).toBe('');
    expect(r.verdict.metrics!.rel_l2).toBeLessThan(0.1);
    expect(r.bytes / r.sourceBytes).toBeLessThan(0.5);
  });
});
