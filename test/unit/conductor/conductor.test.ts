/**
 * Conductor properties the fixtures do not show directly: the commands' activity settings,
 * purity (the input state is never changed), the state view, JSON round trips mid-run, and
 * the barrier rule on its own.
 */
import { describe, expect, it } from 'vitest';
import { arrive } from '../../../src/conductor/barriers.js';
import {
  buildContext,
  readState,
  startRun,
  step,
  viewOf,
  type ConductorEvent,
  type RunContext,
  type StartExecutionCommand,
  type StepResult,
} from '../../../src/conductor/index.js';
import { checkReceived } from '../../../src/definition/index.js';

const WORKFLOW = { id: 'wf', runId: 'r1', startTime: '2026-01-01T00:00:00.000Z' };
const T0 = Date.parse(WORKFLOW.startTime);

/** A started run and the context it was started with. */
type Begun = StepResult & { context: RunContext };

async function begin(definition: unknown, input?: Record<string, unknown>): Promise<Begun> {
  const valid = checkReceived(definition);
  if (!valid.ok) throw new Error(JSON.stringify(valid.problems));
  const context = buildContext({ ...valid, input, workflow: WORKFLOW });
  return { context, ...(await startRun(context, { kind: 'run.started', startTime: WORKFLOW.startTime, now: T0 })) };
}

function starts(result: StepResult): StartExecutionCommand[] {
  return result.commands.filter((command): command is StartExecutionCommand => command.kind === 'startExecution');
}

const done = (executionId: string, result: unknown, now = T0 + 1): ConductorEvent => ({
  kind: 'execution.completed',
  executionId,
  result,
  now,
});

describe('startExecution commands (rule 10)', () => {
  it('carry the rendered with, retry policy, timeouts and heartbeat of the task', async () => {
    const run = await begin({
      version: 1,
      name: 'settings',
      input: { topic: 'ai' },
      tasks: {
        fetch: {
          action: 'script',
          with: { command: ['./fetch.sh', '{{ input.topic }}'], n: '{{ 1 + 1 }}' },
          retry: {
            maximum_attempts: 5,
            initial_interval: '5s',
            backoff: 3,
            maximum_interval: '1m',
            non_retryable_errors: ['BadInput'],
          },
          timeout: '2m',
          heartbeat: '10s',
        },
      },
    });
    expect(starts(run)).toEqual([
      {
        kind: 'startExecution',
        executionId: 'x1',
        task: 'fetch',
        action: 'script',
        with: { command: ['./fetch.sh', 'ai'], n: 2 },
        iteration: 1,
        retry: {
          initialIntervalMs: 5000,
          backoffCoefficient: 3,
          maximumIntervalMs: 60000,
          maximumAttempts: 5,
          nonRetryableErrorTypes: ['BadInput'],
        },
        timeoutMs: 120000,
        heartbeatMs: 10000,
      },
    ]);
  });

  it('use the defaults when the task says nothing', async () => {
    const run = await begin({ version: 1, name: 'defaults', tasks: { a: { action: 'agent' } } });
    const [command] = starts(run);
    expect(command?.retry).toEqual({
      initialIntervalMs: 1000,
      backoffCoefficient: 2,
      maximumAttempts: 3,
      nonRetryableErrorTypes: [],
    });
    expect(command?.timeoutMs).toBe(600000);
    expect(command?.heartbeatMs).toBe(30_000);
  });
});

describe('purity and serialisation', () => {
  const definition = {
    version: 1,
    name: 'pure',
    tasks: {
      a: { action: 'script', next: [{ publish: { a: '{{ result }}' }, do: ['b'] }] },
      b: { action: 'script', next: [{ publish: { b: '{{ result }}' } }] },
    },
    output: { both: '{{ ctx.a & ctx.b }}' },
  };

  it('never changes the state it is given', async () => {
    const first = await begin(definition);
    const before = JSON.stringify(first.state);
    await step(first.context, first.state, done('x1', 'A'));
    expect(JSON.stringify(first.state)).toBe(before);
  });

  it('gives the same result when the state is stringified and parsed mid-run', async () => {
    const first = await begin(definition);
    const second = await step(first.context, first.state, done('x1', 'A'));
    const revived = readState(JSON.parse(JSON.stringify(second.state)));
    const straight = await step(first.context, second.state, done('x2', 'B'));
    const fromJson = await step(first.context, revived, done('x2', 'B'));
    expect(fromJson).toEqual(straight);
    expect(straight.commands.at(-1)).toMatchObject({ kind: 'completeRun', output: { both: 'AB' } });
  });

  it('rejects a value that is not a conductor state with a clear message', () => {
    expect(() => readState({ format: 7 })).toThrow(/format is 7/);
  });
});

