// TimescaleDB endpoint for tests: PGlite (PostgreSQL 17 in WebAssembly, the @unni-craftsman build
// with TimescaleDB 2.23) served over the PostgreSQL wire protocol on loopback.
//
//   node server.mjs --pkg <dir with node_modules> --data <PGDATA dir> [--host 127.0.0.1] [--port 55433]
//
// Why not @electric-sql/pglite-socket: 0.0.19 (the release for PGlite 0.3.14) hands every TCP chunk
// to Postgres as-is, so a message split across chunks (any query over ~64 KB), an unknown message
// type (garbage bytes) or COPY FROM STDIN aborts the WASM instance and the unhandled rejection kills
// the process; and it never resets the backend between clients, so a client that disconnects inside
// a transaction hands it, uncommitted rows included, to the next client. 0.0.22 is no better (after
// one aborted client every later connection fails). This file is the same idea (one PGlite backend,
// one client at a time, others queued) with those holes closed:
//   - whole frontend messages only, of known types; anything else ends that connection, not the DB;
//   - between clients: Sync, ROLLBACK if needed, DISCARD ALL, so each client gets a fresh session;
//   - COPY ... FROM STDIN: the data is collected and handed to Postgres in one piece with the query;
//   - if the WASM instance still dies, it is reopened on the same data dir (crash recovery);
//   - SIGTERM/SIGINT: the client is told, the session rolled back, PGlite closed cleanly, exit 0.
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    pkg: { type: 'string' },
    data: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '55433' },
    // How long a second client waits for the first to disconnect before it is refused.
    'queue-timeout-ms': { type: 'string', default: '60000' },
  },
});
if (!opt.pkg || !opt.data) {
  console.error('usage: server.mjs --pkg <dir> --data <dir> [--host 127.0.0.1] [--port 55433]');
  process.exit(2);
}
const dataDir = resolve(opt.data);
const port = Number(opt.port);
const queueTimeoutMs = Number(opt['queue-timeout-ms']);
const log = (m) => console.log(`${new Date().toISOString()} ${m}`);
const rssMb = () => Math.round(process.memoryUsage().rss / 2 ** 20);

// --- PGlite, loaded from the pinned install (not from the repo's node_modules, which has another PGlite)
const pgliteRoot = join(resolve(opt.pkg), 'node_modules', '@unni-craftsman', 'pglite');
const manifest = JSON.parse(readFileSync(join(pgliteRoot, 'package.json'), 'utf8'));
const entry = (subpath) => pathToFileURL(join(pgliteRoot, manifest.exports[subpath].import.default)).href;
const { PGlite } = await import(entry('.'));
const { timescaledb } = await import(entry('./timescaledb'));

// --- wire protocol helpers
const EMPTY = Buffer.alloc(0);
const cstr = (s) => Buffer.from(`${s}\0`, 'utf8');
function message(type, body = EMPTY) {
  const m = Buffer.alloc(5 + body.length);
  m.write(type, 0, 'latin1');
  m.writeInt32BE(4 + body.length, 1);
  body.copy(m, 5);
  return m;
}
const query = (sql) => message('Q', cstr(sql));
function errorResponse(severity, code, text) {
  return message('E', Buffer.concat([cstr(`S${severity}`), cstr(`V${severity}`), cstr(`C${code}`), cstr(`M${text}`), Buffer.from([0])]));
}
/** Backend messages in a response buffer: [type, start, end). */
function* backendMessages(buf) {
  for (let i = 0; i + 5 <= buf.length; ) {
    const end = i + 1 + buf.readInt32BE(i + 1);
    yield { type: String.fromCharCode(buf[i]), start: i, end };
    i = end;
  }
}
function lastReadyStatus(buf) {
  let status;
  for (const m of backendMessages(buf)) if (m.type === 'Z') status = String.fromCharCode(buf[m.start + 5]);
  return status;
}
function firstError(buf) {
  for (const m of backendMessages(buf)) {
    if (m.type === 'E') return buf.subarray(m.start + 5, m.end).toString('utf8').split('\0').find((f) => f.startsWith('M'))?.slice(1);
  }
  return undefined;
}

