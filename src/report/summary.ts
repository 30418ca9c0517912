// The Markdown summary of a run (summary.md and the Action's job summary): a heading with the
// overall result, one table per target, a Mermaid chart of size against error, the deltas
// against the base branch (PR gate), a <details> block per variant that did not pass (with
// the first diverging layer when known), then the hardware and cache lines. The text always
// fits in `maxBytes` (GitHub's step summary limit is 1 MiB): details go first, then the chart
// and deltas, then table rows, ending with an omission line.
//   const markdown = renderSummary(report, { hardwareLine: 'Hardware: 16 cores, …' });

import { overallPassed, renderBaselineSection } from './regression.js';
import { renderSizeErrorChart } from './size-error-chart.js';
import type { Divergence, Report, VariantReport, VariantStatus } from './types.js';
import type { MetricName, Metrics, Tolerance, Violation } from '../verify/types.js';

export const DEFAULT_SUMMARY_MAX_BYTES = 1_000_000;

export interface SummaryOptions {
  /** Printed as "Hardware: …" below the tables (the prefix is added when missing); default report.hardware.summary. */
  hardwareLine?: string;
  /** Upper bound on the UTF-8 size of the result; default 1,000,000. */
  maxBytes?: number;
}

/** Metric columns of the per-output tables, in report.json order. */
export const METRIC_NAMES: readonly MetricName[] = [
  'max_abs',
  'mean_abs',
  'rel_l2',
  'cosine',
  'snr_db',
  'top1_agree',
  'nan',
  'inf',
];

/** Metrics whose tolerance is a lower bound; every other metric has an upper bound. */
const LOWER_BOUND_METRICS: ReadonlySet<MetricName> = new Set<MetricName>(['cosine', 'snr_db', 'top1_agree']);

const STATUS_LABELS: Record<VariantStatus, string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  error: '⚠️ error',
  skipped: '⏭️ skipped',
};

const SUMMARY_REASON_MAX_CHARS = 200;
const NO_VALUE = '—';

// ---------------------------------------------------------------------------------------------
// Number formatting

/** Bytes in B, KiB, MiB, GiB or TiB with one decimal: 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  if (Math.abs(bytes) < 1024) return `${Math.round(bytes)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = bytes / 1024;
  let unit = 0;
  while (Math.abs(Number(scaled.toFixed(1))) >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return `${scaled.toFixed(1)} ${units[unit]}`;
}

/** `digits` significant digits, trailing zeros dropped; below 1e-3 in exponent form ("1.2e-6"). */
function formatSignificant(value: number, digits: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  if (value === 0) return '0';
  if (Math.abs(value) < 1e-3) {
    const [mantissa, exponent] = value.toExponential(digits - 1).split('e');
    const trimmed = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
    return `${trimmed}e${Number(exponent)}`;
  }
  return String(Number(value.toPrecision(digits)));
}

/**
 * One metric value as the summary prints it: cosine with 6 significant digits, top1_agree with 4,
 * snr_db with one decimal, nan/inf as counts, the rest with 3 ("1.2e-6" below 1e-3); null → "—".
 */
export function formatMetric(name: MetricName, value: number | null | undefined): string {
  if (value === null || value === undefined) return NO_VALUE;
  switch (name) {
    case 'cosine':
      return formatSignificant(value, 6);
    case 'top1_agree':
      return formatSignificant(value, 4);
    case 'snr_db':
      return Number.isFinite(value) ? value.toFixed(1) : formatSignificant(value, 3);
    case 'nan':
    case 'inf':
      return Number.isFinite(value) ? String(Math.round(value)) : formatSignificant(value, 3);
    default:
      return formatSignificant(value, 3);
  }
}

/** Compression ratio (variant bytes / fp32 bytes) with two decimals: "0.27×". */
export function formatCompression(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : NO_VALUE;
}

// ---------------------------------------------------------------------------------------------
// Escaping