describe('state view (rule 14)', () => {
  it('shows running, scheduled, open barriers, iterations, ctx and receipts', async () => {
    const run = await begin({
      version: 1,
      name: 'view',
      vars: { seen: 0 },
      tasks: {
        a: { action: 'script', next: [{ publish: { seen: 1 }, do: ['merge'] }] },
        b: { action: 'script', next: [{ do: ['merge'] }] },
        later: { action: 'script', delay: '1m' },
        merge: { action: 'script', join: 'all' },
      },
    });
    const receipt = {
      task: 'a',
      iteration: 1,
      attempt: 1,
      kind: 'script' as const,
      startedAt: WORKFLOW.startTime,
      endedAt: WORKFLOW.startTime,
      durationMs: 1,
      outcome: 'succeeded' as const,
      workerIdentity: 'w',
      inputDigest: 'i',
      inputBytes: 2,
      outputDigest: 'o',
      outputBytes: 3,
    };
    const after = await step(run.context, run.state, {
      kind: 'execution.completed',
      executionId: 'x2',
      result: 'a',
      receipt,
      now: T0 + 5,
    });
    const view = viewOf(run.context, after.state);
    expect(view).toMatchObject({
      status: 'running',
      running: [{ executionId: 'x3', task: 'b', iteration: 1 }],
      scheduled: [{ task: 'later', iteration: 1, stage: 'delayed' }],
      barriers: [{ task: 'merge', round: 1, fired: false, arrived: ['a'], missing: ['b'], late: [] }],
      iterations: { a: 1, b: 1, later: 1 },
      ctx: { seen: 1 },
      receipts: [receipt],
    });
    const paused = await step(run.context, after.state, { kind: 'run.paused', now: T0 + 6 });
    expect(viewOf(run.context, paused.state).status).toBe('paused');
  });
});

describe('the dead-letter notification (SPEC §5)', () => {
  const definition = {
    version: 1,
    name: 'dead-letter',
    tasks: { a: { action: 'script' }, b: { action: 'script' } },
    on_failure: { notify: { to: 'file:dead', content: '{{ task.error }}' } },
  };

  it('is one non-cancellable deliver, asked for after fail-fast cancels, with its content as rendered', async () => {
    const run = await begin(definition);
    const failed = await step(run.context, run.state, {
      kind: 'execution.failed',
      executionId: 'x1',
      error: { message: 'disk full' },
      attempts: 2,
      now: T0 + 1,
    });
    expect(failed.commands.map((command) => command.kind)).toEqual(['cancel', 'startExecution']);
    const [, notify] = failed.commands;
    expect(notify).toMatchObject({
      task: 'on_failure.notify',
      action: 'deliver',
      iteration: 1,
      cancellable: false,
      // An object stays an object: deliver formats what is not text, as before.
      with: {
        to: 'file:dead',
        content: { message: "task 'a' failed after 2 attempts: disk full", type: 'TaskFailed', attempts: 2 },
      },
    });
    expect(viewOf(run.context, failed.state).status).toBe('notifying');
    const executionId = notify?.kind === 'startExecution' ? notify.executionId : '';
    const ended = await step(run.context, failed.state, { kind: 'execution.completed', executionId, result: {}, now: T0 + 2 });
    expect(ended.commands).toEqual([
      {
        kind: 'failRun',
        failure: { type: 'TaskFailed', message: "task 'a' failed after 2 attempts: disk full", task: 'a', attempts: 2 },
        tasks: expect.any(Object),
        notification: { to: 'file:dead', outcome: 'delivered' },
      },
    ]);
  });
});

