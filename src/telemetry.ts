/**
 * The worker's logs and metrics (SPEC §6): one line per log event (text `key=value` or JSON
 * Lines), the run id, task, iteration and attempt first; and a Prometheus endpoint serving
 * the SDK's metrics beside Switchyard's own (src/activities/common/metrics.ts). Both are the
 * SDK's Runtime telemetry, so they must be installed before the first connection.
 */
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';

/** How log lines look: `text` (default) or `json` (SWITCHYARD_LOG_FORMAT). */
export type LogFormat = 'text' | 'json';

/** The worker's telemetry settings. */
export interface TelemetrySettings {
  logFormat: LogFormat;
  logLevel: LogLevel;
  /** `host:port` for the Prometheus endpoint, or undefined for none. */
  metricsBind?: string;
}

const LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/**
 * Reads SWITCHYARD_LOG_FORMAT (text|json), SWITCHYARD_LOG_LEVEL (default INFO) and
 * SWITCHYARD_METRICS_PORT (a port, bound on all interfaces, or `host:port`); returns the
 * first problem as a message naming the variable.
 */
export function telemetrySettings(env: NodeJS.ProcessEnv): TelemetrySettings | string {
  const format = (env.SWITCHYARD_LOG_FORMAT ?? 'text').trim().toLowerCase() || 'text';
  if (format !== 'text' && format !== 'json') {
    return `SWITCHYARD_LOG_FORMAT=${env.SWITCHYARD_LOG_FORMAT}: must be text or json`;
  }
  const level = (env.SWITCHYARD_LOG_LEVEL ?? 'INFO').trim().toUpperCase() || 'INFO';
  if (!(LEVELS as readonly string[]).includes(level)) {
    return `SWITCHYARD_LOG_LEVEL=${env.SWITCHYARD_LOG_LEVEL}: must be one of ${LEVELS.join(', ')}`;
  }
  const settings: TelemetrySettings = { logFormat: format, logLevel: level as LogLevel };
  const raw = env.SWITCHYARD_METRICS_PORT?.trim();
  if (raw) {
    const match = /^(?:(.+):)?(\d+)$/.exec(raw);
    const port = Number(match?.[2]);
    if (!match || !Number.isInteger(port) || port < 1 || port > 65535) {
      return `SWITCHYARD_METRICS_PORT=${raw}: must be a port (1-65535) or host:port`;
    }
    settings.metricsBind = `${match[1] ?? '0.0.0.0'}:${port}`;
  }
  return settings;
}

/** The URL a metrics bind address is scraped at (`0.0.0.0` read as this host). */
export function metricsUrl(bind: string): string {
  const at = bind.lastIndexOf(':');
  const host = bind.slice(0, at);
  return `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${bind.slice(at + 1)}/metrics`;
}

/** Fields that come first in a line, in this order: who the event is about. */
const FIRST = ['workflowId', 'runId', 'task', 'iteration', 'index', 'attempt', 'kind'];

/** A log value as one token: errors by their message, objects as JSON. */
function plain(value: unknown): unknown {
  if (value instanceof Error) return value.message;
  return value;
}

/** One log entry as one line in `format`. */
export function formatLogLine(entry: LogEntry, format: LogFormat): string {
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  // The SDK calls a run id `runId` in workflow lines and `workflowRunId` in activity lines; one
  // name makes `runId=…` find both. The task token is an opaque blob nobody reads in a log.
  const { workflowRunId, taskToken: _token, isLocal: _local, ...rest } = entry.meta ?? {};
  const meta: Record<string, unknown> = workflowRunId === undefined ? rest : { ...rest, runId: workflowRunId };
  const keys = [...FIRST.filter((key) => key in meta), ...Object.keys(meta).filter((key) => !FIRST.includes(key))];
  if (format === 'json') {
    const fields: Record<string, unknown> = { time, level: entry.level, message: entry.message };
    for (const key of keys) fields[key] = plain(meta[key]);
    return JSON.stringify(fields);
  }
  const pairs = keys.map((key) => {
    const value = plain(meta[key]);
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return `${key}=${/[\s"=]/.test(text ?? '') ? JSON.stringify(text) : text}`;
  });
  // A message with line breaks (a stack) stays one line.
  return [time, entry.level, JSON.stringify(entry.message).slice(1, -1), ...pairs].join(' ');
}

/**
 * The SDK says this of every worker that polls only activities; a kind's worker does so by
 * design, so it is no warning here.
 */
const EXPECTED = 'No workflows registered, not polling for workflow tasks';

/** Installs the SDK runtime with these logs and metrics; call before any connection. */
export function installTelemetry(settings: TelemetrySettings): void {
  const logger = new DefaultLogger(settings.logLevel, (entry) => {
    if (entry.message === EXPECTED) return;
    const line = formatLogLine(entry, settings.logFormat);
    if (entry.level === 'WARN' || entry.level === 'ERROR') process.stderr.write(`${line}\n`);
    else process.stdout.write(`${line}\n`);
  });
  Runtime.install({
    logger,
    ...(settings.metricsBind ? { telemetryOptions: { metrics: { prometheus: { bindAddress: settings.metricsBind } } } } : {}),
  });
}
