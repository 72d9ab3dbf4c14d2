import { costInputs, costModel, costModelSection, LOAD, type CostInputs } from '../../bench/lib/cost-model';
import type { BenchResults } from '../../bench/report';

/** Round inputs, so that every expectation below is worked out by hand. */
const inputs: CostInputs = {
  appCpuMs: 300,
  apiShare: 0.2,
  temporalCpuMs: 200,
  temporalPgCpuMs: 150,
  events: 80,
  workflowTasks: 10,
  historyKiB: 32,
  statements: 50,
  appPgCpuMs: 30,
  tableKiB: 16,
  workerRestMiB: 256,
  kibPerCached: 256,
  sources: [],
};

const cpu = (app: number, extra: object = {}) => ({ app, temporal: 0, postgres: 0, driver: 0, ...extra });

/** Results with every scenario the model reads, baselines' rows beside ours' to be left out. */
function results(): BenchResults {
  const row = { inFlight: 25, seconds: 10, perSecond: 4, cpuMsPerOnboarding: 0, durationsMs: [] };
  return {
    meta: { command: '', date: '', machine: '', versions: {}, sqlite: '', params: {} },
    throughput: [
      { ...row, variant: 'ours', n: 60, cpu: cpu(12) },
      { ...row, variant: 'ours', n: 40, cpu: cpu(18) },
      { ...row, variant: 'B0', n: 60, cpu: cpu(3) },
    ],
    cluster: {
      server: 'v1.29.1',
      throughput: [{ ...row, variant: 'ours', n: 40, cpu: cpu(0, { temporal: 10, postgresTemporal: 6 }) }],
      scaleOut: [
        { ...row, variant: 'ours', apis: 1, workers: 1, n: 40, cpu: cpu(0, { groups: { api: 1, worker: 4 } }) },
        { ...row, variant: 'ours', apis: 2, workers: 1, n: 40, cpu: cpu(0, { groups: { api: 9, worker: 1 } }) },
      ],
    },
    work: [
      {
        label: 'before',
        variant: 'ours',
        n: 10,
        events: 99,
        workflowTasks: 12,
        activities: 10,
        localActivities: 6,
        upserts: 5,
        historyBytes: 1,
        statements: 99,
        cpuMsApp: 0,
        cpuMsTemporal: 0,
        cpuMsPostgres: 99,
      },
      {
        label: 'after',
        variant: 'ours',
        n: 10,
        events: 84,
        workflowTasks: 11,
        activities: 10,
        localActivities: 6,
        upserts: 5,
        historyBytes: 28 * 1024,
        statements: 47,
        cpuMsApp: 0,
        cpuMsTemporal: 0,
        cpuMsPostgres: 24,
        tableBytes: 16 * 1024,
      },
      {
        label: 'after',
        variant: 'B4',
        n: 10,
        events: 75,
        workflowTasks: 13,
        activities: 10,
        localActivities: 0,
        upserts: 0,
        historyBytes: 1,
        statements: 20,
        cpuMsApp: 0,
        cpuMsTemporal: 0,
        cpuMsPostgres: 7,
      },
    ],
    parked: [
      {
        n: 1000,
        variant: 'B0',
        rssBeforeMiB: 1,
        rssParkedMiB: 1,
        kibPerParked: 1,
        startSeconds: 1,
        burstSeconds: 1,
        completed: 1000,
        workflowTaskTimeouts: 0,
        sampledHistories: 1,
      },
      {
        n: 1000,
        variant: 'ours',
        rssBeforeMiB: 264,
        rssParkedMiB: 574,
        kibPerParked: 317,
        startSeconds: 1,
        burstSeconds: 1,
        completed: 1000,
        workflowTaskTimeouts: 0,
        sampledHistories: 1,
      },
    ],
  };
}

