// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/**
 * The wall around workflow code: it is replayed and must be deterministic, so it may not
 * reach the OS, the clock or the network. src/definition and src/conductor are bundled into
 * the workflow too, so the same wall stands around them. `extra` adds import patterns.
 * @param {string[]} files
 * @param {object[]} extra
 */
function workflowWall(files, extra) {
  return [
    {
      files,
      rules: {
        'no-restricted-imports': [
          'error',
          {
            paths: nodeBuiltins.map((name) => ({
              name,
              message: 'Workflow code must be deterministic: Node built-ins do I/O; do it in an activity.',
            })),
            patterns: [
              {
                group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'],
                message: 'Workflow code may import only @temporalio/workflow and @temporalio/common.',
              },
              {
                group: ['**/activities/*', '!**/activities/types*', '!**/activities/inputs*'],
                allowTypeImports: true,
                message: 'Import only the types of activities into workflow code.',
              },
              ...extra,
            ],
          },
        ],
        'no-restricted-globals': [
          'error',
          { name: 'process', message: 'Workflow code may not read the process environment.' },
          { name: 'setInterval', message: 'Use workflow timers (sleep/condition).' },
          { name: 'fetch', message: 'Network I/O belongs in an activity.' },
        ],
      },
    },
  ];
}

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '.switchyard/', 'schema/', 'bin/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // inputs.ts (the activities' zod schemas) is imported by src/definition: the same wall.
  ...workflowWall(['src/definition/**/*.ts', 'src/activities/inputs.ts', 'src/activities/common/duration.ts'], []),
  // The interpreter re-evaluates every module it imports on each run: keep zod and yaml
  // (schemas built at import, parsers) out of it. They stay for the client, in src/definition.
  ...workflowWall(
    ['src/workflows/**/*.ts', 'src/conductor/**/*.ts'],
    [
      {
        group: ['zod', 'yaml', '**/definition/index*', '**/definition/schema*', '**/definition/validate*', '**/definition/load*'],
        allowTypeImports: true,
        message:
          'Workflow code imports the definition language from definition/core.js: zod and yaml would be rebuilt on every run.',
      },
    ],
  ),
);
