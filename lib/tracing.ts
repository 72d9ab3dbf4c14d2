/* eslint-disable @typescript-eslint/no-require-imports -- the OpenTelemetry SDK loads only when tracing is on */
import type { IncomingMessage } from 'node:http';
import type { Span } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { InjectedSinks, WorkerInterceptors } from '@temporalio/worker';

/**
 * OpenTelemetry tracing, one trace from an HTTP request through the workflow it starts and each activity
 * and query it runs: the http, express and pg instrumentations, and the Temporal SDK's interceptors (the
 * client's in the API, the activities' and the workflow-span sink in the worker, the workflow's in the
 * bundle: workflows/tracing-interceptors.ts).
 *
 * Off unless OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set: then nothing of the
 * SDK is even loaded. The provider is process-wide by OpenTelemetry's design, so this module keeps the one
 * it started; the instrumentations patch http, express and pg only if they are registered before those
 * load, which is why the entry points import lib/tracing-entry.ts first.
 */
export interface Tracing {
  processor: SpanProcessor;
  resource: Resource;
  shutdown(): Promise<void>;
}

let current: Tracing | undefined;

export function tracingRequested(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** Paths whose last segment is a one-time token: recorded with `:token` instead, like the logs' route. */
const TOKEN_PATH = /^(\/(?:v1\/)?(?:collect|kits?|set-password)\/)[^/?#]+/;

export function redactTokenPath(target: string): string {
  return target.replace(TOKEN_PATH, '$1:token');
}

/**
 * Starts the SDK: spans batched to OTLP/HTTP (the exporter reads the OTEL_EXPORTER_OTLP_* and OTEL_BSP_*
 * variables itself). Once per process; a second call returns the first one.
 */
export function startTracing(options: { serviceName: string }): Tracing {
  if (current) return current;
  const { NodeTracerProvider } =
    require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor } =
    require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { Resource } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { registerInstrumentations } =
    require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { ExpressInstrumentation } =
    require('@opentelemetry/instrumentation-express') as typeof import('@opentelemetry/instrumentation-express');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');

  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const exporter = new OTLPTraceExporter();
  const resource = new Resource({ 'service.name': options.serviceName });
  const processor = new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // The global W3C propagator and AsyncLocalStorage context, which the Temporal interceptors use too.
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        // Collector, kit and set-password links carry their token in the path: it must not reach a trace.
        requestHook: (span: Span, request) => {
          const url = (request as IncomingMessage).url;
          if (url !== undefined && TOKEN_PATH.test(url)) {
            const path = redactTokenPath(url);
            span.setAttribute('http.target', path);
            span.setAttribute('url.path', path);
            span.setAttribute('http.url', `http://${(request as IncomingMessage).headers.host ?? ''}${path}`);
          }
        },
        // Probes and scrapes every few seconds would drown the traces that matter.
        ignoreIncomingRequestHook: (request) => /^\/(healthz|readyz|metrics)\b/.test(request.url ?? ''),
      }),
      new ExpressInstrumentation(),
      // Statements as written, with $1…$n: the values (secrets among them) are never recorded.
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  current = {
    processor,
    resource,
    async shutdown() {
      unregister();
      await provider.shutdown();
      current = undefined;
    },
  };
  return current;
}

/**
 * What an entry point calls before it loads anything else, when OTEL_EXPORTER_OTLP_ENDPOINT asks for traces;
 * OTEL_SERVICE_NAME, when set, names the service instead.
 */
export function traceProcessIfAsked(serviceName: string, env: NodeJS.ProcessEnv): Tracing | undefined {
  if (!tracingRequested(env)) return undefined;
  return startTracing({ serviceName: env.OTEL_SERVICE_NAME ?? serviceName });
}

export function activeTracing(): Tracing | undefined {
  return current;
}

/** Flushes what is batched: a process that stops must not lose its last spans. */
export async function stopTracing(): Promise<void> {
  await current?.shutdown();
}

/** The Temporal client's interceptors: a StartWorkflow (Signal, Update, Query) span, its context in the headers. */
export function tracingClientInterceptors(): WorkflowClientInterceptor[] {
  if (!current) return [];
  const { OpenTelemetryWorkflowClientInterceptor } =
    require('@temporalio/interceptors-opentelemetry') as typeof import('@temporalio/interceptors-opentelemetry');
  return [new OpenTelemetryWorkflowClientInterceptor()];
}

/**
 * What a worker adds: activity spans under the workflow's, and the sink through which the workflow sandbox
 * hands over its spans. Without tracing the sink is still there, doing nothing, so that a workflow started by
 * a traced API on an untraced worker calls a sink that exists.
 */
export function tracingWorkerOptions(): { interceptors: WorkerInterceptors; sinks: InjectedSinks<any> } {
  if (!current) return { interceptors: {}, sinks: { exporter: { export: { fn: () => undefined } } } };
  const otel =
    require('@temporalio/interceptors-opentelemetry') as typeof import('@temporalio/interceptors-opentelemetry');
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new otel.OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new otel.OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: otel.makeWorkflowExporter(current.processor, current.resource) },
  };
}
