// Plain-text output of the CLI commands (the --json forms print the objects as they are).
//   io.out(formatVariantLines(report));

import { printable } from '../errors.js';
import type { ModelSummary } from '../onnx/inspect.js';
import type { LayerRoleRow } from '../quantize/roles.js';
import type { FoundModel } from '../pipeline/find-models.js';
import { formatBytes, formatMetric } from '../report/summary.js';
import type { Report } from '../report/types.js';
import type { VerifyModelsResult } from '../verify/verify-models.js';
import type { Metrics } from '../verify/types.js';

const STATUS_MARK: Record<string, string> = { pass: 'PASS', fail: 'FAIL', error: 'ERROR', skipped: 'SKIP' };

function metricLine(m: Metrics | undefined): string {
  if (!m) return '';
  return `cosine ${formatMetric('cosine', m.cosine)}  rel_l2 ${formatMetric('rel_l2', m.rel_l2)}  max_abs ${formatMetric('max_abs', m.max_abs)}`;
}

export function formatVariantLines(report: Report): string {
  const lines = report.variants.map((v) => {
    const head = `${STATUS_MARK[v.status] ?? v.status} ${`${v.target}/${v.precision}`.padEnd(14)} ${formatBytes(v.bytes).padStart(10)}`;
    return `${head}  ${metricLine(v.metrics)}${v.reason ? `\n     ${printable(v.reason)}` : ''}`;
  });
  lines.push(
    report.passed ? 'all variants within tolerance' : 'at least one variant is out of tolerance or failed',
  );
  return lines.join('\n');
}

export function formatVerifyResult(r: VerifyModelsResult): string {
  const lines = [
    `${r.passed ? 'PASS' : 'FAIL'} ${r.candidate} vs ${r.reference} (${r.samples} samples, ${r.runtime})`,
  ];
  for (const [name, m] of Object.entries(r.outputs)) {
    lines.push(
      `  ${name}: ${metricLine(m)}  mean_abs ${formatMetric('mean_abs', m.mean_abs)}  snr_db ${formatMetric('snr_db', m.snr_db)}` +
        `${m.top1_agree !== null ? `  top1_agree ${formatMetric('top1_agree', m.top1_agree)}` : ''}  nan ${m.nan}  inf ${m.inf}`,
    );
  }
  if (!r.passed) lines.push(`  out of tolerance: ${r.reason}`);
  return lines.map(printable).join('\n');
}

function dims(d: (number | string)[] | undefined): string {
  return d ? `[${d.join(', ')}]` : '[?]';
}

export function formatInspection(s: ModelSummary, layers: LayerRoleRow[] = []): string {
  const lines = [
    `${s.file}: ${s.architecture}`,
    `  ir_version ${s.irVersion}; opsets ${Object.entries(s.opsets)
      .map(([d, v]) => `${d} ${v}`)
      .join(', ')}${s.producer ? `; producer ${s.producer}` : ''}`,
    `  parameters ${s.parameters.toLocaleString('en-US')}; ${formatBytes(s.bytes)} on disk; weights ${formatBytes(s.weightBytes)}${s.externalData ? ' (external data)' : ''}`,
    '  inputs:',
    ...s.inputs.map((i) => `    ${i.name} ${i.dtype ?? '?'} ${dims(i.dims)}`),
    '  outputs:',
    ...s.outputs.map((o) => `    ${o.name} ${o.dtype ?? '?'} ${dims(o.dims)}`),
    `  ops (${s.nodes} nodes):`,
    ...Object.entries(s.ops).map(([op, n]) => `    ${op.padEnd(28)} ${n}`),
  ];
  if (s.functions.length > 0) lines.push(`  local functions: ${s.functions.join(', ')}`);
  if (layers.length > 0) {
    lines.push(`  layers (${layers.length} weights; role, block, shape, node):`);
    for (const l of layers) {
      const block = l.block < 0 ? '-' : String(l.block);
      lines.push(`    ${l.role.padEnd(14)} ${block.padStart(3)}  ${l.dims.join('×').padEnd(14)} ${l.node}`);
    }
  }
  // Names come from the model: one printable line each, whatever they contain.
  return lines.map(printable).join('\n');
}

export function formatFoundModels(found: FoundModel[]): string {
  if (found.length === 0) return 'no model files found';
  return found
    .map((f) => printable(`${f.format.padEnd(26)} ${formatBytes(f.bytes).padStart(10)}  ${f.path}`))
    .join('\n');
}
