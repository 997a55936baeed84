import { WitError } from '../core/index.js';
import { readText } from './labelled-images.js';

/** CLIP's default prompt. */
export const defaultTemplates: readonly string[] = ['a photo of a {}.'];

/**
 * Prompt templates from a file: one per line, `{}` (or `{label}`) where the
 * class name goes, as in CLIP's notebooks; blank lines and `#` comments skipped.
 */
export function readTemplates(file: string): string[] {
  const templates: string[] = [];
  readText(file, 'templates file')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      if (!/\{(label)?\}/.test(line)) throw new WitError(`${file} line ${i + 1} has no {} for the class name: "${line}".`);
      templates.push(line);
    });
  if (templates.length === 0) throw new WitError(`${file} holds no templates: give one per line, e.g. "a photo of a {}."`);
  return templates;
}

/** Labels given inline, comma-separated: `"dog,cat,car"`. */
export function labelsFromList(list: string): string[] {
  return checkLabels(list.split(','), '--labels');
}

/** Labels from a file, one per line; blank lines and `#` comments skipped. */
export function labelsFromFile(file: string): string[] {
  return checkLabels(readText(file, 'labels file').split(/\r?\n/), file);
}

function checkLabels(raw: string[], source: string): string[] {
  const labels = raw.map((label) => label.trim()).filter((label) => label !== '' && !label.startsWith('#'));
  if (labels.length < 2) throw new WitError(`${source} gives ${labels.length} label(s); classification needs at least 2.`);
  const seen = new Set<string>();
  for (const label of labels) {
    if (seen.has(label)) throw new WitError(`${source} lists "${label}" twice.`);
    seen.add(label);
  }
  return labels;
}
