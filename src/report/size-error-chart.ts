// The summary's Mermaid chart of size against error: a quadrantChart (a scatter plot that
// GitHub renders in Markdown) with one point per verified variant. x is the variant's size
// relative to the source model (compression), y its worst rel_l2 on a log scale from 1e-7
// (bottom) to 1 (top). Mermaid's point grammar takes coordinates 0, 1 or 0.ddd only, and
// names of letters, digits, spaces and a few marks, so both are normalised here.
//   const markdown = renderSizeErrorChart(report.variants); // '' when no variant has metrics

import type { VariantReport } from './types.js';

/** rel_l2 at the bottom and top of the chart (log scale). */
export const CHART_REL_L2_RANGE: readonly [number, number] = [1e-7, 1];

/** Points stay this far inside the unit square so that labels are not cut off. */
const EDGE_MARGIN = 0.03;

/** A coordinate in [EDGE_MARGIN, 1 − EDGE_MARGIN] as Mermaid's lexer accepts it ("0.123"). */
function coordinate(value: number): string {
  const clamped = Math.min(1 - EDGE_MARGIN, Math.max(EDGE_MARGIN, Number.isFinite(value) ? value : 1));
  return clamped.toFixed(3);
}

/** rel_l2 → [0, 1] on the log scale of CHART_REL_L2_RANGE. */
export function errorCoordinate(relL2: number): number {
  const [low, high] = CHART_REL_L2_RANGE;
  if (!(relL2 > low)) return 0;
  return Math.min(1, (Math.log10(relL2) - Math.log10(low)) / (Math.log10(high) - Math.log10(low)));
}

/** A point label Mermaid parses: "onnx int4", "webgpu fp16 fail". */
function pointName(variant: VariantReport): string {
  const words = [variant.target, variant.precision, variant.status === 'pass' ? '' : variant.status]
    .map((word) => word.replace(/[^A-Za-z0-9]+/g, ' ').trim())
    .filter((word) => word !== '');
  const name = words.join(' ');
  return /^[A-Za-z]/.test(name) ? name : `v ${name}`;
}

/** The ```mermaid block and a one-line legend; '' when no variant was verified. */
export function renderSizeErrorChart(variants: VariantReport[]): string {
  const plotted = variants.filter((v) => v.metrics && (v.files.length > 0 || v.bytes > 0));
  if (plotted.length === 0) return '';
  const widest = Math.max(1, ...plotted.map((v) => (Number.isFinite(v.compression) ? v.compression : 0)));
  const lines = [
    '```mermaid',
    'quadrantChart',
    '  title Size against error, one point per variant',
    '  x-axis Smaller --> Larger',
    '  y-axis Lower rel_l2 --> Higher rel_l2',
    '  quadrant-1 Large and inaccurate',
    '  quadrant-2 Small but inaccurate',
    '  quadrant-3 Small and accurate',
    '  quadrant-4 Large and accurate',
  ];
  for (const v of plotted) {
    const x = coordinate(v.compression / widest);
    const y = coordinate(errorCoordinate(v.metrics!.rel_l2));
    lines.push(`  ${pointName(v)}: [${x}, ${y}]`);
  }
  lines.push('```');
  const [low, high] = CHART_REL_L2_RANGE;
  const legend =
    `x: size relative to the source model (right edge ${widest.toFixed(2)}×); ` +
    `y: rel_l2, log scale from ${low.toExponential(0)} (bottom) to ${high} (top).`;
  return `${lines.join('\n')}\n\n${legend}`;
}
