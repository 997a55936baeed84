import { closeSync, fsyncSync, openSync, renameSync, writeFileSync } from 'node:fs';

/** Writes `data` to `<file>.partial`, fsyncs, renames over `file`: a reader sees the old file or the whole new one. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const temp = `${file}.partial`;
  const fd = openSync(temp, 'w');
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

/** Pretty JSON with a final newline, written as `writeFileAtomic` does. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
