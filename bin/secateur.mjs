#!/usr/bin/env node
// `npx secateur …` from a checkout: runs the TypeScript command line (src/cli/main.ts) through tsx's
// loader, so there is no build step between `npm install` and the first run. tsx is a dependency,
// not a devDependency: `npm install --omit=dev` is enough to run it.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
