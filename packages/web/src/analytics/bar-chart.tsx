/**
 * A bar chart drawn as SVG by hand: the page needs plain bars (per day, per group), and a chart
 * library (recharts, chart.js: 50–200 kB) would outweigh the rest of the page. Bars scale to the
 * largest value; each has a tooltip (<title>) and the whole chart a text alternative.
 */
export interface Bar {
  label: string;
  value: number;
}

const WIDTH = 640;
const ROW = 26;
const LABEL_WIDTH = 180;
const HEIGHT = 180;

function describe(title: string, bars: Bar[], format: (n: number) => string): string {
  const top = [...bars].sort((a, b) => b.value - a.value)[0];
  const total = bars.reduce((n, b) => n + b.value, 0);
  return `${title}: ${bars.length} bars, total ${format(total)}${top && top.value > 0 ? `, highest ${top.label} (${format(top.value)})` : ""}`;
}

/** Days along the bottom: one column per bar, the first and last day written under the axis. */
export function ColumnChart({
  title,
  bars,
  format,
}: {
  title: string;
  bars: Bar[];
  format: (n: number) => string;
}) {
  const max = Math.max(0, ...bars.map((b) => b.value));
  const step = bars.length > 0 ? WIDTH / bars.length : WIDTH;
  const gap = Math.min(4, step * 0.2);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT + 20}`} role="img" aria-label={describe(title, bars, format)}>
        <line x1={0} y1={HEIGHT} x2={WIDTH} y2={HEIGHT} className="chart-axis" />
        {bars.map((b, i) => {
          const h = max > 0 ? (b.value / max) * (HEIGHT - 10) : 0;
          return (
            <rect
              key={b.label}
              className="chart-bar"
              x={i * step + gap / 2}
              y={HEIGHT - h}
              width={Math.max(1, step - gap)}
              height={h}
              data-value={b.value}
            >
              <title>{`${b.label}: ${format(b.value)}`}</title>
            </rect>
          );
        })}
        {bars.length > 0 ? (
          <>
            <text x={0} y={HEIGHT + 15} className="chart-label">
              {bars[0]?.label}
            </text>
            <text x={WIDTH} y={HEIGHT + 15} className="chart-label" textAnchor="end">
              {bars.at(-1)?.label}
            </text>
          </>
        ) : null}
      </svg>
    </figure>
  );
}

/** Groups down the side: one row per bar, its label left and its value at the bar's end. */
export function RowChart({
  title,
  bars,
  format,
}: {
  title: string;
  bars: Bar[];
  format: (n: number) => string;
}) {
  const max = Math.max(0, ...bars.map((b) => b.value));
  const room = WIDTH - LABEL_WIDTH - 90;
  const height = Math.max(ROW, bars.length * ROW);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={describe(title, bars, format)}>
        {bars.map((b, i) => {
          const w = max > 0 ? (b.value / max) * room : 0;
          const y = i * ROW;
          return (
            <g key={b.label}>
              <text x={LABEL_WIDTH - 8} y={y + ROW / 2 + 4} className="chart-label" textAnchor="end">
                {b.label.length > 24 ? `${b.label.slice(0, 23)}…` : b.label}
              </text>
              <rect
                className="chart-bar"
                x={LABEL_WIDTH}
                y={y + 4}
                width={Math.max(w, 1)}
                height={ROW - 8}
                data-value={b.value}
              >
                <title>{`${b.label}: ${format(b.value)}`}</title>
              </rect>
              <text x={LABEL_WIDTH + w + 6} y={y + ROW / 2 + 4} className="chart-label">
                {format(b.value)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
