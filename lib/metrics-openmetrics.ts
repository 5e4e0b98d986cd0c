import type { Metric, Registry } from 'prom-client';

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** True when a scraper's Accept header prefers OpenMetrics (Prometheus sends it when it stores exemplars). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return (accept ?? '').includes('application/openmetrics-text');
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function labelText(labels: Record<string, string | number | undefined>): string {
  const parts = Object.entries(labels)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}="${escapeLabel(k === 'le' && typeof v === 'number' ? num(v) : String(v))}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

interface Sample {
  value: number;
  labels: Record<string, string | number | undefined>;
  metricName?: string;
  exemplar?: { labelSet: Record<string, string | number>; value: number; timestamp: number } | null;
}

/**
 * The registry in OpenMetrics 1.0 text, exemplars included. prom-client renders OpenMetrics only
 * for a registry created in that mode, and doing so renames its counters in place, which would
 * break the Prometheus text served from the same registry; so the text is written here from the
 * metrics' values instead.
 */
export async function openMetricsText(registry: Registry): Promise<string> {
  const out: string[] = [];
  for (const m of registry.getMetricsAsArray() as unknown as Metric[]) {
    const data = (await m.get()) as unknown as { name: string; help: string; type: string; values: Sample[] };
    const isCounter = data.type === 'counter';
    // OpenMetrics names a counter family without `_total` and its sample with it.
    const family = isCounter ? data.name.replace(/_total$/, '') : data.name;
    const type = data.type === 'summary' || data.type === 'histogram' || data.type === 'counter' || data.type === 'gauge' ? data.type : 'unknown';
    out.push(`# TYPE ${family} ${type}`, `# HELP ${family} ${escapeHelp(data.help)}`);
    for (const s of data.values) {
      const name = isCounter ? `${family}_total` : (s.metricName ?? family);
      let line = `${name}${labelText(s.labels)} ${num(s.value)}`;
      const ex = s.exemplar;
      if (ex && Object.keys(ex.labelSet ?? {}).length > 0 && (isCounter || name.endsWith('_bucket'))) {
        line += ` # ${labelText(ex.labelSet)} ${num(ex.value)} ${ex.timestamp.toFixed(3)}`;
      }
      out.push(line);
    }
  }
  out.push('# EOF');
  return `${out.join('\n')}\n`;
}
