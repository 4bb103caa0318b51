#!/usr/bin/env node
// The `motcua` command. Runs the TypeScript sources directly through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../core/cli/main.ts');
process.exit(await main(process.argv));
