// The PR gate's comparison: each variant's error (rel_l2 and 1 − cosine) in this run against
// the same variant in a baseline report from the base branch. A variant regresses when an
// error grows by more than the margin (relative), even while it is still inside its absolute
// tolerance; growth smaller than a noise floor (a share of the variant's tolerance bound) is
// ignored, so fp32 re-association noise of 1e-7 never fails a pull request.
//   const comparison = compareWithBaseline(report, baselineReport, { margin: 0.1, source: 'cache …' });
//   comparison.regressed // true → the step fails

import type { BaselineComparison, Report, VariantDelta, VariantReport } from './types.js';

/** Growth below this share of the variant's tolerance bound is noise, never a regression. */
export const NOISE_FLOOR_SHARE_OF_TOLERANCE = 0.1;

/** The default relative growth allowed (input regression-margin). */
export const DEFAULT_REGRESSION_MARGIN = 0.1;

type ErrorPoint = NonNullable<VariantDelta['current']>;

function variantName(v: { target: string; precision: string }): string {
  return `${v.target}/${v.precision}`;
}

function errorPoint(variant: VariantReport | undefined): ErrorPoint | null {
  if (!variant?.metrics) return null;
  return {
    rel_l2: variant.metrics.rel_l2,
    one_minus_cosine: Math.max(0, 1 - variant.metrics.cosine),
    status: variant.status,
  };
}

function relativeGrowth(before: number, now: number): number | null {
  if (!(before > 0) || !Number.isFinite(before) || !Number.isFinite(now)) return null;
  return (now - before) / before;
}

function formatError(value: number): string {
  if (value === 0) return '0';
  return Math.abs(value) < 1e-3
    ? value.toExponential(2).replace(/\.?0+e/, 'e')
    : String(Number(value.toPrecision(3)));
}

/** "+68%", "-12%", "0%" (also 0 → 0); "new" when the error was 0 before and is not now; "—" when unknown. */
export function formatGrowth(growth: number | null, before?: number, now?: number): string {
  if (growth === null) {
    if (before === 0 && now === 0) return '0%';
    return before === 0 && now !== undefined && now > 0 ? 'new' : '—';
  }
  const percent = Math.round(growth * 100);
  return `${percent > 0 ? '+' : ''}${percent}%`;
}

/** Why one metric regressed, or '' when its growth stays within margin + noise floor. */
function metricRegression(
  label: string,
  before: number,
  now: number,
  bound: number | undefined,
  margin: number,
): string {
  const floor =
    bound !== undefined && Number.isFinite(bound) ? Math.abs(bound) * NOISE_FLOOR_SHARE_OF_TOLERANCE : 0;
  if (!(now > before * (1 + margin) + floor)) return '';
  return `${label} ${formatError(before)} → ${formatError(now)} (${formatGrowth(relativeGrowth(before, now), before, now)}, margin ${Math.round(margin * 100)}%)`;
}

function compareVariant(
  current: VariantReport | undefined,
  base: VariantReport | undefined,
  margin: number,
): VariantDelta {
  const named = (current ?? base)!;
  const now = errorPoint(current);
  const before = errorPoint(base);
  const reasons: string[] = [];
  if (now && before) {
    reasons.push(
      metricRegression('rel_l2', before.rel_l2, now.rel_l2, current!.tolerance.rel_l2, margin),
      metricRegression(
        '1 − cosine',
        before.one_minus_cosine,
        now.one_minus_cosine,
        current!.tolerance.cosine === undefined ? undefined : 1 - current!.tolerance.cosine,
        margin,
      ),
    );
  }
  if (base?.status === 'pass' && current && current.status !== 'pass' && current.status !== 'skipped') {
    reasons.push(`passed on the base branch, now ${current.status}`);
  }
  const reason = reasons.filter((r) => r !== '').join('; ');
  return {
    target: named.target,
    precision: named.precision,
    baseline: before ? { ...before, status: base!.status } : null,
    current: now ? { ...now, status: current!.status } : null,
    growth: {
      rel_l2: now && before ? relativeGrowth(before.rel_l2, now.rel_l2) : null,
      one_minus_cosine: now && before ? relativeGrowth(before.one_minus_cosine, now.one_minus_cosine) : null,
    },
    regressed: reason !== '',
    reason,
  };
}

/**
 * Compares every variant of `current` with the same target/precision in `baseline`; variants
 * only in the baseline are listed too (never a regression: the plan changed).
 */
export function compareWithBaseline(
  current: Report,
  baseline: Report,
  options: { margin: number; source: string },
): BaselineComparison {
  const baseByName = new Map(baseline.variants.map((v) => [variantName(v), v]));
  const seen = new Set<string>();
  const variants: VariantDelta[] = [];
  for (const v of current.variants) {
    seen.add(variantName(v));
    variants.push(compareVariant(v, baseByName.get(variantName(v)), options.margin));
  }
  for (const v of baseline.variants) {
    if (!seen.has(variantName(v))) variants.push(compareVariant(undefined, v, options.margin));
  }
  return {
    source: options.source,
    margin: options.margin,
    regressed: variants.some((v) => v.regressed),
    variants,
  };
}

/** The run's verdict: every variant within tolerance and, when compared, none regressed. */
export function overallPassed(report: Report): boolean {
  return report.passed && !report.baseline?.regressed;
}

/** The variants that regressed, for the step's failure message: "onnx/int4 (rel_l2 0.03 → 0.05 (+67%, margin 10%))". */
export function formatRegressions(comparison: BaselineComparison): string {
  return comparison.variants
    .filter((v) => v.regressed)
    .map((v) => `${variantName(v)} (${v.reason})`)
    .join(', ');
}

function escapeCell(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').replace(/</g, '&lt;');
}

function beforeAndNow(before: number | undefined, now: number | undefined): string {
  return `${before === undefined ? '—' : formatError(before)} → ${now === undefined ? '—' : formatError(now)}`;
}

/** The summary section: one row per variant with both errors before → now and their growth. */
export function renderBaselineSection(comparison: BaselineComparison): string {
  const verdict = comparison.regressed ? '❌ regressed' : '✅ no regression';
  const lines = [
    `### Compared with the base branch — ${verdict}`,
    '',
    `Baseline: ${escapeCell(comparison.source)} · margin +${Math.round(comparison.margin * 100)}% ` +
      `(growth below ${Math.round(NOISE_FLOOR_SHARE_OF_TOLERANCE * 100)}% of a tolerance bound is ignored)`,
    '',
    '| variant | rel_l2 before → now | Δ rel_l2 | 1 − cosine before → now | Δ 1 − cosine | status |',
    '|---|--:|--:|--:|--:|---|',
  ];
  for (const v of comparison.variants) {
    const status = v.regressed
      ? `❌ ${escapeCell(v.reason)}`
      : !v.current
        ? 'not in this run'
        : !v.baseline
          ? 'new'
          : '✅';
    lines.push(
      `| ${escapeCell(variantName(v))} | ${beforeAndNow(v.baseline?.rel_l2, v.current?.rel_l2)} | ` +
        `${formatGrowth(v.growth.rel_l2, v.baseline?.rel_l2, v.current?.rel_l2)} | ` +
        `${beforeAndNow(v.baseline?.one_minus_cosine, v.current?.one_minus_cosine)} | ` +
        `${formatGrowth(v.growth.one_minus_cosine, v.baseline?.one_minus_cosine, v.current?.one_minus_cosine)} | ${status} |`,
    );
  }
  return lines.join('\n');
}
