// Next-token loss of a causal language model: the mean cross-entropy (natural log, nats per
// token) of predicting token t+1 from the logits at position t. Quantization error on a
// trained LM is judged by how much this grows, not only by how far the logits move.
//   const loss = nextTokenLoss(out.logits, ids, [8, 64]);
//   const loss = await evaluateNextTokenLoss('model.onnx', 'eval-tokens.npy');

import { UserError } from '../errors.js';
import type { HostTensor } from '../onnx/dtype.js';
import { float16BitsToNumber } from '../onnx/tensor.js';
import { loadInputs } from '../verify/inputs-file.js';
import { createOrtRunner } from '../verify/ort-runner.js';

/** Reads element i of a float32/float64/float16 tensor as a number. */
function floatReader(t: HostTensor): (i: number) => number {
  const data = t.data;
  if (t.dtype === 'float32' || t.dtype === 'float64') {
    const values = data as Float32Array | Float64Array;
    return (i) => values[i];
  }
  if (t.dtype === 'float16') {
    const bits = data as Uint16Array;
    return (i) => float16BitsToNumber(bits[i]);
  }
  throw new Error(`nextTokenLoss: logits must be float32, float16 or float64, not ${t.dtype}`);
}

/**
 * Mean cross-entropy (nats) of predicting tokens[b, t+1] from logits[b, t, :], over every
 * batch row b and position t < seq-1. `dims` are the token dims [batch, seq]; the logits
 * must be [batch, seq, vocab]. Log-softmax is computed in float64 with the max subtracted.
 * Non-finite logits give NaN (or Infinity), never a silently finite loss.
 */
export function nextTokenLoss(
  logits: HostTensor,
  tokens: BigInt64Array | Int32Array,
  dims: number[],
): number {
  if (dims.length !== 2) throw new Error(`nextTokenLoss: token dims must be [batch, seq], got [${dims}]`);
  const [batch, seq] = dims;
  if (tokens.length !== batch * seq)
    throw new Error(`nextTokenLoss: ${tokens.length} tokens for dims [${dims.join(', ')}]`);
  if (seq < 2) throw new Error('nextTokenLoss: sequences need at least 2 tokens');
  const ld = logits.dims;
  if (ld.length !== 3 || ld[0] !== batch || ld[1] !== seq)
    throw new Error(
      `nextTokenLoss: logits have shape [${ld.join(', ')}] but the tokens need [${batch}, ${seq}, vocab]`,
    );
  const vocab = ld[2];
  const at = floatReader(logits);
  let total = 0;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < seq - 1; t++) {
      const target = Number(tokens[b * seq + t + 1]);
      if (!Number.isInteger(target) || target < 0 || target >= vocab)
        throw new Error(
          `nextTokenLoss: token ${target} at [${b}, ${t + 1}] is outside the vocab 0..${vocab - 1}`,
        );
      const base = (b * seq + t) * vocab;
      let max = -Infinity;
      for (let v = 0; v < vocab; v++) {
        const x = at(base + v);
        if (Number.isNaN(x) || x === Infinity) return NaN;
        if (x > max) max = x;
      }
      if (max === -Infinity) return Infinity;
      let sum = 0;
      for (let v = 0; v < vocab; v++) sum += Math.exp(at(base + v) - max);
      total += Math.log(sum) - (at(base + target) - max);
    }
  }
  return total / (batch * (seq - 1));
}

/**
 * Runs a single-input language model (input: token ids [batch, seq]; first output, or the
 * one named "logits": [batch, seq, vocab]) on ONNX Runtime over the tokens in a .npy (or a
 * .npz keyed by the input name) and returns its next-token loss.
 */
export async function evaluateNextTokenLoss(modelPath: string, tokensNpyPath: string): Promise<number> {
  const runner = await createOrtRunner(modelPath);
  try {
    if (runner.inputs.length !== 1)
      throw new UserError(
        `${modelPath}: next-token loss needs a model with one input (token ids), this one has ${runner.inputs.length}`,
      );
    const input = runner.inputs[0];
    const [sample] = loadInputs(tokensNpyPath, runner.inputs);
    const ids = sample[input.name];
    if (!(ids.data instanceof BigInt64Array || ids.data instanceof Int32Array))
      throw new UserError(`${modelPath}: input "${input.name}" must be int64 or int32 token ids`);
    const out = await runner.run(sample);
    const name = runner.outputs.find((o) => o.name === 'logits')?.name ?? runner.outputs[0].name;
    return nextTokenLoss(out[name], ids.data, ids.dims);
  } finally {
    await runner.dispose();
  }
}
