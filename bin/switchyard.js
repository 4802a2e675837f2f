#!/usr/bin/env node
// `npx switchyard …`: runs src/client.ts through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main, exitWhenFlushed } = await import('../src/client.ts');
await exitWhenFlushed(await main(process.argv.slice(2)));
