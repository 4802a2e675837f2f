/**
 * `switchyard setup` as a user runs it (bin/switchyard.js, a real child process) against the
 * tier's dev server, on a namespace of its own that does not exist yet: the first run creates
 * the namespace and registers the search attributes, the second changes nothing, and the real
 * `temporal` CLI sees the result.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { SetupReport } from '../../src/temporal/setup.js';
import { switchyard, testServer } from './harness.js';

const runFile = promisify(execFile);

/** The real `temporal` CLI on the tier's server, JSON out. */
async function temporalCli(args: string[]): Promise<unknown> {
  const { address, cliPath } = testServer();
  const { stdout } = await runFile(cliPath, [...args, '--address', address, '--output', 'json']);
  // Commands that change something print nothing.
  return stdout.trim() ? (JSON.parse(stdout) as unknown) : undefined;
}

/** Custom search attributes of a namespace as `temporal operator search-attribute list` shows them. */
async function customAttributes(namespace: string): Promise<Record<string, string>> {
  const listed = (await temporalCli(['operator', 'search-attribute', 'list', '--namespace', namespace])) as {
    customAttributes?: Record<string, string>;
  };
  return listed.customAttributes ?? {};
}

describe('switchyard setup', () => {
  it('creates a missing namespace and registers the attributes; a second run changes nothing', async () => {
    const namespace = `sy-setup-${randomUUID().slice(0, 8)}`;
    await expect(temporalCli(['operator', 'namespace', 'describe', '--namespace', namespace])).rejects.toThrow();

    const first = await switchyard(['--json', 'setup', '--retention', '2d'], { TEMPORAL_NAMESPACE: namespace });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const created = JSON.parse(first.stdout) as SetupReport;
    expect(created).toEqual({
      namespace: { name: namespace, status: 'created' },
      searchAttributes: [
        { name: 'SwitchyardGraph', type: 'Keyword', status: 'added' },
        { name: 'SwitchyardJob', type: 'Keyword', status: 'added' },
      ],
      changed: true,
    });

    // What the server itself now says, through the real CLI.
    const described = (await temporalCli(['operator', 'namespace', 'describe', '--namespace', namespace])) as {
      config?: { workflowExecutionRetentionTtl?: string };
    };
    expect(described.config?.workflowExecutionRetentionTtl).toBe('172800s');
    expect(await customAttributes(namespace)).toMatchObject({
      SwitchyardGraph: 'INDEXED_VALUE_TYPE_KEYWORD',
      SwitchyardJob: 'INDEXED_VALUE_TYPE_KEYWORD',
    });

    const second = await switchyard(['--json', 'setup', '--retention', '9d'], { TEMPORAL_NAMESPACE: namespace });
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual({
      namespace: { name: namespace, status: 'exists' },
      searchAttributes: [
        { name: 'SwitchyardGraph', type: 'Keyword', status: 'exists' },
        { name: 'SwitchyardJob', type: 'Keyword', status: 'exists' },
      ],
      changed: false,
    });
    // An existing namespace is left as it was (its retention too).
    const after = (await temporalCli(['operator', 'namespace', 'describe', '--namespace', namespace])) as typeof described;
    expect(after.config?.workflowExecutionRetentionTtl).toBe('172800s');

    const human = await switchyard(['setup'], { TEMPORAL_NAMESPACE: namespace });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`namespace ${namespace}: already exists`);
    expect(human.stdout).toContain('search attribute SwitchyardGraph (Keyword): already exists');
    expect(human.stdout).toContain('everything already exists; nothing changed');
  });

  it('refuses an attribute that exists with another type, naming it', async () => {
    const namespace = `sy-setup-${randomUUID().slice(0, 8)}`;
    await temporalCli(['operator', 'namespace', 'create', '--namespace', namespace]);
    // The namespace may take a moment to reach every server component.
    for (let i = 0; ; i++) {
      try {
        await temporalCli([
          'operator',
          'search-attribute',
          'create',
          '--namespace',
          namespace,
          '--name',
          'SwitchyardJob',
          '--type',
          'Text',
        ]);
        break;
      } catch (err) {
        if (i > 60) throw err;
        await new Promise((done) => setTimeout(done, 500));
      }
    }
    const run = await switchyard(['setup'], { TEMPORAL_NAMESPACE: namespace });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `search attribute SwitchyardJob exists on namespace ${namespace} with type INDEXED_VALUE_TYPE_TEXT, not Keyword`,
    );
  });

  it('exits 2 on a bad --retention and 3 when the server does not answer', async () => {
    expect((await switchyard(['setup', '--retention', '7'], { TEMPORAL_NAMESPACE: 'default' })).code).toBe(2);
    const unreachable = await switchyard(['setup'], { TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_NAMESPACE: 'default' });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain('cannot reach Temporal at 127.0.0.1:1');
  });
});