/** Text from the model (names, paths) for a Markdown table cell or line: one line, `|`, `` ` ``, `<` escaped. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/`/g, '\\`')
    .replace(/</g, '&lt;');
}

/** Text inside raw HTML (<summary>): one line, `&` and `<` as entities. */
function escapeHtmlText(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

function truncateChars(text: string, maxChars: number): string {
  const chars = Array.from(text);
  return chars.length <= maxChars ? text : `${chars.slice(0, maxChars - 1).join('')}…`;
}

// ---------------------------------------------------------------------------------------------
// Violations

function isViolated(metric: MetricName, value: number | null, bound: number): boolean {
  if (value === null) return false; // metric does not apply to this output
  if (Number.isNaN(value)) return true;
  return LOWER_BOUND_METRICS.has(metric) ? value < bound : value > bound;
}

/** The tolerance applied to one output: the variant's bounds with its per-output overrides. */
export function toleranceForOutput(variant: VariantReport, output: string): Tolerance {
  return { ...variant.tolerance, ...(variant.tolerance_per_output?.[output] ?? {}) };
}

/** Every bound a variant's outputs miss (per output; the worst-case metrics when no outputs are listed). */
export function findViolations(variant: VariantReport): Violation[] {
  const perOutput: [string, Metrics][] = Object.entries(variant.outputs ?? {});
  if (perOutput.length === 0 && variant.metrics) perOutput.push(['', variant.metrics]);
  const violations: Violation[] = [];
  for (const [output, metrics] of perOutput) {
    const tolerance = toleranceForOutput(variant, output);
    for (const metric of METRIC_NAMES) {
      const bound = tolerance[metric];
      if (bound === undefined) continue;
      const value = metrics[metric];
      if (isViolated(metric, value, bound)) {
        violations.push({
          output,
          metric,
          value,
          bound,
          kind: LOWER_BOUND_METRICS.has(metric) ? 'min' : 'max',
        });
      }
    }
  }
  return violations;
}

/** "rel_l2 0.2 > 0.1", with " on <output>" when `withOutput` and the output has a name. */
export function formatViolation(violation: Violation, withOutput: boolean): string {
  const comparison = violation.kind === 'min' ? '<' : '>';
  const text =
    `${violation.metric} ${formatMetric(violation.metric, violation.value)} ${comparison} ` +
    formatMetric(violation.metric, violation.bound);
  return withOutput && violation.output ? `${text} on ${violation.output}` : text;
}

/** Why a variant did not pass, in one line: its reason, else its violations, else its status. */
export function describeNonPassing(variant: VariantReport): string {
  if (variant.reason) return variant.reason;
  const violations = findViolations(variant);
  if (violations.length > 0) {
    const withOutput = Object.keys(variant.outputs ?? {}).length > 1;
    return violations.map((v) => formatViolation(v, withOutput)).join('; ');
  }
  return variant.status;
}

// ---------------------------------------------------------------------------------------------
// Sections

const VARIANT_TABLE_HEADER = [
  '| precision | bytes | compression | cosine | rel_l2 | max_abs | top-1 | status |',
  '|---|--:|--:|--:|--:|--:|--:|---|',
].join('\n');

function modelFileName(modelPath: string): string {
  const parts = modelPath.split(/[\\/]/).filter((part) => part !== '');
  return parts.length > 0 ? parts[parts.length - 1] : modelPath;
}

function renderHead(report: Report): string {
  const verdict = overallPassed(report)
    ? '✅ passed'
    : report.passed
      ? '❌ regressed against the base branch'
      : '❌ failed';
  const heading = `## model-convert: ${escapeMarkdown(modelFileName(report.model.path))} — ${verdict}`;
  const sha = escapeMarkdown(report.model.sha256.slice(0, 12));
  const parameters = report.model.parameters.toLocaleString('en-US');
  const modelLine =
    `Model: ${escapeMarkdown(report.model.format)}, ${formatBytes(report.model.bytes)}, ` +
    `${parameters} parameters, sha256 \`${sha}\``;
  return `${heading}\n\n${modelLine}`;
}

function hasOutputFiles(variant: VariantReport): boolean {
  return variant.files.length > 0 || variant.bytes > 0;
}

function renderVariantRow(variant: VariantReport): string {
  const cells = [
    escapeMarkdown(variant.precision),
    hasOutputFiles(variant) ? formatBytes(variant.bytes) : NO_VALUE,
    hasOutputFiles(variant) ? formatCompression(variant.compression) : NO_VALUE,
    formatMetric('cosine', variant.metrics?.cosine),
    formatMetric('rel_l2', variant.metrics?.rel_l2),
    formatMetric('max_abs', variant.metrics?.max_abs),
    formatMetric('top1_agree', variant.metrics?.top1_agree),
    STATUS_LABELS[variant.status] ?? escapeMarkdown(String(variant.status)),
  ];
  return `| ${cells.join(' | ')} |`;
}

function renderTableStart(target: string): string {
  return `### ${escapeMarkdown(target)}\n\n${VARIANT_TABLE_HEADER}`;
}

interface TargetGroup {
  target: string;
  variants: VariantReport[];
}

/** Variants grouped by target, targets in order of first appearance, variants in report order. */
function groupByTarget(variants: VariantReport[]): TargetGroup[] {
  const groups = new Map<string, VariantReport[]>();
  for (const variant of variants) {
    const group = groups.get(variant.target);
    if (group) group.push(variant);
    else groups.set(variant.target, [variant]);
  }
  return [...groups].map(([target, members]) => ({ target, variants: members }));
}

function renderTables(groups: TargetGroup[]): string {
  return groups
    .map((group) => [renderTableStart(group.target), ...group.variants.map(renderVariantRow)].join('\n'))
    .join('\n\n');
}

function formatBound(metric: MetricName, bound: number | undefined): string {
  if (bound === undefined) return NO_VALUE;
  return `${LOWER_BOUND_METRICS.has(metric) ? '≥' : '≤'} ${formatMetric(metric, bound)}`;
}

function renderToleranceRow(label: string, tolerance: Tolerance): string {
  return `| ${label} | ${METRIC_NAMES.map((metric) => formatBound(metric, tolerance[metric])).join(' | ')} |`;
}

function renderOutputsTable(variant: VariantReport): string {
  const perOutput: [string, Metrics][] = Object.entries(variant.outputs ?? {});
  if (perOutput.length === 0 && variant.metrics) perOutput.push(['(all outputs)', variant.metrics]);
  const lines = [
    `| output | ${METRIC_NAMES.join(' | ')} |`,
    `|---|${METRIC_NAMES.map(() => '--:').join('|')}|`,
  ];
  for (const [output, metrics] of perOutput) {
    const tolerance = toleranceForOutput(variant, output);
    const cells = METRIC_NAMES.map((metric) => {
      const text = formatMetric(metric, metrics[metric]);
      const bound = tolerance[metric];
      return bound !== undefined && isViolated(metric, metrics[metric], bound) ? `${text} ❌` : text;
    });
    lines.push(`| ${escapeMarkdown(output)} | ${cells.join(' | ')} |`);
  }
  lines.push(renderToleranceRow('_tolerance_', variant.tolerance));
  for (const output of Object.keys(variant.tolerance_per_output ?? {})) {
    lines.push(
      renderToleranceRow(`_tolerance: ${escapeMarkdown(output)}_`, toleranceForOutput(variant, output)),
    );
  }
  return lines.join('\n');
}

function renderDetailsBlock(variant: VariantReport): string {
  const name = `${variant.target}/${variant.precision}`;
  const reason = truncateChars(
    describeNonPassing(variant).replace(/\s+/g, ' ').trim(),
    SUMMARY_REASON_MAX_CHARS,
  );
  const context = [
    `Reference: ${escapeMarkdown(variant.reference)}`,
    variant.runtime ? `runtime ${escapeMarkdown(variant.runtime)}` : '',
    `${variant.samples} samples`,
    variant.gpu_memory
      ? `GPU memory: weights ${formatBytes(variant.gpu_memory.weight_bytes)}, peak intermediates ${formatBytes(variant.gpu_memory.peak_intermediate_bytes)}`
      : '',
  ].filter((part) => part !== '');
  const body = [context.join(' · ')];
  if (variant.reason && Array.from(variant.reason).length > SUMMARY_REASON_MAX_CHARS) {
    body.push(escapeMarkdown(variant.reason));
  }
  if (variant.metrics || Object.keys(variant.outputs ?? {}).length > 0)
    body.push(renderOutputsTable(variant));
  if (variant.divergence) body.push(renderDivergence(variant.divergence));
  return [`<details><summary>${escapeHtmlText(`${name}: ${reason}`)}</summary>`, ...body, '</details>'].join(
    '\n\n',
  );
}

/** "First divergence: value `h2` from node `matmul2` (MatMul): rel_l2 0.02, cosine 0.9998 (sample 0, 7th value compared)." */
function renderDivergence(divergence: Divergence): string {
  return (
    `First divergence: value \`${escapeMarkdown(divergence.value)}\` from node ` +
    `\`${escapeMarkdown(divergence.node)}\` (${escapeMarkdown(divergence.op_type)}): ` +
    `rel_l2 ${formatMetric('rel_l2', divergence.metrics.rel_l2)}, ` +
    `cosine ${formatMetric('cosine', divergence.metrics.cosine)}, ` +
    `max_abs ${formatMetric('max_abs', divergence.metrics.max_abs)} ` +
    `(sample ${divergence.sample}, value ${divergence.compared} in graph order).`
  );
}

/** Plain notes a reader must see (e.g. "only the IR round trip ran, not OpenVINO itself"). */
function renderNotes(variants: VariantReport[]): string {
  const lines = variants
    .filter((v) => v.note)
    .map((v) => `- ${v.target}/${v.precision}: ${escapeMarkdown(v.note!.replace(/\s+/g, ' '))}`);
  return lines.length > 0 ? `**Notes**\n\n${lines.join('\n')}` : '';
}

/** Per-layer precisions chosen by mixed / auto, with the bytes they saved against float32. */
function renderLayerChoices(variants: VariantReport[]): string {
  return variants
    .filter((v) => (v.precision === 'mixed' || v.precision === 'auto') && v.layers && v.layers.length > 0)
    .map((v) => {
      const layers = v.layers!;
      const bytes = layers.reduce((n, l) => n + l.bytes, 0);
      const fp32 = layers.reduce((n, l) => n + (l.fp32Bytes ?? 0), 0);
      const saved =
        fp32 > 0
          ? `, ${formatBytes(fp32 - bytes)} saved against float32 (${((1 - bytes / fp32) * 100).toFixed(0)}%)`
          : '';
      const rows = layers.map(
        (l) => `| ${escapeMarkdown(l.node)} | ${l.role} | ${l.precision} | ${formatBytes(l.bytes)} |`,
      );
      return [
        `<details><summary>${v.target}/${v.precision}: layer precisions (${layers.length} weights, ${formatBytes(bytes)}${saved})</summary>`,
        '',
        '| node | role | precision | bytes |',
        '|---|---|---|--:|',
        ...rows,
        '',
        '</details>',
      ].join('\n');
    })
    .join('\n\n');
}

function renderDetails(variants: VariantReport[]): string {
  return variants
    .filter((variant) => variant.status !== 'pass')
    .map(renderDetailsBlock)
    .join('\n\n');
}

function renderFooter(report: Report, hardwareLine: string | undefined): string {
  const lines: string[] = [];
  if (hardwareLine) {
    const text = hardwareLine.replace(/\s+/g, ' ').trim().replace(/</g, '&lt;');
    lines.push(text.startsWith('Hardware:') ? text : `Hardware: ${text}`);
  }
  lines.push(report.cache.hit ? `Cache: hit (key ${escapeMarkdown(report.cache.key)})` : 'Cache: miss');
  return lines.join('\n\n');
}

// ---------------------------------------------------------------------------------------------
// Size limit

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes, never splitting a character. */
function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = Math.max(0, maxBytes);
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end -= 1; // back off continuation bytes
  return bytes.subarray(0, end).toString('utf8');
}

