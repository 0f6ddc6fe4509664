import { useId, useLayoutEffect, useRef, useState, type RefObject } from 'react';

export interface Series {
  name: string;
  colour: string;
  values: number[];
}

const H = 240;
/** The width to lay out for before the figure has been measured. */
const FALLBACK_W = 560;
const FONT = 12;
/** Rough width of one character of the axis font, where the browser cannot measure text. */
const CHAR_W = FONT * 0.62;

/**
 * Round axis bounds: steps of 1, 2, 2.5 or 5 × a power of ten (1, 2 or 5 for counts, never below 1), about four
 * of them, always including zero.
 */
function niceScale(min: number, max: number, integer: boolean): { lo: number; hi: number; step: number } {
  const raw = (max - min) / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const steps = integer ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10];
  let step = (steps.find((s) => s * magnitude >= raw) ?? 10) * magnitude;
  if (integer) step = Math.max(1, step);
  return { lo: Math.floor(min / step) * step, hi: Math.ceil(max / step) * step, step };
}

let measuring: CanvasRenderingContext2D | null | undefined;

/** A text's width in the axis font, measured by the browser (an estimate where no canvas is available). */
function textWidth(text: string): number {
  if (measuring === undefined) {
    measuring = document.createElement('canvas').getContext('2d');
    if (measuring) measuring.font = `${FONT}px ${getComputedStyle(document.body).fontFamily}`;
  }
  return measuring ? measuring.measureText(text).width : text.length * CHAR_W;
}

/** A label on one line, else split at a space into two, each line shortened with "…" where it still does not fit. */
function fitLines(label: string, room: number): string[] {
  if (textWidth(label) <= room) return [label];
  const words = label.split(' ');
  for (let cut = words.length - 1; cut > 0; cut--) {
    const lines = [words.slice(0, cut).join(' '), words.slice(cut).join(' ')];
    if (lines.every((line) => textWidth(line) <= room)) return lines;
  }
  const lines = words.length > 1 ? [words[0]!, words.slice(1).join(' ')] : [label];
  return lines.map((line) => {
    let cut = line.length - 1;
    while (cut > 1 && textWidth(`${line.slice(0, cut)}…`) > room) cut--;
    return textWidth(line) <= room ? line : `${line.slice(0, cut)}…`;
  });
}

/**
 * The element's width in CSS pixels, followed as it changes: the chart lays itself out for it (one SVG unit = one
 * pixel), so its text keeps the page's size at any width instead of being scaled with the drawing.
 */
