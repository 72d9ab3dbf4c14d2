import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../infra/free-port';
import { completeOnboarding } from '../support/complete-onboarding';
import { runGangway, startDeployment } from '../support/deployment';
import { exposedNames, referencedMetricNames } from '../support/metric-references';

/** One span as OTLP/HTTP JSON carries it, with the service that sent it. */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

/** A collector in miniature: what the real OTLP exporter of `gangway api` and `gangway worker` sends, decoded. */
async function startOtlpReceiver() {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        for (const rs of JSON.parse(body).resourceSpans ?? []) {
          const service = rs.resource.attributes.find((a: any) => a.key === 'service.name')?.value.stringValue;
          for (const ss of rs.scopeSpans ?? [])
            for (const s of ss.spans ?? [])
              spans.push({
                service,
                traceId: s.traceId,
                spanId: s.spanId,
                parentSpanId: s.parentSpanId || undefined,
                name: s.name,
                kind: s.kind,
                attributes: Object.fromEntries(
                  (s.attributes ?? []).map((a: any) => [a.key, Object.values(a.value as object)[0]]),
                ),
              });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const SPAN_KIND_SERVER = 2;

describe('telemetry of the production processes', () => {
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let deployment: Awaited<ReturnType<typeof startDeployment>>;
  let sdkMetricsUrl: string;
  let sdkMetricsAddress: string;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const sdkMetricsPort = await freePort();
    sdkMetricsAddress = `127.0.0.1:${sdkMetricsPort}`;
    sdkMetricsUrl = `http://${sdkMetricsAddress}/metrics`;
    deployment = await startDeployment({
      apis: 1,
      workers: 1,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        // Batches leave every 100 ms rather than every 5 s.
        OTEL_BSP_SCHEDULE_DELAY: '100',
        TEMPORAL_METRICS_ADDRESS: sdkMetricsAddress,
        METRICS_CACHE_TTL: '100ms',
      },
    });
  });
  afterAll(async () => {
    await deployment?.stop();
    await receiver?.close();
  });

  it('traces an onboarding from the HTTP start through the workflow to each activity and its SQL, in one trace', async () => {
    const staff = await deployment.addUser('staff');
    const approver = await deployment.addUser('approver');
    const { started } = await completeOnboarding(deployment, { staffToken: staff.token, approver });

    const startSpan = () =>
      receiver.spans.find(
        (s) =>
          s.service === 'gangway-api' &&
          s.kind === SPAN_KIND_SERVER &&
          s.attributes['http.method'] === 'POST' &&
          s.attributes['http.route'] === '/v1/onboardings',
      );
    const inTrace = () => receiver.spans.filter((s) => s.traceId === startSpan()?.traceId);
    const named = (name: string) => inTrace().filter((s) => s.name === name);
    await until(
      () =>
        // The workflow's span ends with the workflow, after its last activity's.
        named('RunWorkflow:onboardingWorkflow').length > 0 &&
        named('RunActivity:deliverKit').length > 0 &&
        inTrace().some((s) => s.service === 'gangway-worker' && s.attributes['db.system'] === 'postgresql'),
    );

    const post = startSpan()!;
    const byId = new Map(inTrace().map((s) => [s.spanId, s]));
    const ancestors = (span: ReceivedSpan): ReceivedSpan[] => {
      const parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
      return parent ? [parent, ...ancestors(parent)] : [];
    };
    // The client's StartWorkflow under the HTTP span, the workflow's run under it, on the other process.
    const [startWorkflow] = named('StartWorkflow:onboardingWorkflow');
    expect(startWorkflow).toMatchObject({ service: 'gangway-api' });
    expect(ancestors(startWorkflow)).toContain(post);
    const [run] = named('RunWorkflow:onboardingWorkflow');
    expect(run).toMatchObject({ service: 'gangway-worker', attributes: { workflowId: started.workflowId } });
    expect(ancestors(run)).toContain(startWorkflow);
    // Each activity under the workflow, CREATE_TENANT's among them, and its SQL under the activity.
    const [createTenant] = named('RunActivity:createTenant');
    expect(createTenant.service).toBe('gangway-worker');
    expect(ancestors(createTenant)).toContain(run);
    const sql = inTrace().filter(
      (s) => s.attributes['db.system'] === 'postgresql' && ancestors(s).includes(createTenant),
    );
    expect(sql.length).toBeGreaterThan(0);
    expect(sql.map((s) => s.attributes['db.statement']).join('\n')).toMatch(/INSERT INTO tenants/);
    // Nothing a span records carries a bound value: statements keep their $n.
    for (const s of sql) expect(Object.keys(s.attributes)).not.toContain('db.postgresql.values');
  });

  it('serves every metric the dashboard and the alerts read, the business figures from PostgreSQL among them', async () => {
    // After the first test: one onboarding COMPLETED, its approvals decided, its webhooks and mails out.
    const api = await fetch(`${deployment.apis[0].url}/metrics`).then((r) => r.text());
    const sdk = await fetch(sdkMetricsUrl).then((r) => r.text());
    const exposed = new Set([...exposedNames(api), ...exposedNames(sdk)]);
    const missing = [...referencedMetricNames()]
      .filter(([name]) => !exposed.has(name))
      .map(([name, sources]) => `${name} (${sources.join(', ')})`);
    expect(missing).toEqual([]);

    expect(sample(api, 'gangway_onboardings{status="COMPLETED"}')).toBe(1);
    expect(sample(api, 'gangway_onboardings_completed_24h')).toBe(1);
    expect(sample(api, 'gangway_time_to_complete_seconds{quantile="0.5"}')).toBeGreaterThan(0);
    expect(sample(api, 'gangway_approvals_decided_24h')).toBe(2);
    expect(sample(api, 'gangway_approvals_pending')).toBe(0);
    expect(sample(api, 'gangway_mail_unsent')).toBe(0);
    expect(
      sample(api, 'gangway_http_request_duration_seconds_count{method="POST",route="/v1/onboardings",status="202"}'),
    ).toBe(1);
    // The worker polls: the alert on a worker without pollers stays quiet.
    expect(sample(sdk, 'temporal_num_pollers', { sum: true })).toBeGreaterThan(0);
  });

  it('stops a second worker at start, in one line, when its metrics address is taken (by the first)', async () => {
    const second = runGangway(['worker'], { ...deployment.env, WORKER_HEALTH_PORT: String(await freePort()) });
    expect(await second.exited).toEqual({ code: 2, signal: null });
    expect(second.output().trim()).toMatch(
      new RegExp(
        `^gangway: TEMPORAL_METRICS_ADDRESS=${sdkMetricsAddress}: Failed to start prometheus metrics exporter`,
      ),
    );
    expect(second.output().trim().split('\n')).toHaveLength(1);
  });

  it('keeps one-time tokens out of the spans of token links', async () => {
    await deployment.http('GET', '/collect/not-a-real-token-0123456789');
    await until(() => receiver.spans.some((s) => s.attributes['http.route'] === '/collect/:token'));
    const spans = receiver.spans.filter((s) => JSON.stringify(s).includes('not-a-real-token'));
    expect(spans).toEqual([]);
  });
});

/** The value of one sample of an exposition (label sets match as written), or the sum over every label set. */
function sample(text: string, series: string, options: { sum?: boolean } = {}): number | undefined {
  const values = text
    .split('\n')
    .filter((line) =>
      options.sum ? line.startsWith(`${series}{`) || line.startsWith(`${series} `) : line.startsWith(`${series} `),
    )
    .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0);
}

/** Polls until the condition holds: spans reach the receiver in batches. */
async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
