/** One series of an instant query's answer. */
export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

interface ApiAnswer<T> {
  status: 'success' | 'error';
  data: T;
  errorType?: string;
  error?: string;
}

/** The small part of Prometheus' HTTP API (/api/v1) the monitoring test reads. */
export class PrometheusApi {
  constructor(private readonly url: string) {}

  /** An instant query; throws with Prometheus' own message when the PromQL is invalid. */
  async query(promql: string): Promise<Sample[]> {
    const data = await this.get<{ resultType: string; result: Sample[] | [number, string] }>(
      `/api/v1/query?query=${encodeURIComponent(promql)}`,
    );
    if (data.resultType !== 'vector') throw new Error(`${promql}: a ${data.resultType}, not a vector`);
    return data.result as Sample[];
  }

  /** Scrape targets with their health. */
  async targets(): Promise<Array<{ job: string; instance: string; health: string; lastError: string }>> {
    const data = await this.get<{
      activeTargets: Array<{ labels: Record<string, string>; health: string; lastError: string }>;
    }>('/api/v1/targets?state=active');
    return data.activeTargets.map((t) => ({
      job: t.labels.job!,
      instance: t.labels.instance!,
      health: t.health,
      lastError: t.lastError,
    }));
  }

  /** Every loaded alerting rule with its query and evaluation health. */
  async alertRules(): Promise<Array<{ name: string; query: string; health: string; lastError?: string }>> {
    const data = await this.get<{
      groups: Array<{
        rules: Array<{ type: string; name: string; query: string; health: string; lastError?: string }>;
      }>;
    }>('/api/v1/rules?type=alert');
    return data.groups.flatMap((g) => g.rules);
  }

  /** Names of every metric Prometheus holds series of. */
  async metricNames(): Promise<Set<string>> {
    return new Set(await this.get<string[]>('/api/v1/label/__name__/values'));
  }

  /**
   * Names of every metric a target declared (its HELP and TYPE lines), also those without a series yet; a
   * histogram or summary under its base name.
   */
  async declaredMetrics(): Promise<Set<string>> {
    return new Set(Object.keys(await this.get<Record<string, unknown>>('/api/v1/metadata')));
  }

  private async get<T>(path: string): Promise<T> {
    const response = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(10_000) });
    const body = (await response.json()) as ApiAnswer<T>;
    if (body.status !== 'success') throw new Error(`${path}: ${body.errorType ?? ''} ${body.error ?? ''}`);
    return body.data;
  }
}
