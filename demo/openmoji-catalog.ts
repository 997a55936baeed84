import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { WitError } from '../core/index.js';

/** One emoji of the demo website: an image with a human caption and tags. */
export interface Emoji {
  hexcode: string;
  annotation: string;
  tags: string[];
  group: string;
  subgroup: string;
}

export interface CatalogOptions {
  /**
   * Keep only these openmoji groups (e.g. `animals-nature`); all when absent.
   * @default every group except `component` and the `extras-*` ones
   */
  groups?: readonly string[];
  /**
   * Share of each eligible subgroup held out for evaluation (never served).
   * @default 0.2
   */
  heldOutShare?: number;
  /**
   * A subgroup becomes an evaluation class only when it has at least this many emoji.
   * @default 8
   */
  minClassSize?: number;
  /**
   * At most this many emoji held out per class, so that big subgroups (flags)
   * do not dominate the evaluation.
   * @default 8
   */
  maxHeldOutPerClass?: number;
}

/** The emoji the website serves, and those it never serves (the evaluation set). */
export interface Catalog {
  served: Emoji[];
  heldOut: Emoji[];
  /** Evaluation classes: subgroup names with at least one held-out emoji. */
  classes: string[];
  /** The folder holding openmoji's colour SVGs, `<hexcode>.svg`. */
  svgDir: string;
}

interface OpenmojiRecord {
  hexcode: string;
  annotation: string;
  tags: string;
  openmoji_tags: string;
  group: string;
  subgroups: string;
  skintone: string | number;
}

const excludedGroups = new Set(['component', 'extras-openmoji', 'extras-unicode']);

/**
 * Loads openmoji's catalogue: base emoji only (skin-tone variants are left
 * out), split per subgroup into served and held-out emoji. The split is
 * deterministic (every k-th emoji in openmoji's order) so the same demo
 * always holds out the same images.
 */
export function loadCatalog(options: CatalogOptions = {}): Catalog {
  const packageDir = openmojiDir();
  const records = JSON.parse(readFileSync(join(packageDir, 'data', 'openmoji.json'), 'utf8')) as OpenmojiRecord[];
  const wanted = options.groups ? new Set(options.groups) : undefined;
  const emoji = records.filter((r) => r.skintone === '' && !excludedGroups.has(r.group) && (!wanted || wanted.has(r.group))).map(toEmoji);
  if (emoji.length === 0)
    throw new WitError(`No openmoji emoji in groups ${[...(wanted ?? [])].join(', ')}: name groups from openmoji.json.`);
  return { ...splitHeldOut(emoji, options), svgDir: join(packageDir, 'color', 'svg') };
}

function toEmoji(record: OpenmojiRecord): Emoji {
  const tags = `${record.tags}, ${record.openmoji_tags}`
    .split(',')
    .map((t) => t.trim())
    .filter((t, i, all) => t !== '' && all.indexOf(t) === i);
  return { hexcode: record.hexcode, annotation: record.annotation, tags, group: record.group, subgroup: record.subgroups };
}

function splitHeldOut(emoji: Emoji[], options: CatalogOptions): Omit<Catalog, 'svgDir'> {
  const share = options.heldOutShare ?? 0.2;
  const minClassSize = options.minClassSize ?? 8;
  const maxPerClass = options.maxHeldOutPerClass ?? 8;
  const bySubgroup = new Map<string, Emoji[]>();
  for (const e of emoji) bySubgroup.set(e.subgroup, [...(bySubgroup.get(e.subgroup) ?? []), e]);
  const served: Emoji[] = [];
  const heldOut: Emoji[] = [];
  const classes: string[] = [];
  for (const [subgroup, members] of bySubgroup) {
    if (members.length < minClassSize) {
      served.push(...members);
      continue;
    }
    const count = Math.min(maxPerClass, Math.max(1, Math.round(members.length * share)));
    const stride = members.length / count;
    const picked = new Set(Array.from({ length: count }, (_, i) => Math.floor(i * stride + stride / 2)));
    members.forEach((e, i) => (picked.has(i) ? heldOut : served).push(e));
    classes.push(subgroup);
  }
  return { served, heldOut, classes };
}

function openmojiDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve('openmoji/package.json'));
  } catch (error) {
    throw new WitError('The openmoji package is missing: run `npm install` in the wit folder.', { cause: error });
  }
}
