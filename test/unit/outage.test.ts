import { ServiceError, WorkflowNotFoundError } from '@temporalio/client';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { outageOf, problemHandler } from '../../api/problem';
import { createLogger } from '../../lib/logger';

const grpc = (code: number, details: string) => Object.assign(new Error(details), { code, details, metadata: {} });

describe('outageOf: which dependency an error says is down', () => {
  it.each([
    ['pool exhausted or PostgreSQL unreachable', new Error('timeout exceeded when trying to connect'), 'PostgreSQL'],
    [
      'connection refused',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      'PostgreSQL',
    ],
    ['server shutting down', Object.assign(new Error('terminating connection'), { code: '57P01' }), 'PostgreSQL'],
    [
      'server starting',
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
      'PostgreSQL',
    ],
    ['connection lost mid-query', new Error('Connection terminated unexpectedly'), 'PostgreSQL'],
    ['a connection exception class', Object.assign(new Error('x'), { code: '08006' }), 'PostgreSQL'],
    [
      'Temporal UNAVAILABLE',
      new ServiceError('Failed to signal', { cause: grpc(14, 'No connection established') }),
      'Temporal',
    ],
    ['Temporal DEADLINE_EXCEEDED', new ServiceError('Failed', { cause: grpc(4, 'Deadline exceeded') }), 'Temporal'],
  ])('%s', (_what, err, dependency) => expect(outageOf(err)).toBe(dependency));

  it.each([
    ['a constraint violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a workflow that is gone', new WorkflowNotFoundError('not found', 'wf', undefined)],
    ['Temporal NOT_FOUND', new ServiceError('Failed', { cause: grpc(5, 'not found') })],
    ['a plain bug', new TypeError('x is undefined')],
  ])('%s is not an outage', (_what, err) => expect(outageOf(err)).toBeUndefined());
});

describe('problemHandler', () => {
  it('answers an outage 503 problem+json with Retry-After, and a bug 500', async () => {
    const app = express();
    app.get('/pg', () => {
      throw new Error('timeout exceeded when trying to connect');
    });
    app.get('/bug', () => {
      throw new TypeError('x is undefined');
    });
    app.use(problemHandler(createLogger({ level: 'silent' })));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const pg = await fetch(`${base}/pg`);
      expect(pg.status).toBe(503);
      expect(pg.headers.get('retry-after')).toBe('5');
      expect(pg.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await pg.json()).toMatchObject({ title: 'Service unavailable', status: 503, detail: /^PostgreSQL/ });
      expect((await fetch(`${base}/bug`)).status).toBe(500);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
