/** The human output of `status`, `list` and `result` (src/cli/format.ts). */
import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatList,
  formatProgress,
  formatStatus,
  formatTable,
  formatTasks,
  uiLink,
} from '../../../src/cli/format.js';
import { dueTime, withPendingAttempts } from '../../../src/cli/runs.js';
import type { StateView } from '../../../src/conductor/index.js';
import type { Receipt } from '../../../src/activities/types.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');

function receipt(task: string, durationMs: number, attempt = 1): Receipt {
  return {
    task,
    iteration: 1,
    attempt,
    kind: 'script',
    startedAt: '2026-11-23T11:59:00Z',
    endedAt: '2026-11-23T11:59:01Z',
    durationMs,
    outcome: 'succeeded',
    workerIdentity: 'w',
    inputDigest: '',
    inputBytes: 0,
    outputDigest: '',
    outputBytes: 0,
  };
}

function view(overrides: Partial<StateView> = {}): StateView {
  return {
    status: 'running',
    paused: false,
    running: [],
    scheduled: [],
    waiting: [],
    barriers: [],
    iterations: {},
    ctx: {},
    tasks: {},
    receipts: [],
    receiptsDropped: 0,
    generation: 0,
    ...overrides,
  };
}

describe('formatDuration', () => {
  it('reads as people write durations', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(12_345)).toBe('12.3s');
    expect(formatDuration(245_000)).toBe('4m05s');
    expect(formatDuration(7_380_000)).toBe('2h03m');
    expect(formatDuration(-1)).toBe('—');
  });
});

describe('formatTable', () => {
  it('pads every column but the last to its widest cell', () => {
    expect(formatTable(['A', 'BB'], [['xxx', 'y']])).toBe('A    BB\nxxx  y');
  });
});

