/**
 * Switchyard's own metrics, recorded through the SDK's metric meter of the running activity
 * (so they reach whatever the worker's Runtime exports: its Prometheus endpoint, see
 * src/telemetry.ts). Outside a worker with telemetry the meter is a no-op.
 */
import { Context } from '@temporalio/activity';
import type { ActionKind, AgentUsage, DeliveryTargetReport, Receipt } from '../types.js';

/** Task executions (attempts) by kind and outcome: `switchyard_task_executions`. */
export function countTaskExecution(context: Context, kind: ActionKind, outcome: Receipt['outcome']): void {
  context.metricMeter
    .createCounter('switchyard_task_executions', 'executions', 'Task attempts by activity kind and outcome')
    .add(1, { kind, outcome });
}

/** Deliveries by target kind (`webhook`, `telegram`, …) and status: `switchyard_deliveries`. */
export function countDeliveries(reports: readonly DeliveryTargetReport[]): void {
  const counter = Context.current().metricMeter.createCounter(
    'switchyard_deliveries',
    'deliveries',
    'Delivery targets by target kind and status',
  );
  for (const report of reports) {
    const kind = report.target.slice(0, Math.max(0, report.target.indexOf(':'))) || report.target;
    counter.add(1, { target_kind: kind, status: report.status });
  }
}

/** Agent tokens by model and type (prompt, completion): `switchyard_agent_tokens`. */
export function countAgentTokens(model: string, usage: AgentUsage | null): void {
  if (!usage) return;
  const counter = Context.current().metricMeter.createCounter(
    'switchyard_agent_tokens',
    'tokens',
    'LLM tokens by model and type',
  );
  counter.add(usage.promptTokens, { model, type: 'prompt' });
  counter.add(usage.completionTokens, { model, type: 'completion' });
}
