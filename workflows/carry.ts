import type { RecordProgressInput } from '../activities/progress';

/**
 * Schedules an activity that may take the read model's pending write along in its input (`progress`),
 * which the activity writes before its own work (workflows/projector.ts, activities/progress.ts).
 */
export type Carrier = <T>(schedule: (progress?: RecordProgressInput) => Promise<T>) => Promise<T>;

/** Where there is no read model of one's own to write (a reconnect, an onboarding not yet wired): none. */
export const carryNothing: Carrier = (schedule) => schedule();