describe('formatStatus', () => {
  it('prints a header line and a task table with iteration, attempts, duration and last error', () => {
    const text = formatStatus(
      {
        workflowId: 'run-1',
        status: 'RUNNING',
        graph: 'briefing',
        startTime: '2026-11-23T11:58:00Z',
        closeTime: undefined,
        state: view({
          paused: true,
          status: 'paused',
          running: [{ executionId: 'e1', task: 'fetch', iteration: 2 }],
          tasks: {
            fetch: { status: 'running', iterations: 2, attempts: 3, lastError: 'HTTP 503\nfrom vendor' },
            summarize: { status: 'succeeded', iterations: 1, attempts: 1 },
          },
          receipts: [receipt('summarize', 1_500)],
          barriers: [{ task: 'join', round: 1, fired: false, arrived: ['a'], missing: ['b'], late: [] }],
        }),
      },
      NOW,
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('run-1  graph briefing  RUNNING  started 2026-11-23T11:58:00Z  duration 2m00s');
    expect(text).toMatch(/PAUSED/);
    expect(text).toMatch(/^TASK\s+STATUS\s+ITERATION\s+ATTEMPTS\s+DURATION\s+LAST ERROR$/m);
    expect(text).toMatch(/^fetch\s+running\s+2\s+3\s+—\s+HTTP 503 from vendor$/m);
    expect(text).toMatch(/^summarize\s+succeeded\s+1\s+1\s+1\.5s$/m);
    expect(text).toMatch(/join \(round 1\): arrived a; waiting for b/);
    expect(text).not.toMatch(/[{}]/);
  });

  it('shows a queued run as QUEUED with its due time, not as a missing worker', () => {
    const text = formatStatus(
      {
        workflowId: 'q',
        status: 'RUNNING',
        graph: 'g',
        startTime: '2026-11-23T11:59:00Z',
        closeTime: undefined,
        queuedUntil: '2026-11-23T12:10:00.000Z',
        rerunOf: { workflowId: 'old-run', runId: 'r1', from: ['fetch'] },
        state: { unavailable: 'queued: the run starts at 2026-11-23T12:10:00.000Z; it has no state before then' },
      },
      NOW,
    );
    expect(text.split('\n')[0]).toBe(
      'q  graph g  QUEUED  started 2026-11-23T11:59:00Z  due 2026-11-23T12:10:00.000Z (in 10m00s)',
    );
    expect(text).not.toMatch(/worker/);
    expect(text.split('\n')[1]).toBe('rerun of old-run from fetch');
  });
});

describe('dueTime', () => {
  it('is the execution time of a running run whose start is still ahead, else undefined', () => {
    const later = new Date(NOW + 60_000);
    expect(dueTime({ status: { name: 'RUNNING' }, executionTime: later }, NOW)).toBe(later.toISOString());
    expect(dueTime({ status: { name: 'RUNNING' }, executionTime: new Date(NOW - 1) }, NOW)).toBeUndefined();
    expect(dueTime({ status: { name: 'COMPLETED' }, executionTime: later }, NOW)).toBeUndefined();
  });
});

describe('formatList and formatTasks', () => {
  it('list has a header row and a duration or due time per run', () => {
    const text = formatList(
      [
        {
          workflowId: 'a',
          status: 'COMPLETED',
          graph: 'g',
          startTime: '2026-11-23T11:00:00Z',
          closeTime: '2026-11-23T11:00:05Z',
        },
        {
          workflowId: 'b',
          status: 'RUNNING',
          graph: undefined,
          startTime: '2026-11-23T11:59:00Z',
          closeTime: undefined,
          queuedUntil: '2026-11-23T13:00:00Z',
        },
      ],
      NOW,
    );
    const [header, first, second] = text.split('\n');
    expect(header).toMatch(/^STATUS\s+GRAPH\s+ID\s+START\s+DURATION$/);
    expect(first).toMatch(/^COMPLETED\s+g\s+a\s+2026-11-23T11:00:00Z\s+5\.0s$/);
    expect(second).toMatch(/^QUEUED\s+—\s+b\s+2026-11-23T11:59:00Z\s+due 2026-11-23T13:00:00Z$/);
    expect(formatList([], NOW)).toBe('no runs');
  });

  it('a task with no receipt has no duration; a task table with no tasks says so', () => {
    expect(formatTasks({}, [])).toBe('no tasks');
    expect(formatTasks({ a: { status: 'scheduled', iterations: 1, attempts: 0 } }, [])).toMatch(/^a\s+scheduled\s+1\s+0\s+—$/m);
  });
});

describe('uiLink and formatProgress', () => {
  it("links a run's page in the Web UI", () => {
    expect(uiLink('http://127.0.0.1:8233/', 'default', 'hello-1')).toBe(
      'http://127.0.0.1:8233/namespaces/default/workflows/hello-1',
    );
  });

  it('counts tasks done, running and failed, and names the current ones', () => {
    const line = formatProgress(
      view({
        running: [
          { executionId: 'e1', task: 'fetch', iteration: 1, index: 0 },
          { executionId: 'e2', task: 'fetch', iteration: 1, index: 1 },
        ],
        tasks: {
          plan: { status: 'succeeded', iterations: 1, attempts: 1 },
          fetch: { status: 'running', iterations: 1, attempts: 0 },
          notify: { status: 'failed', iterations: 1, attempts: 3 },
          done: { status: 'not_run', iterations: 0, attempts: 0 },
        },
      }),
    );
    expect(line).toBe('1/4 done · 2 running · 1 failed · now: fetch');
  });
});

describe('withPendingAttempts', () => {
  it('adds the attempt of an activity still out to its task, as Temporal counts it, with the pending error', () => {
    const state = view({
      running: [{ executionId: 'e1', task: 'fetch', iteration: 2, index: 1 }],
      tasks: {
        fetch: { status: 'running', iterations: 2, attempts: 1 },
        done: { status: 'succeeded', iterations: 1, attempts: 1 },
      },
    });
    const merged = withPendingAttempts(state, [
      { activityId: 'fetch#2[1]', attempt: 2, lastError: 'HTTP 503' },
      // Ended between the describe and the query: already counted, not added again.
      { activityId: 'done#1', attempt: 1 },
    ]);
    expect(merged.tasks.fetch).toEqual({ status: 'running', iterations: 2, attempts: 3, lastError: 'HTTP 503' });
    expect(merged.tasks.done).toEqual({ status: 'succeeded', iterations: 1, attempts: 1 });
  });
});
