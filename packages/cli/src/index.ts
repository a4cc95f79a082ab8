#!/usr/bin/env node
import { run } from './program.js';

// `custodian get events | head` closes stdout early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// Set the exit code instead of calling process.exit(), so large outputs piped to another program are flushed.
process.exitCode = await run();