// Message types a client may send after startup (PostgreSQL protocol 3.0). Postgres in WASM aborts on
// anything else, so anything else is a protocol violation that ends the connection here.
const FRONTEND_TYPES = new Set(['B', 'C', 'd', 'c', 'f', 'D', 'E', 'H', 'F', 'P', 'p', 'Q', 'S', 'X']);
const MAX_MESSAGE = 256 * 2 ** 20; // well under the 32-bit WASM heap
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3_0 = 196608;

/**
 * COPY ... FROM STDIN as the only statement of `sql`: returns its overall format (0 text/csv,
 * 1 binary); 'other' when COPY FROM STDIN is mixed with other statements; undefined otherwise.
 */
function copyFromStdin(sql) {
  // Comments and quoted text cannot start a COPY nor separate statements: blank them out first.
  const bare = sql
    .replace(/--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|"(?:[^"]|"")*"/g, (m) => (m[0] === "'" ? "''" : m[0] === '"' ? '"x"' : ' '))
    .trim()
    .replace(/;\s*$/, '');
  if (!/\bcopy\b[\s\S]*\bfrom\s+stdin\b/i.test(bare)) return undefined;
  if (bare.includes(';') || !/^copy\b/i.test(bare)) return 'other';
  return /\bbinary\b/i.test(bare) ? 1 : 0;
}
/** A statement that makes Postgres itself raise `text`, so transaction state stays what Postgres says. */
const raising = (text) => `DO $endpoint$ BEGIN RAISE EXCEPTION USING ERRCODE = 'feature_not_supported', MESSAGE = '${text.replace(/'/g, "''")}'; END $endpoint$`;
const COPY_MIXED = 'COPY FROM STDIN must be the only statement of its query on this PGlite endpoint';
const COPY_EXTENDED = 'COPY FROM STDIN through the extended query protocol is not supported on this PGlite endpoint';

// --- the database
let db;
class Fatal extends Error {}

async function open() {
  const t0 = Date.now();
  db = await PGlite.create({ dataDir, extensions: { timescaledb } });
  // LOAD: without shared_preload_libraries TimescaleDB's hooks are only installed once its library is
  // loaded, and until then an INSERT into an existing hypertable fails ("invalid INSERT on the root
  // table of hypertable") after every restart.
  // ALTER DATABASE: PGlite boots with client_min_messages = debug3 (a NOTICE per Parse/Bind for every
  // client) and search_path = pg_catalog (no public); make Postgres's own defaults the database's, so
  // that RESET ALL / DISCARD ALL by a client lands on them too (effective from the next start).
  await db.exec(`
    CREATE EXTENSION IF NOT EXISTS timescaledb;
    LOAD 'timescaledb';
    DO $$ BEGIN
      EXECUTE format('ALTER DATABASE %I SET client_min_messages = notice', current_database());
      EXECUTE format('ALTER DATABASE %I SET search_path = "$user", public', current_database());
    END $$;`);
  await resetSession();
  const v = await db.query("select extversion from pg_extension where extname = 'timescaledb'");
  log(`PGlite ${manifest.version} open on ${dataDir} (timescaledb ${v.rows[0]?.extversion}) in ${Date.now() - t0} ms, rss ${rssMb()} MB`);
}

/** One wire-protocol round trip. Any exception means the WASM instance is gone. */
async function exec(bytes) {
  try {
    // The result is a view of PGlite's receive buffer, reused by the next call: copy it.
    return Buffer.from(await db.execProtocolRaw(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)));
  } catch (err) {
    throw new Fatal(err instanceof Error ? err.message : String(err));
  }
}

