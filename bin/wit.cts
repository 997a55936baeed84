#!/usr/bin/env node
/**
 * The `wit` command. sharp decodes images on libuv's thread pool, which keeps
 * 4 threads unless UV_THREADPOOL_SIZE is set before the pool starts (sharp's
 * docs), and an ES module entry starts it while its imports load (on Node
 * 20.20: 4 pool threads with the variable set at the top of an .mjs entry, 8
 * from a .cjs one). So this CommonJS file sets one thread a core (at least 4,
 * libuv's default) first, then loads the CLI; otherwise `wit fetch` would
 * decode on 4 cores of a bigger machine (not measured here: 2 cores).
 */
import { availableParallelism } from 'node:os';

process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism()));
void import('./cli.js');
