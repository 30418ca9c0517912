// A progress line for any step that takes more than a second.
//   const out = await withProgress(hooks, 'verify onnx/fp32', () => verify());

import type { PipelineHooks } from './types.js';

export async function withProgress<T>(
  hooks: Pick<PipelineHooks, 'progress'>,
  label: string,
  work: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  let announced = false;
  const timer = setTimeout(() => {
    announced = true;
    hooks.progress(`${label}…`);
  }, 1000);
  try {
    return await work();
  } finally {
    clearTimeout(timer);
    if (announced) hooks.progress(`${label} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

export function secondsSince(startedMs: number): number {
  return Math.round(performance.now() - startedMs) / 1000;
}
