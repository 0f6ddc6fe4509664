import { useId } from 'react';

export interface Series {
  name: string;
  colour: string;
  values: number[];
}

const W = 640;
const H = 220;
const PAD = { top: 12, right: 12, bottom: 36, left: 56 };

/** A round axis maximum: four equal steps of 1, 2, 2.5 or 5 × a power of ten (so ticks read ₹10, ₹20…). */
function niceMax(value: number): number {
  if (value <= 0) return 4;
  const quarter = value / 4;
  const magnitude = 10 ** Math.floor(Math.log10(quarter));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= quarter) return 4 * step * magnitude;
  return 40 * magnitude;
}

/**
 * Grouped bars (one group per label, one bar per series), with a title and a text description for screen
 * readers, and a legend. `format` writes the axis and tooltip values.
 */
export function BarChart(props: {
  title: string;
  description: string;
  labels: string[];
  series: Series[];
  format?: (n: number) => string;
  stacked?: boolean;
}) {
  const id = useId();
  const format = props.format ?? String;
  const { labels, series } = props;
  const totals = labels.map((_, i) =>
    props.stacked
      ? series.reduce((sum, s) => sum + Math.max(0, s.values[i] ?? 0), 0)
      : Math.max(0, ...series.map((s) => s.values[i] ?? 0)),
  );
  const max = niceMax(Math.max(0, ...totals));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const groupW = plotW / Math.max(1, labels.length);
  const barW = props.stacked ? groupW * 0.6 : (groupW * 0.75) / Math.max(1, series.length);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  const labelEvery = Math.ceil(labels.length / 10);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <title id={`${id}-t`}>{props.title}</title>
        <desc id={`${id}-d`}>{props.description}</desc>
        {ticks.map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} className="grid" />
            <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end" className="axis">
              {format(v)}
            </text>
          </g>
        ))}
        {labels.map((label, i) => {
          const x0 = PAD.left + i * groupW;
          let stackTop = 0;
          return (
            <g key={label}>
              {series.map((s, j) => {
                const v = Math.max(0, s.values[i] ?? 0);
                const x = props.stacked ? x0 + (groupW - barW) / 2 : x0 + groupW * 0.125 + j * barW;
                const top = props.stacked ? y(stackTop + v) : y(v);
                const height = props.stacked ? y(stackTop) - y(stackTop + v) : y(0) - y(v);
                if (props.stacked) stackTop += v;
                return (
                  <rect key={s.name} x={x} y={top} width={Math.max(1, barW - 2)} height={height} fill={s.colour}>
                    <title>{`${label} · ${s.name}: ${format(v)}`}</title>
                  </rect>
                );
              })}
              {i % labelEvery === 0 && (
                <text x={x0 + groupW / 2} y={H - PAD.bottom + 16} textAnchor="middle" className="axis">
                  {label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <Legend series={series} />
    </figure>
  );
}

function Legend({ series }: { series: Array<{ name: string; colour: string }> }) {
  return (
    <figcaption className="legend">
      {series.map((s) => (
        <span key={s.name}>
          <i style={{ background: s.colour }} aria-hidden="true" /> {s.name}
        </span>
      ))}
    </figcaption>
  );
}

/** A donut of parts of a whole, with the total in the middle. */
export function Donut(props: {
  title: string;
  parts: Array<{ name: string; colour: string; value: number }>;
  centre: string;
  centreLabel: string;
}) {
  const id = useId();
  const total = props.parts.reduce((sum, p) => sum + p.value, 0);
  const r = 52;
  const c = 2 * Math.PI * r;
  let offset = 0;
  return (
    <figure className="chart donut">
      <svg viewBox="0 0 140 140" role="img" aria-labelledby={`${id}-t`}>
        <title id={`${id}-t`}>{`${props.title}: ${props.parts.map((p) => `${p.name} ${p.value}`).join(', ')}`}</title>
        <circle cx="70" cy="70" r={r} className="donut-track" />
        {total > 0 &&
          props.parts.map((p) => {
            const length = (p.value / total) * c;
            const arc = (
              <circle
                key={p.name}
                cx="70"
                cy="70"
                r={r}
                fill="none"
                stroke={p.colour}
                strokeWidth="18"
                strokeDasharray={`${length} ${c - length}`}
                strokeDashoffset={-offset}
                transform="rotate(-90 70 70)"
              />
            );
            offset += length;
            return arc;
          })}
        <text x="70" y="68" textAnchor="middle" className="donut-value">
          {props.centre}
        </text>
        <text x="70" y="86" textAnchor="middle" className="donut-label">
          {props.centreLabel}
        </text>
      </svg>
      <Legend series={props.parts.map((p) => ({ name: `${p.name}: ${p.value}`, colour: p.colour }))} />
    </figure>
  );
}
