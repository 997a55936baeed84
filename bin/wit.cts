#!/usr/bin/env node
/**
 * The `wit` command. sharp decodes images on libuv's thread pool, which keeps
 * 4 threads unless UV_THREADPOOL_SIZE is set before the pool starts, and an
 * ES module entry starts it while its imports load. So this CommonJS file
 * sets one thread a core (at least 4, libuv's default) first, then loads the
 * CLI: on a 16-core machine `wit fetch` would otherwise decode on 4 cores.
 */
import { availableParallelism } from 'node:os';

process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism()));
void import('./cli.js');