describe('ctx between steps is JSON', () => {
  it('a publish that renders nothing is seen as rendered within its step, and gone after it', async () => {
    const run = await begin({
      version: 1,
      name: 'nothing',
      vars: { keep: 1 },
      tasks: {
        a: { action: 'script', next: [{ publish: { x: '{{ result.missing }}' }, do: ['b'] }] },
        b: { action: 'script', with: { keys: '{{ $keys(ctx) }}' }, next: [{ do: ['c'] }] },
        c: { action: 'script', with: { keys: '{{ $keys(ctx) }}' } },
      },
    });
    const afterA = await step(run.context, run.state, done('x1', {}));
    // Within the step, as the previous release did until its next per-event JSON copy.
    expect(starts(afterA)[0]?.with).toEqual({ keys: ['keep', 'x'] });
    expect(afterA.state.data.ctx).toStrictEqual({ keep: 1 });
    const afterB = await step(run.context, afterA.state, done('x2', {}, T0 + 2));
    expect(starts(afterB)[0]?.with).toEqual({ keys: 'keep' });
  });
});

describe('closed runs', () => {
  it('ignore late events except to keep their receipts', async () => {
    const run = await begin({ version: 1, name: 'closed', tasks: { a: { action: 'script' }, b: { action: 'script' } } });
    const failed = await step(run.context, run.state, {
      kind: 'execution.failed',
      executionId: 'x1',
      error: { message: 'no' },
      attempts: 1,
      now: T0 + 1,
    });
    expect(failed.commands.map((command) => command.kind)).toEqual(['cancel', 'failRun']);
    const late = await step(run.context, failed.state, {
      kind: 'execution.completed',
      executionId: 'x2',
      result: 1,
      now: T0 + 2,
    });
    expect(late.commands).toEqual([]);
    expect(late.state.lifecycle.phase).toBe('failed');
  });
});

describe('barriers (rule 4)', () => {
  const sources = ['a', 'b', 'c'];
  it('fire at the requirement, absorb missing sources late, and close when all are in', () => {
    const one = arrive([], 'j', 'a', sources, 2, 0);
    expect(one.effect).toBe('waiting');
    const two = arrive(one.barriers, 'j', 'b', sources, 2, 1);
    expect(two.effect).toBe('fired');
    const again = arrive(two.barriers, 'j', 'a', sources, 2, 1);
    expect(again).toMatchObject({ effect: 'waiting', round: 2 });
    const late = arrive(again.barriers, 'j', 'c', sources, 2, 2);
    expect(late).toMatchObject({ effect: 'late', round: 1 });
    expect(late.barriers.map((barrier) => barrier.round)).toEqual([2]);
  });
});

