import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** The 1, 5 and 15-minute load averages, as a bench prints them beside each figure. */
export function loadText(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

/**
 * Waits, at most `maxSecs`, until the 1-minute load is at most half a core
 * each, so that a timed phase starts on a quiet machine and its own threads
 * keep the load under the 1.5-a-core rule while it runs (a phase of half a
 * minute lifts the 1-minute load by about a third of its thread count).
 * Prints how long it waited and the load `what` starts at.
 */
export async function waitForQuietMachine(what: string, maxSecs = 180): Promise<void> {
  const quiet = availableParallelism() / 2;
  const started = performance.now();
  while (loadavg()[0]! > quiet && performance.now() - started < maxSecs * 1000) await sleep(2000);
  const waited = (performance.now() - started) / 1000;
  const state = loadavg()[0]! > quiet ? `still above ${quiet.toFixed(1)} after ${maxSecs} s` : `waited ${waited.toFixed(0)} s`;
  console.log(`${what} starts at load ${loadText()} (${state})`);
}
