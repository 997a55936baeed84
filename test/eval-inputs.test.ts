import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WitError } from '../core/index.js';
import { labelsFromFile, labelsFromList, readTemplates } from '../eval/index.js';
import { readEvalRecords } from '../eval/evals-log.js';
import { loadLabelledImages } from '../eval/labelled-images.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir('wit-eval-inputs-');

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('labelled image sources', () => {
  it('reads an image folder: sorted class folders, underscores as spaces, non-images and hidden folders ignored', () => {
    const root = join(dir, 'folder');
    for (const [sub, files] of [
      ['red_car', ['b.jpg', 'a.PNG', 'notes.txt']],
      ['dog', ['x.webp']],
      ['.cache', ['y.jpg']],
    ] as const) {
      mkdirSync(join(root, sub), { recursive: true });
      for (const file of files) writeFileSync(join(root, sub, file), '');
    }
    const { classNames, items } = loadLabelledImages({ imagesDir: root });
    expect(classNames).toEqual(['dog', 'red car']);
    expect(items).toEqual([
      { path: join(root, 'dog', 'x.webp'), label: 0 },
      { path: join(root, 'red_car', 'a.PNG'), label: 1 },
      { path: join(root, 'red_car', 'b.jpg'), label: 1 },
    ]);
    const names = write('names.txt', 'hound\nautomobile\n');
    expect(loadLabelledImages({ imagesDir: root }, names).classNames).toEqual(['hound', 'automobile']);
    expect(() => loadLabelledImages({ imagesDir: root }, write('one-name.txt', 'hound\n'))).toThrow(
      /has 1 class name\(s\) but the images have 2 class\(es\) \(dog, red_car\)/,
    );
  });

  it('reads a CSV list with a header and quoted fields, paths relative to the list, integer labels sorted as numbers', () => {
    const list = write('list.csv', 'path,label\nimgs/a.jpg,10\n"imgs/b,c.jpg",2\r\nimgs/d.jpg,10\n\n');
    const { classNames, items } = loadLabelledImages({ listFile: list });
    expect(classNames).toEqual(['2', '10']);
    expect(items).toEqual([
      { path: join(dir, 'imgs/a.jpg'), label: 1 },
      { path: join(dir, 'imgs/b,c.jpg'), label: 0 },
      { path: join(dir, 'imgs/d.jpg'), label: 1 },
    ]);
    expect(() => loadLabelledImages({ listFile: write('bad.csv', 'a.jpg,dog\nb.jpg\n') })).toThrow(
      /bad\.csv line 2 should be "path,label"/,
    );
  });

  it('reads a JSONL list and names the bad line', () => {
    const list = write('list.jsonl', '{"path": "/x/a.png", "label": "sea_lion"}\n{"path": "b.png", "label": "cat"}\n');
    const { classNames, items } = loadLabelledImages({ listFile: list });
    expect(classNames).toEqual(['cat', 'sea lion']);
    expect(items).toEqual([
      { path: '/x/a.png', label: 1 },
      { path: join(dir, 'b.png'), label: 0 },
    ]);
    expect(() => loadLabelledImages({ listFile: write('bad.jsonl', '{"path": "a.png", "label": "x"}\n{"file": "b.png"}\n') })).toThrow(
      /bad\.jsonl line 2 needs a string "path"/,
    );
  });

  it('refuses a missing folder, a folder of one class and an empty class folder with WitErrors naming them', () => {
    expect(() => loadLabelledImages({ imagesDir: join(dir, 'nope') })).toThrow(WitError);
    const single = join(dir, 'single');
    mkdirSync(join(single, 'only'), { recursive: true });
    expect(() => loadLabelledImages({ imagesDir: single })).toThrow(/has 1 class folder\(s\)/);
    mkdirSync(join(single, 'empty'));
    writeFileSync(join(single, 'only', 'a.jpg'), '');
    expect(() => loadLabelledImages({ imagesDir: single })).toThrow(`class folder ${join(single, 'empty')} holds no images`);
  });
});

describe('prompts and labels', () => {
  it('reads templates with {} or {label}, skipping comments, and refuses a line without a slot', () => {
    expect(readTemplates(write('t.txt', '# CLIP style\na photo of a {}.\n\na drawing of the {label}\n'))).toEqual([
      'a photo of a {}.',
      'a drawing of the {label}',
    ]);
    expect(() => readTemplates(write('t-bad.txt', 'a photo of a {}.\na photo\n'))).toThrow(
      /t-bad\.txt line 2 has no \{\} for the class name/,
    );
  });

  it('parses labels inline or from a file and refuses duplicates and single labels', () => {
    expect(labelsFromList(' dog, cat ,red car')).toEqual(['dog', 'cat', 'red car']);
    expect(labelsFromFile(write('labels.txt', 'dog\n# pets\ncat, black\n'))).toEqual(['dog', 'cat, black']);
    expect(() => labelsFromList('dog,dog')).toThrow(/lists "dog" twice/);
    expect(() => labelsFromList('dog')).toThrow(/gives 1 label\(s\)/);
  });
});

describe('evals.jsonl', () => {
  it('reads the records back, leaving out a line cut short by a kill', () => {
    const run = join(dir, 'run');
    mkdirSync(run);
    expect(readEvalRecords(run)).toEqual([]);
    const record = {
      kind: 'retrieval',
      time: 't',
      command: 'wit eval retrieval',
      data: 'shards',
      skipped: 0,
      figures: { split: 'val', pairs: 2, recall: [] },
    };
    appendFileSync(join(run, 'evals.jsonl'), `${JSON.stringify(record)}\n{"kind": "zerosh`);
    expect(readEvalRecords(run)).toEqual([record]);
  });
});