describe('a cancelled run (rule 13; issue 9: it closes after its activities stopped)', () => {
  const definition = {
    version: 1,
    name: 'cancelled',
    tasks: {
      a: { action: 'script', next: [{ when: 'failed', do: ['on_error'] }, { do: ['after'] }] },
      slow: { action: 'script', delay: '1m' },
      after: { action: 'script' },
      on_error: { action: 'script' },
    },
  };
  const cancelledAttempt = (executionId: string, now: number): ConductorEvent => ({
    kind: 'execution.failed',
    executionId,
    error: { message: 'script task "a": cancelled', type: 'CancelledFailure' },
    attempts: 1,
    receipt: {
      task: 'a',
      iteration: 1,
      attempt: 1,
      kind: 'script',
      startedAt: WORKFLOW.startTime,
      endedAt: WORKFLOW.startTime,
      durationMs: 0,
      outcome: 'cancelled',
      workerIdentity: 'w',
      inputDigest: '',
      inputBytes: 0,
      outputDigest: '',
      outputBytes: 0,
    },
    now,
  });

  it('waits for the activities out, keeps their receipts, follows no transition, and then closes', async () => {
    const run = await begin(definition);
    expect(starts(run).map((command) => command.task)).toEqual(['a']);
    const cancelling = await step(run.context, run.state, { kind: 'run.cancelled', now: T0 + 1 });
    // The host already cancelled everything out: no command, and no close while `a` is out.
    expect(cancelling.commands).toEqual([]);
    expect(viewOf(run.context, cancelling.state)).toMatchObject({
      status: 'cancelling',
      running: [{ task: 'a' }],
      scheduled: [],
      tasks: { a: { status: 'running' }, slow: { status: 'cancelled' } },
    });
    const closed = await step(run.context, cancelling.state, cancelledAttempt('x2', T0 + 2));
    expect(closed.commands).toEqual([
      { kind: 'cancelRun', tasks: expect.objectContaining({ a: { status: 'cancelled', iterations: 1, attempts: 1 } }) },
    ]);
    const view = viewOf(run.context, closed.state);
    expect(view).toMatchObject({ status: 'cancelled', running: [], tasks: { on_error: { status: 'not_run' } } });
    expect(view.receipts.map((receipt) => receipt.outcome)).toEqual(['cancelled']);
  });

  it('closes at once when nothing is out, and ignores a second cancel', async () => {
    const run = await begin({ version: 1, name: 'idle', tasks: { later: { action: 'script', delay: '1h' } } });
    const closed = await step(run.context, run.state, { kind: 'run.cancelled', now: T0 + 1 });
    expect(closed.commands.map((command) => command.kind)).toEqual(['cancelRun']);
    expect(viewOf(run.context, closed.state).tasks.later?.status).toBe('cancelled');
    const again = await step(run.context, closed.state, { kind: 'run.cancelled', now: T0 + 2 });
    expect(again.commands).toEqual([]);
  });
});

describe('a rerun seed (switchyard rerun)', () => {
  const definition = {
    version: 1,
    name: 'seeded',
    vars: { fromA: 'vars default' },
    tasks: {
      a: { action: 'script', with: { command: ['a'] }, next: [{ do: ['b'] }] },
      b: { action: 'script', with: { command: ['b', '{{ ctx.fromA }}'] }, max_iterations: 1 },
    },
  };

  it('starts at the seed tasks with its ctx, results and iterations instead of the entry points', async () => {
    const valid = checkReceived(definition);
    if (!valid.ok) throw new Error(JSON.stringify(valid.problems));
    const context = buildContext({ ...valid, workflow: WORKFLOW });
    const seed = { ctx: { fromA: 'made by a' }, results: { a: { exitCode: 0 } }, iterations: { a: 1, b: 0 }, from: ['b'] };
    const result = await startRun(context, { kind: 'run.started', startTime: WORKFLOW.startTime, now: T0, seed });
    expect(starts(result).map((command) => [command.task, command.with])).toEqual([['b', { command: ['b', 'made by a'] }]]);
    expect(result.state.data.results).toEqual({ a: { exitCode: 0 } });
    expect(result.state.guards.iterations).toEqual({ a: 1, b: 1 });
    const finished = await step(context, result.state, done(starts(result)[0]!.executionId, { exitCode: 0 }));
    expect(finished.commands.map((command) => command.kind)).toEqual(['completeRun']);
  });
});

describe('`do: [notify, fail]` in runs recorded before the fail-after-targets patch', () => {
  it('fails where `fail` is listed, as those runs did, so their histories replay', async () => {
    const definition = {
      version: 1,
      name: 'legacy-fail',
      tasks: { check: { action: 'script', next: [{ do: ['notify', 'fail'] }] }, notify: { action: 'deliver' } },
    };
    const run = await begin(definition);
    const [check] = starts(run);
    const legacy = await step(run.context, run.state, done(check?.executionId ?? '', 'ok'));
    expect(starts(legacy)).toEqual([]);
    expect(legacy.commands.at(-1)).toMatchObject({ kind: 'failRun', failure: { type: 'FailRequested' } });

    const patchedContext = { ...run.context, failAfterTargets: true };
    const current = await step(patchedContext, run.state, done(check?.executionId ?? '', 'ok'));
    expect(starts(current).map((command) => command.task)).toEqual(['notify']);
    expect(current.state.lifecycle).toMatchObject({ phase: 'finishing', failure: { type: 'FailRequested' } });
  });
});