/** Leaves the one backend as a new connection would find it. */
async function resetSession() {
  // Sync ends an extended-protocol exchange cut off before its Sync; its ReadyForQuery tells the state.
  const status = lastReadyStatus(await exec(message('S'))) ?? 'I';
  if (status !== 'I') await exec(query('ROLLBACK'));
  for (const sql of ['DISCARD ALL', 'SET client_min_messages TO notice', 'SET search_path TO "$user", public']) {
    const err = firstError(await exec(query(sql)));
    if (err) log(`session reset: ${sql}: ${err}`);
  }
  return status;
}

// --- connections: one session at a time, the others wait in arrival order
let nextId = 1;
let active; // the connection that owns the backend
const waiting = [];
let stopping = false;

class Conn {
  constructor(socket) {
    this.id = nextId++;
    this.socket = socket;
    this.peer = `${socket.remoteAddress}:${socket.remotePort}`;
    this.parts = [];
    this.size = 0;
    this.phase = 'startup'; // startup -> waiting -> session
    this.closed = false; // socket gone, or we decided to end it
    this.copy = undefined; // { query, parts } while collecting COPY FROM STDIN data
    this.since = Date.now();
  }
  send(bytes) {
    if (!this.socket.destroyed && this.socket.writable && bytes.length) this.socket.write(bytes);
  }
  /** Ends the connection, optionally with a FATAL error for the client to read. */
  close(code, text) {
    if (code) this.send(errorResponse('FATAL', code, text));
    this.closed = true;
    this.socket.end(() => this.socket.destroy());
  }
  append(chunk) {
    this.parts.push(chunk);
    this.size += chunk.length;
  }
  /**
   * Complete messages received so far (in the startup phase: untyped packets). Throws on garbage.
   * Chunks are joined only once the first message is complete, so a large message costs one copy.
   */
  take() {
    const typed = this.phase !== 'startup';
    const head = typed ? 5 : 4;
    if (this.size < head) return [];
    if (this.parts[0].length < head) this.parts = [Buffer.concat(this.parts, this.size)];
    const first = this.parts[0];
    const firstTotal = this.check(first, 0, typed);
    if (this.size < firstTotal) return [];
    const buf = this.parts.length === 1 ? first : Buffer.concat(this.parts, this.size);
    const out = [];
    let i = 0;
    while (buf.length - i >= head) {
      const total = this.check(buf, i, typed);
      if (buf.length - i < total) break;
      out.push(buf.subarray(i, i + total));
      i += total;
      if (!typed) break; // after a startup packet the framing may change
    }
    const rest = buf.subarray(i);
    this.parts = rest.length ? [rest] : [];
    this.size = rest.length;
    return out;
  }
  /** Validates the header at buf[i] and returns the whole message's size. */
  check(buf, i, typed) {
    const len = buf.readInt32BE(i + (typed ? 1 : 0));
    if (!typed) {
      if (len < 8 || len > 10_000) throw new Error(`invalid startup packet length ${len}`);
      return len;
    }
    const type = String.fromCharCode(buf[i]);
    if (!FRONTEND_TYPES.has(type)) throw new Error(`invalid frontend message type ${JSON.stringify(type)}`);
    if (len < 4 || len > MAX_MESSAGE) throw new Error(`invalid message length ${len}`);
    return len + 1;
  }
}

