/** The worker's telemetry settings and its one-line log format (SPEC §6). */
import { describe, expect, it } from 'vitest';
import { formatLogLine, metricsUrl, telemetrySettings } from '../../../src/telemetry.js';

const entry = {
  level: 'INFO' as const,
  message: 'task started',
  timestampNanos: 1_790_000_000_000_000_000n,
  meta: {
    sdkComponent: 'activity',
    taskToken: 'opaque',
    workflowRunId: 'r-1',
    task: 'fetch',
    iteration: 2,
    attempt: 3,
    workflowId: 'w-1',
  },
};

describe('telemetrySettings', () => {
  it('defaults to text at INFO and no metrics endpoint', () => {
    expect(telemetrySettings({})).toEqual({ logFormat: 'text', logLevel: 'INFO' });
  });

  it('binds a bare port on all interfaces, or the host given', () => {
    expect(telemetrySettings({ SWITCHYARD_METRICS_PORT: '9464', SWITCHYARD_LOG_FORMAT: 'JSON' })).toEqual({
      logFormat: 'json',
      logLevel: 'INFO',
      metricsBind: '0.0.0.0:9464',
    });
    expect(telemetrySettings({ SWITCHYARD_METRICS_PORT: '127.0.0.1:9000' })).toMatchObject({ metricsBind: '127.0.0.1:9000' });
    expect(metricsUrl('0.0.0.0:9464')).toBe('http://127.0.0.1:9464/metrics');
  });

  it.each([
    [{ SWITCHYARD_METRICS_PORT: '70000' }, /SWITCHYARD_METRICS_PORT=70000: must be a port/],
    [{ SWITCHYARD_METRICS_PORT: 'nine' }, /SWITCHYARD_METRICS_PORT=nine: must be a port/],
    [{ SWITCHYARD_LOG_FORMAT: 'yaml' }, /SWITCHYARD_LOG_FORMAT=yaml: must be text or json/],
    [{ SWITCHYARD_LOG_LEVEL: 'loud' }, /SWITCHYARD_LOG_LEVEL=loud: must be one of TRACE, DEBUG, INFO, WARN, ERROR/],
  ])('refuses %j', (env, message) => {
    expect(telemetrySettings(env)).toMatch(message);
  });
});

describe('formatLogLine', () => {
  it('puts the run, task, iteration and attempt first, on one line', () => {
    expect(formatLogLine(entry, 'text')).toBe(
      '2026-09-21T14:13:20.000Z INFO task started workflowId=w-1 runId=r-1 task=fetch iteration=2 attempt=3 sdkComponent=activity',
    );
  });

  it('writes one JSON object per line, with runId for the SDK’s workflowRunId and no task token', () => {
    const line = formatLogLine({ ...entry, message: 'two\nlines', meta: { ...entry.meta, error: new Error('boom') } }, 'json');
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      time: '2026-09-21T14:13:20.000Z',
      level: 'INFO',
      message: 'two\nlines',
      workflowId: 'w-1',
      runId: 'r-1',
      task: 'fetch',
      iteration: 2,
      attempt: 3,
      sdkComponent: 'activity',
      error: 'boom',
    });
  });
});
