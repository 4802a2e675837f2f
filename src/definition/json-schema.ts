/**
 * The JSON Schema of the definition language, generated from the zod schema so the two cannot
 * disagree. Editors use it (yaml-language-server) for completion and inline errors.
 */
import { z } from 'zod';
import { inputSchemaJsonSchema } from './input-schema.js';
import { DefinitionSchema } from './schema.js';

/** Where the committed schema lives, relative to the repository root. */
export const JSON_SCHEMA_PATH = 'schema/switchyard.schema.json';

/** The JSON Schema document for definition files. */
export function definitionJsonSchema(): Record<string, unknown> {
  const { $schema, ...generated } = z.toJSONSchema(DefinitionSchema, { target: 'draft-2020-12', unrepresentable: 'any' });
  // input_schema is checked by input-schema.ts (zod sees a mapping); editors get its keywords from there.
  const { $defs } = inputSchemaJsonSchema();
  const properties = generated.properties as Record<string, Record<string, unknown>>;
  const declared = properties.input_schema ?? {};
  properties.input_schema = { $ref: '#/$defs/InputSchema', description: declared.description };
  return {
    $schema,
    $id: 'https://switchyard.dev/schema/switchyard.schema.json',
    title: 'Switchyard workflow definition',
    description:
      'A Switchyard transition graph (version 1). Graph checks (unknown task names, reachability, joins, expressions, durations) run in `switchyard validate`.',
    ...generated,
    $defs: { ...generated.$defs, ...($defs as Record<string, unknown>) },
  };
}

/** The schema as the text written to {@link JSON_SCHEMA_PATH}. */
export function definitionJsonSchemaText(): string {
  return `${JSON.stringify(definitionJsonSchema(), null, 2)}\n`;
}