function onData(conn, chunk) {
  conn.append(chunk);
  if (conn.phase === 'startup') {
    try {
      while (conn.phase === 'startup') {
        const [packet] = conn.take();
        if (!packet) break;
        const code = packet.readInt32BE(4);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) conn.send(Buffer.from('N')); // no TLS on loopback
        else if (code === CANCEL_REQUEST) return conn.close(); // a synchronous WASM call cannot be cancelled
        else if (code >> 16 !== 3) return conn.close('08P01', `unsupported frontend protocol ${code >> 16}.${code & 0xffff}`);
        else {
          // 3.x newer than 3.0 (libpq 18 can ask for 3.2): Postgres 17 answers NegotiateProtocolVersion
          // and carries on in 3.0, so do the same, and hand PGlite a 3.0 startup packet.
          conn.startup = Buffer.from(packet);
          if (code !== PROTOCOL_3_0) {
            conn.startup.writeInt32BE(PROTOCOL_3_0, 4);
            conn.send(message('v', Buffer.from([0, 0, 0, 0, 0, 0, 0, 0])));
          }
          conn.phase = 'waiting';
          enqueue(conn);
        }
      }
    } catch (err) {
      return conn.close('08P01', err.message);
    }
  }
  if (conn === active) void kick();
}

function enqueue(conn) {
  waiting.push(conn);
  if (active && waiting.length === 1) log(`#${conn.id} ${conn.peer} waits: #${active.id} holds the backend (one connection at a time)`);
  conn.queueTimer = setTimeout(() => {
    const i = waiting.indexOf(conn);
    if (i < 0) return;
    waiting.splice(i, 1);
    log(`#${conn.id} refused after waiting ${queueTimeoutMs} ms`);
    conn.close('53300', `too many connections: this PGlite TimescaleDB endpoint serves one connection at a time and another client held it for ${queueTimeoutMs} ms; use a pool of size 1`);
  }, queueTimeoutMs);
  void kick();
}

// --- the scheduler: the only code that talks to the database while clients are served
let running;
function kick() {
  running ??= schedule().finally(() => {
    running = undefined;
  });
  return running;
}

async function schedule() {
  for (;;) {
    try {
      if (!active) {
        if (stopping) return;
        const conn = waiting.shift();
        if (!conn) return;
        clearTimeout(conn.queueTimer);
        if (conn.closed) continue;
        active = conn;
        await beginSession(conn);
        continue;
      }
      const conn = active;
      let msgs = [];
      if (!conn.closed) {
        try {
          msgs = conn.take();
        } catch (err) {
          conn.close('08P01', err.message);
        }
      }
      if (conn.closed) {
        const status = await resetSession();
        log(`#${conn.id} ended after ${Date.now() - conn.since} ms${status === 'I' ? '' : ` (open transaction rolled back, status ${status})`}`);
        active = undefined;
        continue;
      }
      if (!msgs.length) return; // wait for more bytes (onData kicks)
      await handle(conn, msgs);
    } catch (err) {
      if (!(err instanceof Fatal)) throw err;
      log(`PGlite aborted (${err.message}); reopening ${dataDir}`);
      active?.close('XX000', `the PGlite backend aborted (${err.message}) and is being restarted; reconnect`);
      active = undefined;
      try {
        await open();
      } catch (reopenErr) {
        log(`could not reopen PGlite: ${reopenErr.stack ?? reopenErr}`);
        process.exit(1);
      }
    }
  }
}

async function beginSession(conn) {
  let out = await exec(conn.startup);
  // PGlite asks for an MD5 password whatever the client; answer it ourselves (trust, like a loopback
  // pg_hba "trust" line), so clients without a password connect as well.
  const first = backendMessages(out).next().value;
  if (first?.type === 'R' && out.readInt32BE(first.start + 5) === 5) out = await exec(message('p', cstr('trust')));
  conn.phase = 'session';
  conn.since = Date.now();
  conn.send(out);
  log(`#${conn.id} ${conn.peer} connected`);
}

