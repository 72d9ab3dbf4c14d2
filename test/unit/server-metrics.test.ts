import { parseCounters, serverWorkBetween } from '../../bench/lib/server-metrics';

/** A few lines as the Temporal server exposes them (its Prometheus endpoint). */
const exposition = (n: { updates: number; reads: number; polls: number; sync: number }) => `
# HELP persistence_requests persistence_requests counter
# TYPE persistence_requests counter
persistence_requests{operation="UpdateWorkflowExecution",service_name="history"} ${n.updates}
persistence_requests{operation="ReadHistoryBranch",service_name="history"} ${n.reads / 2}
persistence_requests{operation="ReadHistoryBranch",service_name="frontend"} ${n.reads / 2}
persistence_latency_bucket{operation="ReadHistoryBranch",le="0.001"} 999
persistence_latency_count{operation="ReadHistoryBranch"} 999
poll_success{task_type="Workflow",taskqueue="q"} ${n.polls}
poll_success_sync{task_type="Workflow",taskqueue="q"} ${n.sync}
service_requests{operation="PollWorkflowTaskQueue",service_name="frontend"} ${n.polls}
`;

describe("the Temporal server's counters, per onboarding", () => {
  it('sums a counter over its series, by name and by operation, and leaves histograms out', () => {
    const counters = parseCounters(exposition({ updates: 10, reads: 6, polls: 4, sync: 3 }));
    expect(counters.get('persistence_requests')).toBe(16);
    expect(counters.get('persistence_requests:ReadHistoryBranch')).toBe(6);
    expect(counters.has('persistence_latency_bucket')).toBe(false);
    expect(counters.has('persistence_latency_count')).toBe(false);
  });

  it('divides what a phase added by the onboardings it ran, largest operation first', () => {
    const before = parseCounters(exposition({ updates: 10, reads: 6, polls: 4, sync: 3 }));
    const after = parseCounters(exposition({ updates: 50, reads: 26, polls: 24, sync: 18 }));
    expect(serverWorkBetween(before, after, 4)).toEqual({
      persistenceRequests: 15,
      persistenceByOperation: { UpdateWorkflowExecution: 10, ReadHistoryBranch: 5 },
      requestsByOperation: { PollWorkflowTaskQueue: 5 },
      pollSuccess: 5,
      pollSuccessSync: 3.75,
      serviceRequests: 5,
    });
    expect(Object.keys(serverWorkBetween(before, after, 4).persistenceByOperation)[0]).toBe('UpdateWorkflowExecution');
  });
});
