import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.join(__dirname, '..', '..');
export const DASHBOARD = path.join(ROOT, 'docs', 'grafana', 'gangway.json');
export const ALERTS = path.join(ROOT, 'docs', 'prometheus', 'alerts.yml');

/** Every PromQL expression of the Grafana dashboard (each panel's targets) and of the alert rules. */
export function referencedExpressions(): { source: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
  const alerts = parse(readFileSync(ALERTS, 'utf8'));
  return [
    ...dashboard.panels.flatMap((p: any) =>
      (p.targets ?? []).map((t: any) => ({ source: `dashboard: ${p.title}`, expr: String(t.expr) })),
    ),
    ...alerts.groups.flatMap((g: any) =>
      g.rules.map((r: any) => ({ source: `alert ${r.alert}`, expr: String(r.expr) })),
    ),
  ];
}

/** The metric names an expression reads: ours and the Temporal SDK's (functions, labels and keywords are not). */
export function metricNamesIn(expr: string): string[] {
  const withoutLabels = expr.replace(/\{[^}]*\}/g, '').replace(/\b(by|without)\s*\([^)]*\)/g, '');
  return [...new Set(withoutLabels.match(/\b(gangway|temporal)_[a-z0-9_]+\b/g) ?? [])];
}

/** Every metric name referenced, with where. */
export function referencedMetricNames(): Map<string, string[]> {
  const names = new Map<string, string[]>();
  for (const { source, expr } of referencedExpressions())
    for (const name of metricNamesIn(expr)) names.set(name, [...(names.get(name) ?? []), source]);
  return names;
}

/** The sample names of a Prometheus text exposition (a histogram's _bucket, _sum and _count included). */
export function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (match) names.add(match[1]);
  }
  return names;
}
