import { readFileSync } from 'node:fs';

interface Panel {
  title?: string;
  targets?: Array<{ expr?: string; refId?: string }>;
  panels?: Panel[];
}

interface Dashboard {
  panels: Panel[];
  templating?: { list: Array<{ name: string; type: string; query: string }> };
}

/** One query of a dashboard panel, its constant variables substituted as Grafana would. */
export interface PanelQuery {
  panel: string;
  refId: string;
  expr: string;
}

/** Every panel query of a Grafana dashboard JSON file, rows' nested panels included. */
export function dashboardQueries(file: string): PanelQuery[] {
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
  const constants = (dashboard.templating?.list ?? []).filter((v) => v.type === 'constant');
  const substitute = (expr: string) =>
    constants.reduce(
      (text, v) => text.replaceAll(`\${${v.name}}`, v.query).replaceAll(`$${v.name}`, v.query),
      expr,
    );
  const queries: PanelQuery[] = [];
  const visit = (panels: Panel[]) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? [])
        if (target.expr)
          queries.push({
            panel: panel.title ?? '(untitled)',
            refId: target.refId ?? '?',
            expr: substitute(target.expr),
          });
      visit(panel.panels ?? []);
    }
  };
  visit(dashboard.panels);
  return queries;
}

/** The metric names a PromQL expression reads (ours and prom-client's defaults; `up`). */
export function metricNamesIn(expr: string): string[] {
  const names = expr.match(/\b(?:microraiden|process|nodejs)_[a-z0-9_]+\b|\bup\b(?=\s*[{=<>!])/g) ?? [];
  return [...new Set(names)];
}
