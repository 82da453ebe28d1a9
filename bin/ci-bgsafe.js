#!/usr/bin/env node
// The command: runs the bundled CLI (dist/cli.cjs) through its compile cache; it sets the exit code.
import { createRequire } from 'node:module';

createRequire(import.meta.url)('../dist/start.cjs');
