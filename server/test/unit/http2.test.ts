// With a certificate, one port serves HTTPS over HTTP/2 and HTTP/1.1 (ALPN): an ingest sender can use
// either. The certificate is made for the test with openssl.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request as h1 } from 'node:https';
import { connect } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedApp, type TestApp } from '../support/app.ts';

const body = JSON.stringify({ event: 'round_start', matchid: 'h2-1', map_number: 0, round_number: 0 });

describe('HTTPS with HTTP/2 and HTTP/1.1 on one port', () => {
  let t: TestApp;
  let port = 0;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clutch-tls-'));
    const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    t = await embeddedApp({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('accepts an ingest POST over HTTP/2', async () => {
    const session = connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
    try {
      const { status, text, protocol } = await new Promise<{ status: number; text: string; protocol: string }>((resolve, reject) => {
        const req = session.request({ ':method': 'POST', ':path': '/v1/ingest/get5', 'content-type': 'application/json', authorization: 'Bearer demo-get5' });
        let status = 0;
        let text = '';
        req.on('response', (h) => (status = Number(h[':status'])));
        req.on('data', (c: Buffer) => (text += c.toString()));
        req.on('end', () => resolve({ status, text, protocol: session.alpnProtocol ?? '' }));
        req.on('error', reject);
        req.end(body);
      });
      expect(protocol).toBe('h2');
      expect(status, text).toBe(202);
      expect(JSON.parse(text)).toMatchObject({ accepted: 1 });
    } finally {
      session.close();
    }
  });

  it('accepts the same POST over HTTP/1.1 on the same port', async () => {
    const { status, protocol } = await new Promise<{ status: number; protocol: string }>((resolve, reject) => {
      const req = h1(
        { host: '127.0.0.1', port, path: '/v1/ingest/get5', method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json', authorization: 'Bearer demo-get5' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, protocol: `HTTP/${res.httpVersion}` }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(protocol).toBe('HTTP/1.1');
    expect(status).toBe(202);
  });

  it('refuses a certificate without its key at start-up, naming both variables', async () => {
    const { loadConfig } = await import('../../src/config.ts');
    expect(() => loadConfig({ CLUTCH_STORE: 'pglite', CLUTCH_CACHE: 'memory', CLUTCH_EVENT_LOG: 'memory', TLS_CERT_FILE: '/x.pem' })).toThrow(/TLS_CERT_FILE and TLS_KEY_FILE go together/);
  });
});
