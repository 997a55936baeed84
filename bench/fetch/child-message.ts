import type { ChildProcess } from 'node:child_process';

/**
 * The next IPC message of `child`, or an error naming it if it exits first:
 * a child that failed would otherwise leave the bench waiting for ever.
 */
export function nextMessage<T>(child: ChildProcess, name: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const exited = (code: number | null, signal: NodeJS.Signals | null) =>
      new Error(`bench fetch: the ${name} exited (${signal ?? `code ${code}`}) before it answered`);
    if (child.exitCode !== null || child.signalCode !== null) {
      reject(exited(child.exitCode, child.signalCode));
      return;
    }
    const onMessage = (message: unknown) => {
      child.off('exit', onExit);
      resolve(message as T);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      child.off('message', onMessage);
      reject(exited(code, signal));
    };
    child.once('message', onMessage);
    child.once('exit', onExit);
  });
}
