import { constants } from 'node:os';

type StopSignal = 'SIGINT' | 'SIGTERM';

let received: StopSignal | undefined;

/**
 * Ctrl-C (SIGINT) and `kill` (SIGTERM) ask a long command to stop after the
 * work in flight; a second one exits at once. Either way the exit code is the
 * shell's 128 + signal number (130, 143), so a supervisor can tell them apart.
 * Returns the function that stops listening.
 */
export function onStopSignals(stop: (signal: StopSignal) => void): () => void {
  const handler = (signal: StopSignal) => {
    if (received) process.exit(stopExitCode());
    received = signal;
    stop(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** 128 + the number of the stop signal received (130 when none was: a stop asked some other way). */
export function stopExitCode(): number {
  return 128 + constants.signals[received ?? 'SIGINT'];
}
