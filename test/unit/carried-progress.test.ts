import { withCarriedProgress, type RecordProgressInput } from '../../activities/progress';

/**
 * A step's activity takes the read model's pending write along (workflows/projector.ts, `carrying`):
 * the write lands before the activity's own work, and the activity sees its input as it always was.
 */
describe('withCarriedProgress', () => {
  const progress = { view: { id: 'onb-1', version: 7 }, transitions: [], notify: { email: 'ops@acme.example' } };

  function wrap() {
    const happened: string[] = [];
    const received: unknown[] = [];
    const activities = withCarriedProgress(
      {
        createTenant: async (input: { name: string }) => {
          happened.push('createTenant');
          received.push(input);
          return { tenantId: `t-${input.name}` };
        },
        sweep: async () => {
          happened.push('sweep');
          return 3;
        },
      },
      async (written: RecordProgressInput) => {
        happened.push(`recordProgress v${written.view.version}`);
      },
    );
    return { activities, happened, received };
  }

  it('writes the carried progress first, then runs the activity on the rest of its input', async () => {
    const { activities, happened, received } = wrap();
    const input = { name: 'acme', progress } as unknown as { name: string };
    await expect(activities.createTenant(input)).resolves.toEqual({ tenantId: 't-acme' });
    expect(happened).toEqual(['recordProgress v7', 'createTenant']);
    expect(received).toEqual([{ name: 'acme' }]);
  });

  it('runs an activity that carries nothing, or takes no input, as it is', async () => {
    const { activities, happened, received } = wrap();
    await activities.createTenant({ name: 'beta' });
    await expect(activities.sweep()).resolves.toBe(3);
    expect(happened).toEqual(['createTenant', 'sweep']);
    expect(received).toEqual([{ name: 'beta' }]);
  });

  it('does not run the activity when the write fails, so the retry writes it again first', async () => {
    const happened: string[] = [];
    const activities = withCarriedProgress(
      { createTenant: async (_: { name: string }) => happened.push('createTenant') },
      async () => {
        throw new Error('database away');
      },
    );
    const input = { name: 'acme', progress } as unknown as { name: string };
    await expect(activities.createTenant(input)).rejects.toThrow('database away');
    expect(happened).toEqual([]);
  });
});
