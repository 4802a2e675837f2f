/**
 * A forgiving read of a definition for the static checks. Every field that has the wrong shape
 * becomes `undefined` instead of failing the whole parse, so that a typo in one task does not
 * hide the graph problems of every other task. Shape errors themselves are zod's to report.
 */
import { z } from 'zod';
import { DefinitionSchema, RetrySchema, TaskSchema, TransitionSchema } from './schema.js';

/** Wrong shape becomes undefined; unknown keys are ignored (the strict parse reports them). */
function lenient<T extends z.ZodType>(schema: T) {
  return schema.optional().catch(undefined);
}

const LooseTransitionSchema = z
  .object({
    when: lenient(TransitionSchema.shape.when),
    publish: lenient(TransitionSchema.shape.publish),
    do: lenient(TransitionSchema.shape.do),
  })
  // A broken transition keeps its index so that later paths stay right.
  .catch({});

const LooseRetrySchema = z.object({
  initial_interval: lenient(RetrySchema.shape.initial_interval),
  maximum_interval: lenient(RetrySchema.shape.maximum_interval),
});

const LooseTaskSchema = z
  .object({
    action: lenient(TaskSchema.shape.action),
    with: lenient(TaskSchema.shape.with),
    next: lenient(z.array(LooseTransitionSchema)),
    join: lenient(TaskSchema.shape.join),
    items: lenient(TaskSchema.shape.items),
    concurrency: lenient(TaskSchema.shape.concurrency),
    delay: lenient(TaskSchema.shape.delay),
    retry: lenient(LooseRetrySchema),
    timeout: lenient(TaskSchema.shape.timeout),
    heartbeat: lenient(TaskSchema.shape.heartbeat),
  })
  .catch({});

const NotifySchema = z.object({ to: lenient(z.string()), content: lenient(z.string()) });

/** The loose model the static checks read. */
export const LooseDefinitionSchema = z.object({
  start: lenient(DefinitionSchema.shape.start),
  timeout: lenient(DefinitionSchema.shape.timeout),
  tasks: lenient(z.record(z.string(), LooseTaskSchema)),
  on_failure: lenient(z.object({ notify: lenient(NotifySchema) })),
  output: DefinitionSchema.shape.output,
});
/** A definition read leniently; see {@link LooseDefinitionSchema}. */
export type LooseDefinition = z.infer<typeof LooseDefinitionSchema>;
/** One task read leniently. */
export type LooseTask = z.infer<typeof LooseTaskSchema>;
/** One transition read leniently. */
export type LooseTransition = z.infer<typeof LooseTransitionSchema>;