function useWidth<E extends HTMLElement>(): [RefObject<E | null>, number] {
  const ref = useRef<E>(null);
  const [width, setWidth] = useState(FALLBACK_W);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => {
      const next = Math.floor(element.getBoundingClientRect().width);
      if (next > 0) setWidth(next);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/**
 * The one chart of the portal: grouped bars, stacked bars or a line over a category axis, with labelled axes, a
 * legend, a tooltip per mark, a title and summary for screen readers and (unless a visible table beside it has the
 * figures) the figures as a table that only screen readers reach. Negative values go below a zero line.
 */
export function Chart(props: {
  title: string;
  /** One sentence on what the chart shows, read with its title. */
  summary: string;
  kind?: 'bars' | 'stacked' | 'line';
  labels: string[];
  /** The labels are successive days or months: some may be left out where they do not all fit. */
  timeAxis?: boolean;
  series: Series[];
  xLabel: string;
  yLabel: string;
  /** Axis ticks (short: ₹1.2K). */
  formatAxis?: (n: number) => string;
  /** Tooltips and the table (exact: ₹1,234.56). */
  formatValue?: (n: number) => string;
  /** Counts: whole-number ticks. */
  integer?: boolean;
  /** Shown in the plot when every value is zero, so an empty chart reads as "nothing yet", not as broken. */
  emptyNote?: string;
  /** False when a table beside the chart already shows its figures. */
  dataTable?: boolean;
  /** Row headers for the table when the axis labels are abbreviated (full dates). */
  tableLabels?: string[];
  /** Extra table columns that are not drawn (a line's daily in and out). */
  tableSeries?: Series[];
}) {
  const id = useId();
  const [figure, W] = useWidth<HTMLElement>();
  const kind = props.kind ?? 'bars';
  const formatAxis = props.formatAxis ?? String;
  const formatValue = props.formatValue ?? formatAxis;
  const { labels, series } = props;
  const value = (s: Series, i: number) => s.values[i] ?? 0;

  // The range to draw: stacked bars stack their positive parts; everything starts from zero.
  const tops = labels.map((_, i) =>
    kind === 'stacked' ? series.reduce((sum, s) => sum + Math.max(0, value(s, i)), 0) : 0,
  );
  const all = kind === 'stacked' ? tops : series.flatMap((s) => labels.map((_, i) => value(s, i)));
  const min = Math.min(0, ...all);
  const max = Math.max(0, ...all);
  const empty = min === 0 && max === 0;
  const { lo, hi, step } = empty ? { lo: 0, hi: 1, step: 1 } : niceScale(min, max, props.integer ?? false);
  const ticks = empty
    ? [0]
    : Array.from({ length: Math.round((hi - lo) / step) + 1 }, (_, k) => Number((lo + k * step).toPrecision(12)));

  // Room for the longest tick label and the rotated axis title on the left; category labels and title below.
  const tickRoom = Math.max(...ticks.map((v) => textWidth(formatAxis(v))));
  const left = Math.ceil(tickRoom) + 32;
  const right = 14;
  const plotW = W - left - right;
  const groupW = plotW / Math.max(1, labels.length);
  // Categories (buckets, platforms) each keep their label, on two lines or shortened with "…" if need be (the
  // full one is its tooltip); along time (days, months) every n-th label shows, so none touches its neighbour.
  const room = groupW - 8;
  const labelLines = labels.map((label) => (props.timeAxis ? [label] : fitLines(label, room)));
  const lineCount = Math.max(1, ...labelLines.map((l) => l.length));
  const labelEvery = props.timeAxis ? Math.max(1, Math.ceil((Math.max(0, ...labels.map(textWidth)) + 10) / groupW)) : 1;
  const pad = { top: 14, right, bottom: 36 + lineCount * (FONT + 2), left };
  const plotH = H - pad.top - pad.bottom;
  const y = (v: number) => pad.top + ((hi - v) / (hi - lo)) * plotH;
  const centre = (i: number) => pad.left + i * groupW + groupW / 2;

  // Bars keep a readable width however few categories share a wide chart.
  const barW =
    kind === 'stacked' ? Math.min(groupW * 0.6, 64) : Math.min((groupW * 0.75) / Math.max(1, series.length), 32);
  const bars = labels.map((label, i) => {
    let stackTop = 0;
    const marks = series.map((s, j) => {
      const v = value(s, i);
      let top: number;
      let bottom: number;
      let x: number;
      if (kind === 'stacked') {
        const part = Math.max(0, v);
        top = y(stackTop + part);
        bottom = y(stackTop);
        stackTop += part;
        x = centre(i) - barW / 2;
      } else {
        top = y(Math.max(0, v));
        bottom = y(Math.min(0, v));
        x = centre(i) - (series.length * barW) / 2 + j * barW;
      }
      if (bottom - top <= 0) return null;
      return (
        <rect key={s.name} x={x} y={top} width={Math.max(1, barW - 2)} height={bottom - top} fill={s.colour}>
          <title>{`${props.tableLabels?.[i] ?? label} · ${s.name}: ${formatValue(v)}`}</title>
        </rect>
      );
    });
    return <g key={i}>{marks}</g>;
  });

  const lines = series.map((s) => {
    const points = labels.map((_, i) => `${centre(i)},${y(value(s, i))}`);
    const area = `${centre(0)},${y(0)} ${points.join(' ')} ${centre(labels.length - 1)},${y(0)}`;
    return (
      <g key={s.name}>
        <polygon points={area} fill={s.colour} opacity={0.12} />
        <polyline points={points.join(' ')} fill="none" stroke={s.colour} strokeWidth={2.5} strokeLinejoin="round" />
        {labels.map((label, i) => (
          <circle key={i} cx={centre(i)} cy={y(value(s, i))} r={labels.length > 20 ? 2.5 : 3.5} fill={s.colour}>
            <title>{`${props.tableLabels?.[i] ?? label} · ${s.name}: ${formatValue(value(s, i))}`}</title>
          </circle>
        ))}
      </g>
    );
  });

  return (
    <figure className="chart" ref={figure}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <title id={`${id}-t`}>{props.title}</title>
        <desc id={`${id}-d`}>{props.summary}</desc>
        {ticks.map((v) => (
          <g key={v}>
            <line x1={pad.left} x2={W - pad.right} y1={y(v)} y2={y(v)} className={v === 0 ? 'zero' : 'grid'} />
            <text x={pad.left - 6} y={y(v) + FONT / 3} textAnchor="end" className="axis">
              {formatAxis(v)}
            </text>
          </g>
        ))}
        {kind === 'line' && !empty ? lines : bars}
        {labelLines.map((words, i) =>
          i % labelEvery === 0 ? (
            <text key={i} x={centre(i)} y={H - pad.bottom + 17} textAnchor="middle" className="axis">
              {words.join(' ') !== labels[i] && <title>{labels[i]}</title>}
              {words.map((line, n) => (
                <tspan key={n} x={centre(i)} dy={n === 0 ? 0 : FONT + 2}>
                  {line}
                </tspan>
              ))}
            </text>
          ) : null,
        )}
        {empty && props.emptyNote && (
          <text x={pad.left + plotW / 2} y={pad.top + plotH / 2} textAnchor="middle" className="empty-note">
            {props.emptyNote}
          </text>
        )}
        <text
          x={14}
          y={pad.top + plotH / 2}
          transform={`rotate(-90 14 ${pad.top + plotH / 2})`}
          textAnchor="middle"
          className="axis-title"
        >
          {props.yLabel}
        </text>
        <text x={pad.left + plotW / 2} y={H - 8} textAnchor="middle" className="axis-title">
          {props.xLabel}
        </text>
      </svg>
      {props.dataTable !== false && (
        <table className="visually-hidden">
          <caption>{props.title}</caption>
          <thead>
            <tr>
              <th scope="col">{props.xLabel}</th>
              {[...series, ...(props.tableSeries ?? [])].map((s) => (
                <th scope="col" key={s.name}>
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((label, i) => (
              <tr key={i}>
                <th scope="row">{props.tableLabels?.[i] ?? label}</th>
                {[...series, ...(props.tableSeries ?? [])].map((s) => (
                  <td key={s.name}>{formatValue(value(s, i))}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
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
