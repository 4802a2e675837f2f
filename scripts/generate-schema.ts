/** Writes schema/switchyard.schema.json from the zod schema (`npm run schema`). A unit test fails if it drifts. */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { definitionJsonSchemaText, JSON_SCHEMA_PATH } from '../src/definition/json-schema.js';

const target = fileURLToPath(new URL(`../${JSON_SCHEMA_PATH}`, import.meta.url));

try {
  await writeFile(target, definitionJsonSchemaText());
  console.log(`wrote ${JSON_SCHEMA_PATH}`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
