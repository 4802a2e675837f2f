/**
 * Every error that leaves the interpreter must be an ApplicationFailure: a plain Error only
 * fails the workflow *task*, which Temporal retries forever (STYLE.md, sdk-typescript notes).
 * Cancellation and continue-as-new are control flow and pass through untouched.
 */
import { ApplicationFailure, ContinueAsNew, isCancellation } from '@temporalio/workflow';
import type { Receipt } from '../activities/types.js';
import type { NotificationReport, RunFailure, TaskSummary } from '../conductor/index.js';
import { ExpressionError, formatProblems, type Problem } from '../definition/core.js';

/** What a failed run carries in `details[0]`. */
export interface FailureReport {
  failure: RunFailure;
  tasks: Readonly<Record<string, TaskSummary>>;
  receipts: readonly Receipt[];
  /** The `on_failure.notify` delivery, when the definition asks for one. */
  notification?: NotificationReport;
}

/** The failure of a run the conductor failed. */
export function runFailure(report: FailureReport): ApplicationFailure {
  return ApplicationFailure.create({
    type: report.failure.type,
    message: report.failure.message,
    nonRetryable: true,
    details: [report],
  });
}

/** The failure of a run whose definition is invalid: every problem, each with its path. */
export function invalidDefinition(problems: Problem[], source?: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'InvalidDefinition',
    message: formatProblems(problems, source),
    nonRetryable: true,
    details: [{ problems }],
  });
}

/** The failure of a run whose input breaks the definition's input_schema (SPEC rule 20): every bad field. */
export function invalidRunInput(problems: Problem[], name: string): ApplicationFailure {
  const fields = problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
  return ApplicationFailure.create({
    type: 'InvalidInput',
    message: `the run input does not match the input_schema of '${name}': ${fields}`,
    nonRetryable: true,
    details: [{ problems }],
  });
}

/** Rethrows control flow as is, ApplicationFailures as is, and wraps anything else. */
export function asRunFailure(error: unknown): unknown {
  if (error instanceof ContinueAsNew || isCancellation(error) || error instanceof ApplicationFailure) return error;
  if (error instanceof ExpressionError) {
    return ApplicationFailure.create({ type: 'ExpressionError', message: error.message, nonRetryable: true, cause: error });
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return ApplicationFailure.create({
    type: 'InterpreterError',
    message: `the interpreter failed: ${message}`,
    nonRetryable: true,
    ...(error instanceof Error ? { cause: error } : {}),
  });
}
