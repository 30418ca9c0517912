// Next-token loss: hand-computed cases, and the trained tiny LM fixture (fp32 ONNX loss
// equals the value its README records and beats the unigram baseline recorded there).

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostTensor } from '../../src/onnx/dtype.js';
import { numberToFloat16Bits } from '../../src/onnx/tensor.js';
import { evaluateNextTokenLoss, nextTokenLoss } from '../../src/quantize/next-token-loss.js';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE = join(here, '..', 'fixtures', 'tiny-lm');

const f32 = (dims: number[], values: number[]): HostTensor => ({
  dtype: 'float32',
  dims,
  data: Float32Array.from(values),
});

/** A number recorded in the fixture README as `key: value`. */
function recorded(key: string): number {
  const readme = readFileSync(join(FIXTURE, 'README.md'), 'utf8');
  const m = new RegExp(`${key}:\\s*([0-9.]+)`).exec(readme);
  if (!m) throw new Error(`README.md records no "${key}"`);
  return Number(m[1]);
}

describe('nextTokenLoss', () => {
  it('averages -log softmax(logits[t])[token t+1] over positions and rows', () => {
    // batch 1, seq 3, vocab 3: position 0 predicts token 2, position 1 predicts token 0;
    // the last position predicts nothing.
    const logits = f32([1, 3, 3], [0, 0, 0, 1, 2, 3, 9, 9, 9]);
    const expected = (Math.log(3) + (Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 1)) / 2;
    expect(nextTokenLoss(logits, BigInt64Array.from([1n, 2n, 0n]), [1, 3])).toBeCloseTo(expected, 12);
    expect(nextTokenLoss(logits, Int32Array.from([1, 2, 0]), [1, 3])).toBeCloseTo(expected, 12);
  });

  it('handles several rows and huge logits without overflow', () => {
    // row 0: certain and right (loss ~0); row 1: uniform over 2 (loss ln 2).
    const logits = f32([2, 2, 2], [1000, -1000, 0, 0, 5e4, 5e4, 0, 0]);
    expect(nextTokenLoss(logits, Int32Array.from([0, 0, 0, 1]), [2, 2])).toBeCloseTo(Math.log(2) / 2, 12);
  });

  it('reads float16 logits', () => {
    const half: HostTensor = {
      dtype: 'float16',
      dims: [1, 2, 2],
      data: Uint16Array.from([0, 0, 0, 0].map(numberToFloat16Bits)),
    };
    expect(nextTokenLoss(half, Int32Array.from([0, 1]), [1, 2])).toBeCloseTo(Math.log(2), 12);
  });

  it('returns NaN for NaN or infinite logits instead of a finite loss', () => {
    const tokens = Int32Array.from([0, 1]);
    expect(nextTokenLoss(f32([1, 2, 2], [NaN, 0, 0, 0]), tokens, [1, 2])).toBeNaN();
    expect(nextTokenLoss(f32([1, 2, 2], [Infinity, 0, 0, 0]), tokens, [1, 2])).toBeNaN();
  });

  it('rejects mismatched shapes and tokens outside the vocab', () => {
    const logits = f32([1, 2, 2], [0, 0, 0, 0]);
    expect(() => nextTokenLoss(logits, Int32Array.from([0, 1, 1]), [1, 3])).toThrow(/logits have shape/);
    expect(() => nextTokenLoss(logits, Int32Array.from([0, 1]), [2])).toThrow(/\[batch, seq\]/);
    expect(() => nextTokenLoss(logits, Int32Array.from([0, 2]), [1, 2])).toThrow(/outside the vocab/);
  });
});

describe('evaluateNextTokenLoss on the trained tiny LM', () => {
  it('reproduces the recorded fp32 loss, below the unigram baseline', async () => {
    const loss = await evaluateNextTokenLoss(join(FIXTURE, 'model.onnx'), join(FIXTURE, 'eval-tokens.npy'));
    expect(Math.abs(loss - recorded('fp32 ONNX eval loss'))).toBeLessThan(1e-4);
    expect(loss).toBeLessThan(recorded('unigram eval loss') - 0.5);
  });

  it('reads the same tokens from inputs.npz', async () => {
    const loss = await evaluateNextTokenLoss(join(FIXTURE, 'model.onnx'), join(FIXTURE, 'inputs.npz'));
    expect(Math.abs(loss - recorded('fp32 ONNX eval loss'))).toBeLessThan(1e-4);
  });
});
