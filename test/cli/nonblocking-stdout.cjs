// Runs a command whose standard output is a pipe left non-blocking by another process that shares it,
// as can happen in a pipeline: once the child has started, a socket over this process's own descriptor 1
// puts the pipe (shared with the child) in non-blocking mode. A full pipe then refuses writes (EAGAIN).
const { spawn } = require('node:child_process');
const net = require('node:net');

const child = spawn(process.argv[2], process.argv.slice(3), { stdio: 'inherit' });
child.on('spawn', () => new net.Socket({ fd: 1, readable: false, writable: true }));
child.on('exit', (code) => {
  process.exitCode = code ?? 128;
});
