import type { Pool, QueryConfig } from 'pg';

/** The pool with every statement recorded (its first word) and its rounds counted; no connection may be taken. */
export function countingPool(pool: Pool) {
  let statements: string[] = [];
  let inFlight = 0;
  let rounds = 0;
  // A statement is its text, or a config naming a prepared one (db/prepared.ts).
  const query = (statement: string | QueryConfig, values?: unknown[]) => {
    const text = typeof statement === 'string' ? statement : statement.text;
    statements.push(/^\s*(\w+)/.exec(text)?.[1].toUpperCase() ?? text);
    if (inFlight++ === 0) rounds++;
    return pool.query(statement, values).finally(() => inFlight--);
  };
  const counting = new Proxy(pool, {
    get(target, prop) {
      if (prop === 'query') return query;
      if (prop === 'connect')
        return () => Promise.reject(new Error('no connection of its own may be taken (a transaction would take one)'));
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    pool: counting,
    statements: () => statements,
    rounds: () => rounds,
    inFlight: () => inFlight,
    reset() {
      statements = [];
      rounds = 0;
    },
  };
}
