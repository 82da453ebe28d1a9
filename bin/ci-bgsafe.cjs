#!/usr/bin/env node
// The command: runs the bundled CLI (dist/cli.cjs) through its compile cache (dist/start.cjs).
require('../dist/start.cjs');