describe('the cost model for 100,000 onboardings a day (bench/lib/cost-model.ts)', () => {
  it('sizes the load from the day: starts at the busiest hour, the parked and their wake-ups', () => {
    const model = costModel(inputs);
    // 80,000 starts in 10 hours is 2.22/s, and the busiest hour 1.5 times that.
    expect(model.startsPerSecond).toBeCloseTo(3.333, 3);
    expect(model.parked).toBe(150_000);
    expect(model.wakeUpsPerSecond).toBeCloseTo(3.472, 3);
  });

  it('sizes each process from what one onboarding costs, one of each kind spare', () => {
    const model = costModel(inputs);
    // The worker's 240 ms per onboarding, and a wake-up's replay (≤ 240 ms) and one task (24 ms).
    expect(model.worker.wakeUpMs).toBeCloseTo(264, 6);
    expect(model.worker.cores).toBeCloseTo((3.3333 * 240 + 3.4722 * 264) / 1000, 3);
    // 1.717 cores at 60 % of one vCPU each is 3 processes, and one spare.
    expect(model.worker.count).toBe(4);
    // 256 MiB at rest and 1,000 cached at 256 KiB (250 MiB).
    expect(model.worker.memoryGiB).toBeCloseTo(506 / 1024, 6);
    expect(model.api.cores).toBeCloseTo(0.2, 3);
    expect(model.api.count).toBe(2);
    expect(model.temporal.cores).toBeCloseTo((3.3333 * 200 + 3.4722 * 20) / 1000, 3);
    expect(model.temporal.persistenceCores).toBeCloseTo(0.5, 3);
    expect(model.app.statementsPerSecond).toBeCloseTo(166.67, 1);
  });

  it('names where the load breaks: connections, then the persistence, then the records stored', () => {
    const model = costModel(inputs);
    // 4 workers with 10 each, 2 APIs with 11.
    expect(model.connections.used).toBe(62);
    expect(model.connections.loadAtLimit).toBeCloseTo(100 / 62, 6);
    // 16 cores at 60 % against 0.5 cores at this load: 19.2 times it.
    expect(model.capacityPerDay.temporalPg).toBeCloseTo(1_920_000, 0);
    expect(model.capacityPerDay.appPg).toBeCloseTo(9_600_000, 0);
    expect(model.app.growthGiBPerDay).toBeCloseTo((100_000 * 16) / 1024 ** 2, 6);
    // 100,000 a day kept 3 days after close and 1.5 days open on average, 32 KiB each, doubled for indexes.
    expect(model.temporal.storageGiB).toBeCloseTo((2 * 100_000 * 4.5 * 32) / 1024 ** 2, 6);
  });

  it("reads ours' figures from the results, pooled over scenario 1's rows and from the newest scenario 8 row", () => {
    const read = costInputs(results())!;
    expect(read.appCpuMs).toBe(300); // (12 + 18) s over 100 onboardings; B0's row left out
    expect(read.apiShare).toBe(0.2); // one API process: 1 s of 5
    expect(read.temporalCpuMs).toBe(250);
    expect(read.temporalPgCpuMs).toBe(150);
    expect(read.events).toBe(84);
    expect(read.statements).toBe(47);
    expect(read.appPgCpuMs).toBe(24);
    expect(read.historyKiB).toBe(28);
    expect(read.tableKiB).toBe(16);
    expect(read.workerRestMiB).toBe(264);
    expect(read.kibPerCached).toBe(317);
    expect(read.sources.join('; ')).toContain('scenario 8: ours at after');
  });

  it('renders the section from the results, and says so when a scenario it needs is missing', () => {
    const section = costModelSection(results()).join('\n');
    expect(section).toContain('**3.33 starts/s**');
    expect(section).toContain('**150,000 parked**');
    expect(section).toContain("| worker + API CPU (scenario 1) | 300 ms, the API's share 20 % |");
    const withoutParked = { ...results(), parked: [] };
    expect(costInputs(withoutParked)).toBeNull();
    expect(costModelSection(withoutParked).join('\n')).toContain('Not derived');
    expect(LOAD.perDay).toBe(100_000);
  });
});
