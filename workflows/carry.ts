import type { RecordProgressInput } from '../activities/progress';

/**
 * Schedules an activity that may take the read model's pending write along in its input (`progress`),
 * which the activity writes before its own work (workflows/projector.ts, activities/progress.ts).
 */
export type Carrier = <T>(schedule: (progress?: RecordProgressInput) => Promise<T>) => Promise<T>;

/** Through the carrier, or the activity as it is where there is no read model of one's own to write. */
export function carried<T>(
  carry: Carrier | undefined,
  schedule: (progress?: RecordProgressInput) => Promise<T>,
): Promise<T> {
  return carry ? carry(schedule) : schedule();
}
