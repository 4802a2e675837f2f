/**
 * How the worker and the client reach Temporal: Temporal's standard environment
 * configuration (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*,
 * TEMPORAL_PROFILE and the TOML config file), via @temporalio/envconfig, so Switchyard
 * connects wherever the `temporal` CLI does; and, when nothing names a server, to the one a
 * running `npm start` recorded.
 */
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import { DEV_ENV_FILE, readDevRecord } from './dev-address.js';

/** What a process connects to, resolved once and logged. */
export interface ConnectTarget {
  address: string;
  namespace: string;
  tls: boolean;
  apiKey: boolean;
  config: ClientConnectConfig;
  /** Where the address came from, for messages: a flag, the environment, npm start's record or the default. */
  source: string;
  /** The Web UI's address, when the address came from a running `npm start`'s record. */
  uiUrl?: string;
  /** A record of an `npm start` that is no longer running, when one was found and skipped. */
  staleRecord?: string;
}

/**
 * Resolves the connection settings: explicit overrides (CLI flags) win, then the environment
 * and the CLI's config file, then the address of a running `npm start` recorded in
 * .switchyard/dev.env (dev-address.ts), then localhost:7233.
 */
export function resolveConnectTarget(
  overrides: { address?: string; namespace?: string } = {},
  devRecordFile: string = DEV_ENV_FILE,
): ConnectTarget {
  const config = loadClientConnectConfig();
  const configured = overrides.address ?? config.connectionOptions.address;
  const { record, stale } = configured === undefined ? readDevRecord(devRecordFile) : {};
  const address = configured ?? record?.address ?? 'localhost:7233';
  const namespace = overrides.namespace ?? config.namespace ?? record?.namespace ?? 'default';
  const source =
    overrides.address !== undefined
      ? '--address'
      : configured !== undefined
        ? 'TEMPORAL_ADDRESS or the temporal CLI config'
        : record !== undefined
          ? `the running npm start (${record.file})`
          : 'the default';
  const connectionOptions = { ...config.connectionOptions, address };
  return {
    address,
    namespace,
    tls: Boolean(connectionOptions.tls),
    apiKey: Boolean(connectionOptions.apiKey),
    config: { connectionOptions, namespace },
    source,
    ...(record?.uiUrl === undefined ? {} : { uiUrl: record.uiUrl }),
    ...(stale ? { staleRecord: `${stale.file} names npm start pid ${stale.pid}, which is not running` } : {}),
  };
}

/** What to tell someone whose connection failed: the address tried, whence, and how to point elsewhere. */
export function unreachableHint(target: ConnectTarget): string {
  const stale = target.staleRecord ? `; ${target.staleRecord}` : '';
  return (
    `(address from ${target.source}${stale}). Start the embedded server with \`npm start\`, ` +
    'or point at a server with --address HOST:PORT or TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_* for a cluster)'
  );
}

/** One line for the log: where to, and how (never the key itself). */
export function describeTarget(target: ConnectTarget): string {
  const how = [target.tls ? 'TLS' : 'plaintext', target.apiKey ? 'API key' : undefined].filter(Boolean).join(', ');
  return `${target.address} namespace=${target.namespace} (${how})`;
}