function omissionLine(omittedRows: number): string {
  return `…${omittedRows} more rows omitted (see report.json)`;
}

function joinSections(sections: string[]): string {
  return `${sections.filter((section) => section !== '').join('\n\n')}\n`;
}

/** Head, as many table rows as fit (in order), footer, and the omission line last. */
function renderTruncated(head: string, groups: TargetGroup[], footer: string, maxBytes: number): string {
  const totalRows = groups.reduce((sum, group) => sum + group.variants.length, 0);
  const fixedBytes = utf8Bytes(joinSections([head, 'x', footer, omissionLine(totalRows)])) - 1;
  let budget = maxBytes - fixedBytes;
  const pieces: string[] = [];
  let includedRows = 0;
  fill: for (const group of groups) {
    let started = false;
    for (const variant of group.variants) {
      const start = started ? '' : `${pieces.length > 0 ? '\n\n' : ''}${renderTableStart(group.target)}`;
      const piece = `${start}\n${renderVariantRow(variant)}`;
      const pieceBytes = utf8Bytes(piece);
      if (pieceBytes > budget) break fill;
      pieces.push(piece);
      budget -= pieceBytes;
      includedRows += 1;
      started = true;
    }
  }
  const text = joinSections([head, pieces.join(''), footer, omissionLine(totalRows - includedRows)]);
  return truncateUtf8(text, maxBytes);
}

/** The Markdown summary of a report; at most `opts.maxBytes` UTF-8 bytes (default 1,000,000). */
export function renderSummary(report: Report, opts: SummaryOptions = {}): string {
  const maxBytes = opts.maxBytes ?? DEFAULT_SUMMARY_MAX_BYTES;
  const head = renderHead(report);
  const groups = groupByTarget(report.variants);
  const tables = renderTables(groups);
  const hardwareSummary = report.hardware?.summary;
  const footer = renderFooter(
    report,
    opts.hardwareLine ?? (typeof hardwareSummary === 'string' ? hardwareSummary : undefined),
  );
  const chart = renderSizeErrorChart(report.variants);
  const deltas = report.baseline ? renderBaselineSection(report.baseline) : '';

  const notes = renderNotes(report.variants);
  const full = joinSections([
    head,
    tables,
    notes,
    chart,
    deltas,
    renderDetails(report.variants),
    renderLayerChoices(report.variants),
    footer,
  ]);
  if (utf8Bytes(full) <= maxBytes) return full;
  const withoutDetails = joinSections([head, tables, notes, chart, deltas, footer]);
  if (utf8Bytes(withoutDetails) <= maxBytes) return withoutDetails;
  return renderTruncated(head, groups, footer, maxBytes);
}
