import { activeScheduleAt, assignOriginAssets, scheduleStatusAt, scheduleWindowProblems } from '../../../domain';

const at = (iso: string) => new Date(iso);
const spring = { from: '2026-03-01T00:00:00.000Z', to: '2026-06-01T00:00:00.000Z' };
const summer = { from: '2026-06-01T00:00:00.000Z', to: '2026-09-01T00:00:00.000Z' };
const autumn = { from: '2026-09-01T00:00:00.000Z' };

describe('dated origin schedules (Shipium)', () => {
  it('the entry whose window [from, to) covers the instant is active; the others ended or upcoming', () => {
    const entries = [spring, summer, autumn];
    expect(activeScheduleAt(entries, at('2026-05-31T23:59:59.999Z'))).toBe(spring);
    // to is exclusive and the next from inclusive: at the boundary the next one is in force.
    expect(activeScheduleAt(entries, at('2026-06-01T00:00:00.000Z'))).toBe(summer);
    expect(activeScheduleAt(entries, at('2030-01-01T00:00:00.000Z'))).toBe(autumn);
    expect(activeScheduleAt(entries, at('2026-01-01T00:00:00.000Z'))).toBeUndefined();
    expect(entries.map((e) => scheduleStatusAt(e, at('2026-07-01T00:00:00.000Z')))).toEqual([
      'ENDED',
      'ACTIVE',
      'UPCOMING',
    ]);
  });

  it('refuses a window that ends before it starts, and windows that overlap, naming the field', () => {
    expect(scheduleWindowProblems([spring, summer, autumn])).toEqual([]);
    expect(scheduleWindowProblems([{ from: summer.to, to: summer.from }])).toEqual([
      { path: [0, 'to'], message: `must be after from (${summer.to})` },
    ]);
    expect(scheduleWindowProblems([{ from: spring.from, to: spring.from }])[0].path).toEqual([0, 'to']);
    // An open-ended window overlaps everything after it.
    expect(
      scheduleWindowProblems([autumn, { from: '2027-01-01T00:00:00.000Z', to: '2027-02-01T00:00:00.000Z' }]),
    ).toEqual([{ path: [1, 'from'], message: `overlaps schedule 0 (from ${autumn.from} to open-ended)` }]);
    expect(
      scheduleWindowProblems([summer, { from: '2026-05-01T00:00:00.000Z', to: '2026-06-02T00:00:00.000Z' }]),
    ).toEqual([expect.objectContaining({ path: [1, 'from'] })]);
  });
});

describe('server-assigned ids of origins, schedule entries and carrier schedules', () => {
  let n = 0;
  const made = (who = 'user:staff@gw.example') => ({
    newId: () => `id-${++n}`,
    metadata: { orchestrationId: who, orchestrationTimeStamp: '2026-12-01T00:00:00.000Z' },
  });
  const origin = (extra: Record<string, unknown> = {}) => ({
    partnerProvidedId: 'fc-1',
    schedules: [{ ...spring, carrierSchedules: [{ carrierId: 'ups' }] }],
    ...extra,
  });

  it('gives new assets ids and the maker’s metadata (not carrier schedules, as in the seed)', () => {
    const { origins, problems } = assignOriginAssets(undefined, [origin()], made());
    expect(problems).toEqual([]);
    const [o] = origins as any[];
    expect(o.originId).toMatch(/^id-/);
    expect(o.orchestratedAssetMetadata.orchestrationId).toBe('user:staff@gw.example');
    expect(o.schedules[0]).toMatchObject({ scheduleEntryId: expect.stringMatching(/^id-/) });
    expect(o.schedules[0].orchestratedAssetMetadata.orchestrationId).toBe('user:staff@gw.example');
    expect(o.schedules[0].carrierSchedules[0]).toEqual({ carrierId: 'ups', carrierScheduleId: expect.any(String) });
  });

  it('keeps ids and metadata by id or natural key; only what is new is stamped by the new maker', () => {
    const first = assignOriginAssets(undefined, [origin()], made()).origins as any[];
    const next = assignOriginAssets(
      first,
      [
        origin({
          name: 'renamed',
          schedules: [{ ...spring, carrierSchedules: [{ carrierId: 'ups' }] }, { ...summer }],
        }),
        { partnerProvidedId: 'fc-2' },
      ],
      made('client:c-1'),
    ).origins as any[];
    expect(next[0].originId).toBe(first[0].originId);
    expect(next[0].orchestratedAssetMetadata).toEqual(first[0].orchestratedAssetMetadata);
    expect(next[0].schedules[0].scheduleEntryId).toBe(first[0].schedules[0].scheduleEntryId);
    expect(next[0].schedules[0].carrierSchedules[0].carrierScheduleId).toBe(
      first[0].schedules[0].carrierSchedules[0].carrierScheduleId,
    );
    expect(next[0].schedules[1].orchestratedAssetMetadata.orchestrationId).toBe('client:c-1');
    expect(next[1].orchestratedAssetMetadata.orchestrationId).toBe('client:c-1');
    // An id given back keeps what it names even when its natural key changes (a renamed origin).
    const renamed = assignOriginAssets(
      first,
      [{ ...origin(), originId: first[0].originId, partnerProvidedId: 'x' }],
      made(),
    ).origins as any[];
    expect(renamed[0].originId).toBe(first[0].originId);
  });

  it('refuses an id the server did not assign there, or one given twice', () => {
    const first = assignOriginAssets(undefined, [origin()], made()).origins as any[];
    const { problems } = assignOriginAssets(
      first,
      [
        { ...origin(), originId: 'nobody' },
        { partnerProvidedId: 'a', originId: first[0].originId },
        { partnerProvidedId: 'b', originId: first[0].originId },
      ],
      made(),
    );
    expect(problems).toEqual([
      {
        path: [0, 'originId'],
        message: 'nobody is not an id the server assigned here; leave originId out for a new one',
      },
      { path: [2, 'originId'], message: `${first[0].originId} is given twice` },
    ]);
  });

  it('gives an origin stored before ids existed an id, and none in testMode (nothing stored)', () => {
    const legacy = [{ partnerProvidedId: 'fc-1' }];
    expect((assignOriginAssets(legacy, [origin()], made()).origins[0] as any).originId).toMatch(/^id-/);
    const dry = assignOriginAssets(undefined, [origin()], { ...made(), newId: () => null }).origins[0] as any;
    expect(dry.originId).toBeNull();
    expect(dry.schedules[0].scheduleEntryId).toBeNull();
  });
});
