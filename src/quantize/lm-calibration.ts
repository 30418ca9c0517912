// Calibration text for language models when the user gives none: the model writes it
// itself. Random token ids are far from what a trained LM sees, and GPTQ tuned on them
// can make a trained model worse; tokens sampled from the model's own next-token
// distribution are in-distribution. Works on causal LMs with fixed or symbolic shapes: each
// step runs the full sequence and samples position t from the logits at t−1 (later
// positions cannot influence earlier ones in a causal model).
//   const samples = await selfGeneratedCalibration(runner, graph, generated, seed);

import type { HostTensor, TensorMap } from '../onnx/dtype.js';
import type { Graph } from '../onnx/graph.js';
import { toFloat64 } from '../verify/metrics.js';
import { SeededRandom } from '../verify/random.js';
import { gatherTableSize } from '../verify/sample-inputs.js';
import type { Runner } from '../verify/types.js';

export interface LanguageModelShape {
  /** The token-id input (feeds an embedding Gather). */
  ids: string;
  /** The logits output: last dim = vocabulary size. */
  logits: string;
  vocab: number;
}

/** A decoder LM: an int input indexing a table of V rows and a float output whose last dim is V. */
export function languageModelShape(graph: Graph, runner: Runner): LanguageModelShape | undefined {
  for (const input of runner.inputs) {
    if (input.dtype !== 'int64' && input.dtype !== 'int32') continue;
    const vocab = gatherTableSize(graph, input.name);
    if (!vocab || vocab < 2) continue;
    const out = runner.outputs.find(
      (o) => o.dims.length === 3 && o.dims[2] === vocab && /float/.test(o.dtype),
    );
    if (out) return { ids: input.name, logits: out.name, vocab };
  }
  return undefined;
}

function setToken(t: HostTensor, index: number, token: number): void {
  if (t.data instanceof BigInt64Array) t.data[index] = BigInt(token);
  else (t.data as Int32Array)[index] = token;
}

/** Samples from softmax(logits) with a seeded generator. */
function sampleToken(logits: Float64Array, offset: number, vocab: number, rng: SeededRandom): number {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) max = Math.max(max, logits[offset + v]);
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(logits[offset + v] - max);
  let r = rng.next() * sum;
  for (let v = 0; v < vocab; v++) {
    r -= Math.exp(logits[offset + v] - max);
    if (r <= 0) return v;
  }
  return vocab - 1;
}

/**
 * Replaces the token ids of `samples` (generated ones: random ids, masks, …) by text the
 * model samples itself, row by row; the first token of each row stays as generated.
 */
export async function selfGeneratedCalibration(
  runner: Runner,
  shape: LanguageModelShape,
  samples: TensorMap[],
  seed: number,
): Promise<TensorMap[]> {
  const rng = new SeededRandom(seed);
  const out: TensorMap[] = [];
  for (const sample of samples) {
    const ids = sample[shape.ids];
    const copy: TensorMap = {
      ...sample,
      [shape.ids]: { ...ids, data: ids.data.slice() as HostTensor['data'] },
    };
    const t = copy[shape.ids];
    const seq = t.dims[t.dims.length - 1];
    const rows = t.dims.slice(0, -1).reduce((a, b) => a * b, 1);
    for (let pos = 1; pos < seq; pos++) {
      const logits = toFloat64((await runner.run(copy))[shape.logits]);
      for (let r = 0; r < rows; r++)
        setToken(t, r * seq + pos, sampleToken(logits, (r * seq + pos - 1) * shape.vocab, shape.vocab, rng));
    }
    out.push(copy);
  }
  return out;
}
