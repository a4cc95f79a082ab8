#!/usr/bin/env node
import { ConfigError } from './config.js';
import { serve } from './server.js';

serve().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error('Custodian failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
