/**
 * Keyset paging, newest first, on (created_at, id). The cursor's time is created_at in whole microseconds
 * since the epoch, as text: PostgreSQL keeps microseconds, and a JavaScript Date would round them to
 * milliseconds, so that the rows within the millisecond of a page's last row were skipped.
 */

/** The SELECT expression of a row's position for the next page's cursor. */
export const cursorAt = (column: string): string => `((extract(epoch FROM ${column}) * 1000000)::numeric(20, 0))::text`;

/** The WHERE condition of the rows after a cursor's position, given its placeholders. */
export const rowsAfter = (columns: { createdAt: string; id: string }, at: string, id: string): string =>
  `(${columns.createdAt}, ${columns.id}) < (timestamptz 'epoch' + ${at}::bigint * interval '1 microsecond', ${id}::uuid)`;