async function handle(conn, msgs) {
  let batch = [];
  const flush = async () => {
    if (!batch.length) return;
    const out = await exec(batch.length === 1 ? batch[0] : Buffer.concat(batch));
    batch = [];
    conn.send(out);
  };
  for (const m of msgs) {
    if (conn.closed) return;
    const type = String.fromCharCode(m[0]);
    if (conn.copy) {
      // COPY FROM STDIN: Postgres in WASM cannot wait for more input mid-statement, so the client got a
      // CopyInResponse from us and its data goes to Postgres together with the query once complete.
      if (type === 'd') {
        conn.copy.parts.push(m);
        continue;
      }
      if (type === 'H' || type === 'S') continue; // ignored during copy-in, as Postgres does
      const ends = type === 'c' || type === 'f';
      const end = ends ? m : message('f', cstr(`unexpected message type ${type} during COPY from stdin`));
      const out = await exec(Buffer.concat([conn.copy.query, ...conn.copy.parts, end]));
      conn.copy = undefined;
      const g = backendMessages(out).next().value;
      conn.send(g?.type === 'G' ? out.subarray(g.end) : out); // the client has had its CopyInResponse
      if (ends) continue;
      // any other message: the COPY has failed; handle the message as usual below
    }
    switch (type) {
      case 'X':
        await flush();
        conn.close();
        return;
      case 'd':
      case 'c':
      case 'f':
      case 'p':
        continue; // not in copy-in mode / already authenticated: Postgres would ignore or reject these
      case 'Q': {
        const sql = m.subarray(5, m.length - 1).toString('utf8');
        const format = copyFromStdin(sql);
        if (format === 'other') batch.push(query(raising(COPY_MIXED)));
        else if (format !== undefined) {
          await flush();
          conn.copy = { query: m, parts: [] };
          conn.send(message('G', Buffer.from([format, 0, 0])));
        } else batch.push(m);
        continue;
      }
      case 'P': {
        const nameEnd = m.indexOf(0, 5);
        const sqlEnd = m.indexOf(0, nameEnd + 1);
        if (nameEnd > 0 && sqlEnd > 0 && copyFromStdin(m.subarray(nameEnd + 1, sqlEnd).toString('utf8')) !== undefined) {
          // Same statement name and parameter types, so Bind still matches and Postgres raises the error.
          batch.push(message('P', Buffer.concat([m.subarray(5, nameEnd + 1), cstr(raising(COPY_EXTENDED)), m.subarray(sqlEnd + 1)])));
        } else batch.push(m);
        continue;
      }
      default:
        batch.push(m);
    }
  }
  await flush();
}

// --- start and stop
await open();
const server = createServer((socket) => {
  const conn = new Conn(socket);
  socket.setNoDelay(true);
  socket.on('data', (chunk) => onData(conn, chunk));
  socket.on('error', () => {}); // ECONNRESET and friends: 'close' follows
  socket.on('close', () => {
    conn.closed = true;
    const i = waiting.indexOf(conn);
    if (i >= 0) {
      waiting.splice(i, 1);
      clearTimeout(conn.queueTimer);
    }
    if (conn === active) void kick();
  });
  if (stopping) conn.close('57P03', 'the database system is shutting down');
  // A client that never sends its startup packet holds nothing, but should not linger either.
  setTimeout(() => conn.phase === 'startup' && conn.close('08P01', 'no startup packet within 60 s'), 60_000).unref();
});
server.on('error', (err) => {
  log(`cannot listen on ${opt.host}:${port}: ${err.message}`);
  process.exit(1);
});
server.listen(port, opt.host, () => log(`ready: listening on ${opt.host}:${port}, pid ${process.pid}, rss ${rssMb()} MB`));

async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: shutting down`);
  server.close();
  for (const conn of waiting.splice(0)) {
    clearTimeout(conn.queueTimer);
    conn.close('57P01', 'terminating connection due to administrator command');
  }
  if (active) active.close('57P01', 'terminating connection due to administrator command');
  await kick(); // rolls the active session back
  await db.close(); // shutdown checkpoint: the data dir opens without recovery next time
  log('PGlite closed cleanly');
  process.exit(0);
}
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    shutdown(signal).catch((err) => {
      log(`shutdown failed: ${err.stack ?? err}`);
      process.exit(1);
    });
  });
}
