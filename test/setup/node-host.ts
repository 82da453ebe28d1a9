/**
 * Tests that call the core in-process read their fixtures from disk: they run with the Node host, as the
 * CLI and the language server do (src/host.ts). The playground's own host is tested in test/site/.
 */
import { setHost } from '../../src/host.js';
import { nodeHost } from '../../src/node/host.js';

setHost(nodeHost);
