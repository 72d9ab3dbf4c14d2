import type { Pool, PoolClient } from 'pg';

/**
 * What a query function runs on: the pool, where each statement is its own transaction, or the
 * connection of a transaction opened by withTransaction (db/transaction.ts), for statements that
 * must commit together.
 */
export type Queryable = Pool | PoolClient;
