import { percentile } from './stats';

export interface Series {
  label: string;
  values?: number[];
  percentiles?: { p5?: number; p25: number; p50: number; p75: number; p95: number };
}
export interface Panel {
  title: string;
  unit: string;
  series: Series[];
}

const esc = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);

function summary(s: Series) {
  if (s.percentiles) return { p5: s.percentiles.p5 ?? s.percentiles.p25, ...s.percentiles };
  const v = s.values ?? [];
  return {
    p5: percentile(v, 5),
    p25: percentile(v, 25),
    p50: percentile(v, 50),
    p75: percentile(v, 75),
    p95: percentile(v, 95),
  };
}

/** Horizontal box plots (whiskers p5–p95, box p25–p75, line at the median), one panel per scenario. */
export function boxPlots(panels: Panel[]): string {
  const width = 760;
  const left = 150;
  const plotWidth = width - left - 30;
  const rowHeight = 26;
  let y = 20;
  const parts: string[] = [];
  for (const panel of panels) {
    const stats = panel.series.map(summary);
    const max = Math.max(...stats.map((s) => s.p95).filter(Number.isFinite), 1) * 1.1;
    const x = (v: number) => left + (Math.max(0, v) / max) * plotWidth;
    parts.push(`<text x="10" y="${y + 14}" font-weight="bold">${esc(panel.title)} (${esc(panel.unit)})</text>`);
    y += 24;
    panel.series.forEach((s, i) => {
      const st = stats[i];
      const mid = y + rowHeight / 2;
      parts.push(
        `<text x="10" y="${mid + 4}">${esc(s.label)}</text>`,
        `<line x1="${x(st.p5)}" x2="${x(st.p95)}" y1="${mid}" y2="${mid}" stroke="#555"/>`,
        `<rect x="${x(st.p25)}" y="${y + 5}" width="${Math.max(1, x(st.p75) - x(st.p25))}" height="${rowHeight - 10}" fill="${i === 0 ? '#7aa6d8' : '#ccc'}" stroke="#333"/>`,
        `<line x1="${x(st.p50)}" x2="${x(st.p50)}" y1="${y + 3}" y2="${y + rowHeight - 3}" stroke="#000" stroke-width="2"/>`,
        `<text x="${x(st.p95) + 4}" y="${mid + 4}" font-size="10" fill="#333">p50 ${st.p50.toFixed(1)}</text>`,
      );
      y += rowHeight;
    });
    parts.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${y + 2}" y2="${y + 2}" stroke="#999"/>`);
    for (let t = 0; t <= 4; t++) {
      const v = (max * t) / 4;
      parts.push(`<text x="${x(v) - 10}" y="${y + 16}" font-size="10" fill="#555">${v.toFixed(v < 10 ? 1 : 0)}</text>`);
    }
    y += 34;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#fff"/>
${parts.join('\n')}
</svg>
`;
}
