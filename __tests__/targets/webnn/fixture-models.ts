// Test helper: converts a shared fixture model with `model-convert convert --targets webnn`
// (or another target)
// (runCli, as a user would) and returns the report's webnn variants.
//   const variants = await convertFixture('bert.legacy', ['fp32', 'fp16']);

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../../src/cli/main.js';

export const FIXTURES = path.resolve(import.meta.dirname, '../../../../shared/fixtures');

export interface WebnnVariant {
  precision: string;
  status: string;
  reason?: string;
  runtime: string;
  files: string[];
  metrics: { rel_l2: number; cosine: number; nan: number; top1_agree: number | null };
  gpu_memory?: { weight_bytes: number; peak_intermediate_bytes: number; kernels: number; dispatches: number };
}

export async function convertFixture(
  model: string,
  precisions: string[],
  target = 'webnn',
): Promise<{ code: number; variants: WebnnVariant[]; log: string }> {
  const out = mkdtempSync(path.join(os.tmpdir(), `${target}-${model}-`));
  try {
    let log = '';
    const code = await runCli(
      [
        'convert',
        path.join(FIXTURES, `${model}.onnx`),
        '--targets',
        target,
        '--precision',
        precisions.join(','),
        '--out',
        out,
        '--no-cache',
      ],
      { out: (t) => (log += t), err: (t) => (log += `${t}\n`) },
    );
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as {
      variants: WebnnVariant[];
    };
    return { code, variants: report.variants, log };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
