// GET /healthz: answered without authentication, outside the REST limits, reports the
// database connection and the version.
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/server.js';
import { setPortalClosed } from '../../src/system/portalState.js';
import { request, startTestServer } from '../helpers/server.js';
import { TEST_DIALECT } from '../helpers/database.js';

describe('/healthz', () => {
  it('reports ok with the database and version, without credentials', async () => {
    const server = await startTestServer();
    try {
      const answer = await request(`${server.httpUrl}/healthz`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(answer.body).toEqual({ status: 'ok', database: 'ok', dialect: TEST_DIALECT, version: VERSION });
      expect((await request(`${server.httpsUrl}/healthz`)).body.status).toBe('ok');
    } finally {
      await server.close();
    }
  });

  it('stays up while the REST API is closed or rate-limited', async () => {
    const server = await startTestServer({ config: { plan: 'standard', rateBurst: '1' } });
    try {
      await setPortalClosed(server.services.db, true);
      for (let i = 0; i < 5; i++) expect((await request(`${server.httpUrl}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('answers 503 "unavailable" when the database cannot be reached', async () => {
    const server = await startTestServer();
    try {
      await server.services.db.destroy();
      const answer = await request(`${server.httpUrl}/healthz`);
      expect(answer.status).toBe(503);
      expect(answer.body).toEqual({ status: 'degraded', database: 'unavailable', dialect: TEST_DIALECT, version: VERSION });
    } finally {
      await server.close().catch(() => undefined);
    }
  });
});
