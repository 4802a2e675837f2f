/**
 * What `switchyard setup` does on any Temporal server — the compose stack, a self-hosted
 * cluster, Temporal Cloud: makes sure the namespace exists (creating it when it is missing
 * and the caller may) and that Switchyard's search attributes are registered on it, and
 * reports what it found and what it changed. Running it again changes nothing.
 */
import { isGrpcServiceError, type ConnectionLike } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { msNumberToTs } from '@temporalio/common/lib/time.js';
import { SEARCH_ATTRIBUTES } from '../constants.js';
import { ensureSearchAttributes, type AttributeStatus } from './search-attributes.js';

/** gRPC status codes the answers below depend on. */
const GRPC = { notFound: 5, alreadyExists: 6, permissionDenied: 7, unimplemented: 12, unauthenticated: 16 } as const;

/** What setup found and did. */
export interface SetupReport {
  namespace: { name: string; status: 'created' | 'exists' };
  searchAttributes: { name: string; type: string; status: AttributeStatus }[];
  /** False when everything already existed. */
  changed: boolean;
}

/** Setup stopped on a missing permission; the message says which and what to do. */
export class SetupPermissionError extends Error {
  override readonly name = 'SetupPermissionError';
}

/** A Temporal Cloud address: namespaces and attributes are managed there, not by the caller's API key. */
export function isTemporalCloud(address: string): boolean {
  return /\.tmprl\.cloud(:\d+)?$|\.api\.temporal\.io(:\d+)?$/.test(address);
}

function denied(err: unknown): boolean {
  return (
    isGrpcServiceError(err) &&
    (err.code === GRPC.permissionDenied || err.code === GRPC.unauthenticated || err.code === GRPC.unimplemented)
  );
}

function grpcMessage(err: unknown): string {
  return err instanceof Error ? (isGrpcServiceError(err) ? err.details || err.message : err.message) : String(err);
}

/** Options for {@link setupServer}. */
export interface SetupOptions {
  address: string;
  namespace: string;
  /** Retention of closed runs in a namespace setup creates. */
  retentionMs: number;
  /** How long a namespace just created may take to be usable (default 30 s). */
  readyTimeoutMs?: number;
}

/** Makes sure `namespace` exists and carries Switchyard's search attributes. */
export async function setupServer(connection: ConnectionLike, options: SetupOptions): Promise<SetupReport> {
  const { namespace, address } = options;
  const cloud = isTemporalCloud(address);
  const status = await ensureNamespace(connection, options, cloud);
  let searchAttributes: SetupReport['searchAttributes'];
  try {
    searchAttributes = await withNamespaceRetry(options, () => ensureSearchAttributes(connection, namespace));
  } catch (err) {
    if (!denied(err)) throw err;
    const wanted = Object.values(SEARCH_ATTRIBUTES)
      .map(({ name, type }) => `${name}=${TypedSearchAttributes.toMetadataType(type)}`)
      .join(', ');
    throw new SetupPermissionError(
      [
        `not allowed to register search attributes on namespace ${namespace} (${grpcMessage(err)}).`,
        `Needed: ${wanted}. Registering them takes the OperatorService AddSearchAttributes permission (a namespace admin).`,
        cloud
          ? `On Temporal Cloud, add them in the Cloud UI (Namespaces → ${namespace} → Custom Search Attributes) or with tcld: ` +
            Object.values(SEARCH_ATTRIBUTES)
              .map(
                ({ name, type }) =>
                  `tcld namespace search-attributes add -n ${namespace} --sa "${name}=${TypedSearchAttributes.toMetadataType(type)}"`,
              )
              .join('; ') +
            ', then run setup again to check.'
          : 'Ask an admin of the cluster to run `switchyard setup`, or run it with an identity (API key or client certificate) that is an admin of the namespace.',
      ].join('\n'),
    );
  }
  const changed = status === 'created' || searchAttributes.some((a) => a.status === 'added');
  return { namespace: { name: namespace, status }, searchAttributes, changed };
}

async function ensureNamespace(connection: ConnectionLike, options: SetupOptions, cloud: boolean): Promise<'created' | 'exists'> {
  const { namespace } = options;
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return 'exists';
  } catch (err) {
    if (!(isGrpcServiceError(err) && err.code === GRPC.notFound)) {
      if (denied(err)) {
        throw new SetupPermissionError(
          `not allowed to read namespace ${namespace} (${grpcMessage(err)}): check the API key or client certificate (TEMPORAL_API_KEY, TEMPORAL_TLS_*) and that it has access to this namespace.`,
        );
      }
      throw err;
    }
  }
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      description: 'Switchyard: durable AI-agent jobs',
      workflowExecutionRetentionPeriod: msNumberToTs(options.retentionMs),
    });
    return 'created';
  } catch (err) {
    // Someone else created it in between: it exists, which is all we want.
    if (isGrpcServiceError(err) && err.code === GRPC.alreadyExists) return 'exists';
    if (!denied(err)) throw err;
    throw new SetupPermissionError(
      [
        `namespace ${namespace} does not exist and this identity may not create it (${grpcMessage(err)}).`,
        cloud
          ? `On Temporal Cloud, namespaces are created in the Cloud UI or with \`tcld namespace create --namespace ${namespace} ...\`; create it there, then run setup again.`
          : 'Creating a namespace takes the RegisterNamespace permission (a cluster admin): ask one to run `switchyard setup` or `temporal operator namespace create`, then run setup again.',
      ].join('\n'),
    );
  }
}

/** Retries `fn` while the namespace, just created, is not yet known to every server component. */
async function withNamespaceRetry<T>(options: SetupOptions, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      const notYet = isGrpcServiceError(err) && err.code === GRPC.notFound;
      if (!notYet || Date.now() > deadline) throw err;
      await new Promise((done) => setTimeout(done, 500));
    }
  }
}
