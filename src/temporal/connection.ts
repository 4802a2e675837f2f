/**
 * How the worker and the client reach Temporal: Temporal's standard environment
 * configuration (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*,
 * TEMPORAL_PROFILE and the TOML config file), via @temporalio/envconfig, so Switchyard
 * connects wherever the `temporal` CLI does.
 */
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';

/** What a process connects to, resolved once and logged. */
export interface ConnectTarget {
  address: string;
  namespace: string;
  tls: boolean;
  apiKey: boolean;
  config: ClientConnectConfig;
}

/** Resolves the connection settings; explicit overrides (CLI flags) win over the environment. */
export function resolveConnectTarget(overrides: { address?: string; namespace?: string } = {}): ConnectTarget {
  const config = loadClientConnectConfig();
  const address = overrides.address ?? config.connectionOptions.address ?? 'localhost:7233';
  const namespace = overrides.namespace ?? config.namespace ?? 'default';
  const connectionOptions = { ...config.connectionOptions, address };
  return {
    address,
    namespace,
    tls: Boolean(connectionOptions.tls),
    apiKey: Boolean(connectionOptions.apiKey),
    config: { connectionOptions, namespace },
  };
}

/** One line for the log: where to, and how (never the key itself). */
export function describeTarget(target: ConnectTarget): string {
  const how = [target.tls ? 'TLS' : 'plaintext', target.apiKey ? 'API key' : undefined].filter(Boolean).join(', ');
  return `${target.address} namespace=${target.namespace} (${how})`;
}
