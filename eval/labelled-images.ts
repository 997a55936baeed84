import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { WitError } from '../core/index.js';

/** Where labelled images come from: a folder with a sub-folder per class, or a CSV/JSONL list of path,label. */
export type LabelledImageSource = { imagesDir: string } | { listFile: string };

export interface LabelledImages {
  /** Display names, one per class, in class-index order. */
  classNames: string[];
  /** Every image path (absolute) with its class index. */
  items: Array<{ path: string; label: number }>;
}

/** File endings read as images (what sharp decodes); other files in a class folder are ignored. */
export const imageExtensions: ReadonlySet<string> = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.svg', '.avif', '.tif', '.tiff']);

/**
 * Loads a labelled image set. Classes are the sub-folders (sorted by name,
 * as torchvision's ImageFolder does) or the distinct labels of the list
 * (sorted numerically when all are integers, else by name). A class's
 * display name is its folder name or label with underscores as spaces,
 * unless `classNamesFile` gives one name per line, in class order.
 */
export function loadLabelledImages(source: LabelledImageSource, classNamesFile?: string): LabelledImages {
  const { keys, items } = 'imagesDir' in source ? readImageFolder(source.imagesDir) : readImageList(source.listFile);
  const classNames =
    classNamesFile === undefined ? keys.map((key) => key.replaceAll('_', ' ').trim()) : readClassNames(classNamesFile, keys);
  return { classNames, items };
}

function readImageFolder(dir: string): { keys: string[]; items: LabelledImages['items'] } {
  const root = resolve(dir);
  const classDirs = listDir(dir, root)
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  if (classDirs.length < 2) {
    throw new WitError(
      `${dir} has ${classDirs.length} class folder(s); an image folder needs one sub-folder per class (at least 2), e.g. ${join(dir, 'dog')}/*.jpg.`,
    );
  }
  const items: LabelledImages['items'] = [];
  classDirs.forEach((name, label) => {
    const classDir = join(root, name);
    const images = listDir(join(dir, name), classDir)
      .filter((entry) => entry.isFile() && imageExtensions.has(extname(entry.name).toLowerCase()))
      .map((entry) => entry.name)
      .sort();
    if (images.length === 0) {
      throw new WitError(
        `class folder ${join(dir, name)} holds no images (${[...imageExtensions].join(' ')}): add some or remove the folder.`,
      );
    }
    for (const image of images) items.push({ path: join(classDir, image), label });
  });
  return { keys: classDirs, items };
}

function listDir(shown: string, path: string) {
  try {
    return readdirSync(path, { withFileTypes: true });
  } catch (error) {
    throw new WitError(`cannot read the image folder ${shown}: ${(error as Error).message}`, { cause: error });
  }
}

function readImageList(file: string): { keys: string[]; items: LabelledImages['items'] } {
  const text = readText(file, 'image list');
  const base = dirname(resolve(file));
  const rows = file.toLowerCase().endsWith('.jsonl') ? parseJsonlList(text, file) : parseCsvList(text, file);
  if (rows.length === 0)
    throw new WitError(`${file} lists no images: give one "path,label" per line (CSV) or {"path":…,"label":…} (JSONL).`);
  const keys = sortLabels([...new Set(rows.map((row) => row.label))]);
  const index = new Map(keys.map((key, i) => [key, i]));
  return { keys, items: rows.map((row) => ({ path: resolve(base, row.path), label: index.get(row.label)! })) };
}

function parseJsonlList(text: string, file: string): Array<{ path: string; label: string }> {
  const rows: Array<{ path: string; label: string }> = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new WitError(`${file} line ${i + 1} is not JSON: expected {"path": "...", "label": "..."}.`);
    }
    const { path, label } = (row ?? {}) as { path?: unknown; label?: unknown };
    if (typeof path !== 'string' || (typeof label !== 'string' && typeof label !== 'number')) {
      throw new WitError(`${file} line ${i + 1} needs a string "path" and a string or number "label".`);
    }
    rows.push({ path, label: String(label) });
  });
  return rows;
}

function parseCsvList(text: string, file: string): Array<{ path: string; label: string }> {
  const lines = text.split(/\r?\n/).map((line, i) => ({ fields: parseCsvLine(line), number: i + 1 }));
  const rows = lines.filter((line) => line.fields.some((field) => field.trim() !== ''));
  if (rows.length > 0 && isHeader(rows[0]!.fields)) rows.shift();
  return rows.map(({ fields, number }) => {
    if (fields.length !== 2 || fields[0]!.trim() === '' || fields[1]!.trim() === '') {
      throw new WitError(
        `${file} line ${number} should be "path,label" (2 fields; quote a field holding a comma), got ${fields.length} field(s).`,
      );
    }
    return { path: fields[0]!.trim(), label: fields[1]!.trim() };
  });
}

function isHeader(fields: string[]): boolean {
  return (
    fields.length === 2 &&
    ['path', 'file', 'filepath', 'image'].includes(fields[0]!.trim().toLowerCase()) &&
    fields[1]!.trim().toLowerCase() === 'label'
  );
}

/** One CSV record (RFC 4180 quoting: "a,b" and "" for a quote). */
function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quoted && char === '"' && line[i + 1] === '"') {
      field += '"';
      i++;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (char === ',' && !quoted) {
      fields.push(field);
      field = '';
    } else {
      field += char;
    }
  }
  fields.push(field);
  return fields;
}

function sortLabels(labels: string[]): string[] {
  const numeric = labels.every((label) => /^-?\d+$/.test(label));
  return numeric ? labels.sort((a, b) => Number(a) - Number(b)) : labels.sort();
}

function readClassNames(file: string, keys: string[]): string[] {
  const names = readText(file, 'class names file')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (names.length !== keys.length) {
    throw new WitError(
      `${file} has ${names.length} class name(s) but the images have ${keys.length} class(es) (${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''}): give one name per line, in that (sorted) order.`,
    );
  }
  return names;
}

/** The text of a user-given file, or a WitError naming it. */
export function readText(file: string, what: string): string {
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new WitError(`cannot read the ${what} ${file}: ${(error as Error).message}`, { cause: error });
  }
}
