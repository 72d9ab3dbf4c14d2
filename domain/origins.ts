/**
 * Shipium's origins (fulfilment centres, warehouses) and their dated schedules: server-assigned ids that stay
 * the same in every version of the tenant, orchestratedAssetMetadata on what is made, and which schedule is
 * in force. Origins are plain records here: their shape is validated by the API's schemas.
 */

/** Who made an asset and when: an onboarding's workflow id, `user:<email>` or `client:<clientId>`. */
export interface AssetMetadata {
  orchestrationId: string;
  orchestrationTimeStamp: string;
}

export const staffOrchestrationId = (email: string) => `user:${email}`;
export const clientOrchestrationId = (clientId: string) => `client:${clientId}`;

/** A schedule entry's validity: from (inclusive) up to to (exclusive); no to means open-ended. */
export interface ScheduleWindow {
  from: string;
  to?: string;
}

export type ScheduleStatus = 'ACTIVE' | 'UPCOMING' | 'ENDED';

const end = (w: ScheduleWindow) => (w.to === undefined ? Infinity : Date.parse(w.to));

export function scheduleStatusAt(window: ScheduleWindow, at: Date): ScheduleStatus {
  if (at.getTime() < Date.parse(window.from)) return 'UPCOMING';
  return at.getTime() < end(window) ? 'ACTIVE' : 'ENDED';
}

/** The entry whose window covers the instant: at most one, since windows may not overlap. */
export const activeScheduleAt = <T extends ScheduleWindow>(entries: T[], at: Date): T | undefined =>
  entries.find((e) => scheduleStatusAt(e, at) === 'ACTIVE');

export interface FieldProblem {
  path: (string | number)[];
  message: string;
}

/** A window that ends before it starts, or two that overlap: an origin follows one schedule at a time. */
export function scheduleWindowProblems(entries: ScheduleWindow[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const valid = (w: ScheduleWindow) => end(w) > Date.parse(w.from);
  entries.forEach((e, i) => {
    if (!valid(e)) {
      problems.push({ path: [i, 'to'], message: `must be after from (${e.from})` });
      return;
    }
    const other = entries.findIndex(
      (o, j) => j < i && valid(o) && Date.parse(o.from) < end(e) && Date.parse(e.from) < end(o),
    );
    if (other >= 0)
      problems.push({
        path: [i, 'from'],
        message: `overlaps schedule ${other} (from ${entries[other].from} to ${entries[other].to ?? 'open-ended'})`,
      });
  });
  return problems;
}

type Asset = Record<string, unknown>;
type Path = (string | number)[];

/** What the server stamps on an asset it makes: a new id (null in testMode, where nothing is stored) and who made it. */
export interface NewAssets {
  newId: () => string | null;
  metadata: AssetMetadata;
}

/**
 * Ids come from the server and stay across versions. An asset given with its id keeps it (the id must be one
 * the tenant's previous version has there); otherwise it is matched by its natural key (an origin by
 * partnerProvidedId, a schedule entry by from, a carrier schedule by carrierId), else it is new: a fresh id and
 * the maker's orchestratedAssetMetadata. What is matched keeps its id and metadata.
 */
export function assignOriginAssets(
  previous: Asset[] | undefined,
  next: Asset[],
  made: NewAssets,
): { origins: Asset[]; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const list = (prev: unknown, assets: unknown): { previous: Asset[]; assets: Asset[] } => ({
    previous: Array.isArray(prev) ? (prev as Asset[]) : [],
    assets: Array.isArray(assets) ? (assets as Asset[]) : [],
  });
  const origins = matchList(list(previous, next), ORIGIN, made, [], problems, (origin, match, at) => {
    if (!Array.isArray(origin.schedules)) return origin;
    const schedules = matchList(
      list(match?.schedules, origin.schedules),
      SCHEDULE,
      made,
      [...at, 'schedules'],
      problems,
      (entry, entryMatch, entryAt) => ({
        ...entry,
        carrierSchedules: matchList(
          list(entryMatch?.carrierSchedules, entry.carrierSchedules),
          CARRIER,
          made,
          [...entryAt, 'carrierSchedules'],
          problems,
          (carrier) => carrier,
        ),
      }),
    );
    return { ...origin, schedules };
  });
  return { origins, problems };
}

interface Kind {
  idKey: string;
  naturalKey: string;
  /** Shipium marks origins and schedule entries with orchestratedAssetMetadata, not carrier schedules. */
  stamped: boolean;
}
const ORIGIN: Kind = { idKey: 'originId', naturalKey: 'partnerProvidedId', stamped: true };
const SCHEDULE: Kind = { idKey: 'scheduleEntryId', naturalKey: 'from', stamped: true };
const CARRIER: Kind = { idKey: 'carrierScheduleId', naturalKey: 'carrierId', stamped: false };

function matchList(
  { previous, assets }: { previous: Asset[]; assets: Asset[] },
  kind: Kind,
  made: NewAssets,
  at: Path,
  problems: FieldProblem[],
  build: (asset: Asset, match: Asset | undefined, at: Path) => Asset,
): Asset[] {
  const { idKey, naturalKey } = kind;
  // A previous asset claimed by its id is not also matched by its natural key to a sibling.
  const claimed = new Set<unknown>(assets.map((a) => a[idKey]).filter((id) => id !== undefined));
  return assets.map((asset, i) => {
    const here = [...at, i];
    const given = asset[idKey];
    let match: Asset | undefined;
    if (given !== undefined) {
      match = previous.find((p) => p[idKey] === given);
      if (!match)
        problems.push({
          path: [...here, idKey],
          message: `${given as string} is not an id the server assigned here; leave ${idKey} out for a new one`,
        });
      else if (assets.findIndex((a) => a[idKey] === given) !== i)
        problems.push({ path: [...here, idKey], message: `${given as string} is given twice` });
    } else {
      match = previous.find(
        (p) => !claimed.has(p[idKey]) && p[naturalKey] !== undefined && p[naturalKey] === asset[naturalKey],
      );
    }
    const metadata = match ? match.orchestratedAssetMetadata : kind.stamped ? made.metadata : undefined;
    return {
      ...build(asset, match, here),
      // An origin stored before ids existed (a legacy version) gets its id now.
      [idKey]: match?.[idKey] ?? made.newId(),
      ...(metadata !== undefined && { orchestratedAssetMetadata: metadata }),
    };
  });
}
