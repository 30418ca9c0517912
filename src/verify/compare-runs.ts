// The verification step: run reference and candidate on the same samples and judge the
// candidate's outputs against tolerances, output by output.
//   const ref = await runSamples(refRunner, samples);
//   const verdict = compareRuns(ref, await runSamples(candRunner, samples), (o) => tol);

import { errorMessage } from '../errors.js';
import type { TensorMap } from '../onnx/dtype.js';
import { compareTensors, worstMetrics } from './metrics.js';
import { checkTolerance, formatViolation } from './tolerance.js';
import type { Metrics, Runner, Tolerance, Violation } from './types.js';

export async function runSamples(runner: Runner, samples: TensorMap[]): Promise<TensorMap[]> {
  const results: TensorMap[] = [];
  for (const s of samples) results.push(await runner.run(s));
  return results;
}

export interface Verdict {
  passed: boolean;
  /** Worst over outputs × samples; undefined when nothing could be compared. */
  metrics?: Metrics;
  outputs: Record<string, Metrics>;
  violations: Violation[];
  /** One line: why it failed ("" when it passed). */
  reason: string;
}

/**
 * Compares candidate results with reference results sample by sample. Every reference
 * output must be present in the candidate with the same shape.
 */
export function compareRuns(
  reference: TensorMap[],
  candidate: TensorMap[],
  toleranceFor: (output: string) => Tolerance,
): Verdict {
  const outputs: Record<string, Metrics> = {};
  const problems: string[] = [];
  const names = Object.keys(reference[0] ?? {});
  for (const name of names) {
    const perSample: Metrics[] = [];
    for (let s = 0; s < reference.length; s++) {
      const c = candidate[s]?.[name];
      if (!c) {
        problems.push(`output "${name}" is missing from the candidate`);
        break;
      }
      try {
        perSample.push(compareTensors(reference[s][name], c));
      } catch (e) {
        problems.push(`output "${name}": ${errorMessage(e)}`);
        break;
      }
    }
    if (perSample.length === reference.length && perSample.length > 0)
      outputs[name] = worstMetrics(perSample);
  }
  const violations = Object.entries(outputs).flatMap(([name, m]) =>
    checkTolerance(name, m, toleranceFor(name)),
  );
  const all = Object.values(outputs);
  const reason = [...problems, ...violations.map(formatViolation)].join('; ');
  return {
    passed: problems.length === 0 && violations.length === 0,
    metrics: all.length > 0 ? worstMetrics(all) : undefined,
    outputs,
    violations,
    reason,
  };
}
