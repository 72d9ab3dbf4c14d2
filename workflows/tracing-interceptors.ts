/* eslint-disable @typescript-eslint/no-require-imports -- the OpenTelemetry modules load only in a traced workflow */
import type * as OtelWorkflow from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type { Headers } from '@temporalio/common';
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';

/** Where @temporalio/interceptors-opentelemetry carries the span context (its TRACE_HEADER). */
const TRACE_HEADER = '_tracer-data';

const traced = (headers: Headers) => TRACE_HEADER in headers;

/**
 * The workflow side of tracing (lib/tracing.ts), in every bundle: a workflow started with a trace context
 * (by an API that traces) gets a RunWorkflow span, and each activity, child, signal and continue-as-new it
 * makes carries the context on. A workflow started without one (tracing off, a Schedule, the recorded
 * histories) runs exactly as if this module were absent: no span, no header, no OpenTelemetry module
 * evaluated, and nothing different in its commands, whichever worker replays it. The decision is read from
 * history (the start's headers), so it is deterministic.
 */
export const interceptors: WorkflowInterceptorsFactory = () => {
  let started = false;
  let otel:
    | {
        inbound: OtelWorkflow.OpenTelemetryInboundInterceptor;
        outbound: OtelWorkflow.OpenTelemetryOutboundInterceptor;
        internals: OtelWorkflow.OpenTelemetryInternalsInterceptor;
      }
    | undefined;
  const tracing = () => {
    if (!otel) {
      const m = require('@temporalio/interceptors-opentelemetry/lib/workflow') as typeof OtelWorkflow;
      otel = {
        inbound: new m.OpenTelemetryInboundInterceptor(),
        outbound: new m.OpenTelemetryOutboundInterceptor(),
        internals: new m.OpenTelemetryInternalsInterceptor(),
      };
    }
    return otel;
  };
  return {
    inbound: [
      {
        execute(input, next) {
          if (!traced(input.headers)) return next(input);
          started = true;
          return tracing().inbound.execute(input, next);
        },
        handleSignal: (input, next) =>
          traced(input.headers) ? tracing().inbound.handleSignal(input, next) : next(input),
        handleUpdate: (input, next) =>
          traced(input.headers) ? tracing().inbound.handleUpdate(input, next) : next(input),
        validateUpdate: (input, next) =>
          traced(input.headers) ? tracing().inbound.validateUpdate(input, next) : next(input),
        handleQuery: (input, next) =>
          traced(input.headers) ? tracing().inbound.handleQuery(input, next) : next(input),
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => (started ? tracing().outbound.scheduleActivity(input, next) : next(input)),
        scheduleLocalActivity: (input, next) =>
          started ? tracing().outbound.scheduleLocalActivity(input, next) : next(input),
        startChildWorkflowExecution: (input, next) =>
          started ? tracing().outbound.startChildWorkflowExecution(input, next) : next(input),
        signalWorkflow: (input, next) => (started ? tracing().outbound.signalWorkflow(input, next) : next(input)),
        continueAsNew: (input, next) => (started ? tracing().outbound.continueAsNew(input, next) : next(input)),
        getLogAttributes: (input, next) => (started ? tracing().outbound.getLogAttributes(input, next) : next(input)),
      },
    ],
    internals: [
      {
        dispose(input, next) {
          // Declared async upstream, but it does its work (and calls next) before its first await.
          if (otel) void otel.internals.dispose(input, next);
          else next(input);
        },
      },
    ],
  };
};
