#!/usr/bin/env node
// Renders a model-convert summary.md as a standalone HTML page styled like GitHub's job
// summary, for the README picture (docs/job-summary.png). It understands exactly what
// report/summary.ts writes: headings, paragraphs, pipe tables, <details> blocks, inline code,
// and the ```mermaid quadrantChart, which it draws as inline SVG (no Mermaid library offline).
// Status emoji become coloured glyphs, so the picture needs no emoji font.
//   node scripts/render-summary-html.mjs out/example/summary.md /tmp/job-summary.html

import { readFileSync, writeFileSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node scripts/render-summary-html.mjs <summary.md> <out.html>');
  process.exit(2);
}

const STATUS_GLYPHS = {
  '✅': '<span class="ok">✔</span>',
  '❌': '<span class="bad">✘</span>',
  '⚠️': '<span class="warn">⚠</span>',
  '⏭️': '<span class="skip">»</span>',
};

/** Inline Markdown: `code`, \| and \` escapes; the text is already HTML-escaped by the summary writer. */
function inline(text) {
  return text
    .replace(/\\`/g, '&#96;')
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\\\|/g, '|')
    .replace(/\\\\/g, '\\')
    .replace(/^_(.+)_$/, '<em>$1</em>')
    .replace(/✅|❌|⚠️|⏭️/g, (glyph) => STATUS_GLYPHS[glyph]);
}

function cells(row) {
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

function table(lines) {
  const head = cells(lines[0]);
  const align = cells(lines[1]).map((a) => (a.endsWith(':') ? 'right' : 'left'));
  const row = (values, tag) =>
    `<tr>${values.map((v, i) => `<${tag} style="text-align:${align[i] ?? 'left'}">${inline(v)}</${tag}>`).join('')}</tr>`;
  return `<table><thead>${row(head, 'th')}</thead><tbody>${lines
    .slice(2)
    .map((l) => row(cells(l), 'td'))
    .join('')}</tbody></table>`;
}

/** The quadrantChart as SVG: four shaded quadrants, axis and quadrant labels, one labelled dot per point. */
function quadrantChart(source) {
  const lines = source.split('\n').map((l) => l.trim());
  const value = (prefix) =>
    lines
      .find((l) => l.startsWith(prefix))
      ?.slice(prefix.length)
      .trim() ?? '';
  const axis = (prefix) =>
    value(prefix)
      .split('-->')
      .map((s) => s.trim());
  const [xLow, xHigh] = axis('x-axis');
  const [yLow, yHigh] = axis('y-axis');
  const points = lines
    .map((l) => l.match(/^(.+): \[([\d.]+), ([\d.]+)\]$/))
    .filter(Boolean)
    .map((m) => ({ name: m[1], x: Number(m[2]), y: Number(m[3]) }));
  const size = 340;
  const left = 40;
  const top = 40;
  const half = size / 2;
  const esc = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const quadrant = (n, x, y, fill) =>
    `<rect x="${x}" y="${y}" width="${half}" height="${half}" fill="${fill}"/>` +
    `<text x="${x + half / 2}" y="${y + 22}" text-anchor="middle" class="q">${esc(value(`quadrant-${n}`))}</text>`;
  const dots = points
    .map((p) => {
      const cx = left + p.x * size;
      const cy = top + (1 - p.y) * size;
      return `<circle cx="${cx}" cy="${cy}" r="6" fill="#6f42c1"/><text x="${cx + 10}" y="${cy + 4}" class="p">${esc(p.name)}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size + left + 140}" height="${size + top + 30}" class="chart">
<text x="${left + half}" y="24" text-anchor="middle" class="t">${esc(value('title'))}</text>
${quadrant(2, left, top, '#ece6f7')}${quadrant(1, left + half, top, '#f6eef8')}${quadrant(3, left, top + half, '#e3f1e8')}${quadrant(4, left + half, top + half, '#eef4f9')}
<rect x="${left}" y="${top}" width="${size}" height="${size}" fill="none" stroke="#d0d7de"/>
<text x="${left}" y="${top + size + 20}" class="a">${esc(xLow)}</text><text x="${left + size}" y="${top + size + 20}" text-anchor="end" class="a">${esc(xHigh)}</text>
<text transform="translate(${left - 12},${top + size}) rotate(-90)" class="a">${esc(yLow)}</text><text transform="translate(${left - 12},${top}) rotate(-90)" text-anchor="end" class="a">${esc(yHigh)}</text>
${dots}</svg>`;
}

function render(markdown) {
  const out = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('```')) {
      const body = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
      const code = body.join('\n');
      out.push(code.trim().startsWith('quadrantChart') ? quadrantChart(code) : `<pre>${code}</pre>`);
    } else if (line.startsWith('|')) {
      const block = [];
      for (; i < lines.length && lines[i].startsWith('|'); i++) block.push(lines[i]);
      i--;
      out.push(table(block));
    } else if (line.startsWith('### ')) out.push(`<h3>${inline(line.slice(4))}</h3>`);
    else if (line.startsWith('## ')) out.push(`<h2>${inline(line.slice(3))}</h2>`);
    else if (line.startsWith('<details>') || line.startsWith('</details>')) out.push(line);
    else if (line.trim() !== '') out.push(`<p>${inline(line)}</p>`);
  }
  return out.join('\n');
}

const css = `body{font:14px -apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif;color:#1f2328;margin:0;background:#f6f8fa}
main{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:16px;padding:8px 24px 16px}
h2{font-size:20px;border-bottom:1px solid #d8dee4;padding-bottom:6px}h3{font-size:16px;margin:18px 0 8px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d0d7de;padding:4px 12px}th{background:#f6f8fa}
code{background:#eff1f3;border-radius:4px;padding:1px 5px;font-size:12px}p{margin:8px 0}
.ok{color:#1a7f37;font-weight:700}.bad{color:#cf222e;font-weight:700}.warn{color:#9a6700}.skip{color:#57606a}
.chart .t{font-size:14px;font-weight:600}.chart .q{font-size:12px;fill:#57606a}.chart .a{font-size:11px;fill:#57606a}.chart .p{font-size:12px}`;

writeFileSync(
  output,
  `<!doctype html><html><head><meta charset="utf-8"><title>model-convert job summary</title><style>${css}</style></head><body><main>\n${render(readFileSync(input, 'utf8'))}\n</main></body></html>\n`,
);
