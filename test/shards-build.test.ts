import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { hammingDistance } from '../fetch/phash.js';
import { buildShards, type BuildShardsOptions } from '../curate/index.js';
import { openDb } from '../db/index.js';
import { runWit } from './fixtures/run-wit.js';
import { editedCopies, emoji, makeShardsFixture, rasterEmoji, type FixturePair, type StoredImage } from './fixtures/shards-data.js';
import { readShardsWithPython } from './fixtures/shards-python.js';
import { tempDir } from './fixtures/temp-dir.js';

const [apple, dog, cat, car, house, star, tree, bike, fish, rocket, banana, carrot, lion, turtle] = emoji;

const pairs: FixturePair[] = [
  // one near-duplicate cluster (apple and its edits) plus a flipped copy
  { image: 'apple', text: 'a red apple on a white table', query: 'apple' },
  { image: 'apple', text: 'A red apple, on a white table!', query: 'apple' },
  { image: 'appleMirror', text: 'fresh fruit from the orchard', query: 'apple' },
  { image: 'appleResized', text: 'a small apple picture', query: 'apple' },
  { image: 'appleLowQuality', text: 'apple in low quality', query: 'apple' },
  { image: 'appleCropped', text: 'cropped apple photo', query: 'apple' },
  { image: 'appleFlipped', text: 'an apple facing left', query: 'apple' },
  // filters
  { image: 'bike', text: 'IMG_1234.jpg', query: 'bike' },
  { image: 'bike', text: 'logo', query: 'bike' },
  { image: 'bike', text: 'click here', query: 'bike' },
  { image: 'bike', text: 'https://example.com/bike.png', query: 'bike' },
  { image: 'bike', text: '12345 678', query: 'bike' },
  { image: 'bike', text: 'bicycle', query: 'bike' },
  { image: 'bike', text: 'a b', query: 'bike' },
  { image: 'bike', text: 'one two three four five six seven eight nine ten eleven twelve', query: 'bike' },
  { image: 'bike', text: 'a blue bicycle leaning on a wall', query: 'bike' },
  { image: 'carrot', text: 'a carrot with secretword inside', query: 'carrot' },
  { image: 'smallCar', text: 'a tiny red car', query: 'car' },
  { image: 'wideHouse', text: 'a very wide house', query: 'house' },
  { image: 'rocket', text: 'a rocket launching at dawn', query: 'rocket' },
  { image: 'star', text: 'a shining yellow star', query: 'star', pageUrl: 'http://www.blocked.test/stars' },
  { image: 'missing', text: 'a missing picture of stuff', query: 'stuff' },
  { image: 'banana', text: 'une banane jaune sur la table', query: 'banana' },
  // balance: six distinct images for one query
  { image: 'dog', text: 'a friendly dog sitting', query: 'animal' },
  { image: 'cat', text: 'a sleepy cat on a sofa', query: 'animal' },
  { image: 'fish', text: 'a fish in the sea', query: 'animal' },
  { image: 'lion', text: 'a lion with a big mane', query: 'animal' },
  { image: 'turtle', text: 'a slow green turtle', query: 'animal' },
  { image: 'tree', text: 'a tall oak tree', query: 'animal' },
];

let dir: string;
let fixture: Awaited<ReturnType<typeof makeShardsFixture>>;
let evalDir: string;

beforeAll(async () => {
  dir = tempDir('wit-shards-');
  const appleBytes = await rasterEmoji(apple, 160);
  const edits = await editedCopies(appleBytes);
  const image = async (hexcode: string, width = 160, height = width) => rasterEmoji(hexcode, width, height);
  fixture = await makeShardsFixture(
    dir,
    {
      apple: { bytes: appleBytes, url: 'http://img.test/apple.png' },
      appleMirror: { bytes: appleBytes, url: 'http://mirror.test/apple.png' },
      appleResized: { bytes: edits.resized, url: 'http://img.test/apple-small.png' },
      appleLowQuality: { bytes: edits.lowQuality, url: 'http://img.test/apple-q12.jpg' },
      appleCropped: { bytes: edits.cropped, url: 'http://img.test/apple-crop.png' },
      appleFlipped: { bytes: edits.flipped, url: 'http://img.test/apple-flip.png' },
      bike: { bytes: await image(bike), url: 'http://img.test/bike.png' },
      carrot: { bytes: await image(carrot), url: 'http://img.test/carrot.png' },
      smallCar: { bytes: await image(car, 40), url: 'http://img.test/car.png' },
      wideHouse: { bytes: await image(house, 320, 80), url: 'http://img.test/house.png' },
      rocket: { bytes: await image(rocket), url: 'http://cdn.ads.blocked.test/rocket.png' },
      star: { bytes: await image(star), url: 'http://img.test/star.png' },
      missing: { bytes: Buffer.alloc(0), url: 'http://img.test/missing.png', failed: true },
      banana: { bytes: await image(banana), url: 'http://img.test/banana.png' },
      dog: { bytes: await image(dog), url: 'http://img.test/dog.png' },
      cat: { bytes: await image(cat), url: 'http://img.test/cat.png' },
      fish: { bytes: await image(fish), url: 'http://img.test/fish.png' },
      lion: { bytes: await image(lion), url: 'http://img.test/lion.png' },
      turtle: { bytes: await image(turtle), url: 'http://img.test/turtle.png' },
      tree: { bytes: await image(tree), url: 'http://img.test/tree.png' },
    },
    pairs,
  );
  writeFileSync(join(dir, 'block-words.txt'), '# words\nsecretword\n');
  writeFileSync(join(dir, 'block-hosts.txt'), 'blocked.test\n');
  evalDir = join(dir, 'eval');
  mkdirSync(join(evalDir, 'fruit'), { recursive: true });
  writeFileSync(join(evalDir, 'fruit', 'apple.jpg'), edits.lowQuality);
  writeFileSync(join(evalDir, 'labels.csv'), 'apple.jpg,apple\n');
}, 60_000);

/** Builds in this process through the library, as the demo does. */
async function buildIn(out: string, options: Partial<BuildShardsOptions> = {}) {
  const db = openDb(fixture.dbPath);
  try {
    return await buildShards(db, {
      imagesDir: fixture.imagesDir,
      outDir: join(dir, out),
      blockWords: ['secretword'],
      blockHosts: ['blocked.test'],
      maxCaptionWords: 10,
      valFraction: 0,
      ...options,
    });
  } finally {
    db.close();
  }
}

function build(out: string, ...flags: string[]) {
  const result = runWit(['shards', 'build', '--db', fixture.dbPath, '--images', fixture.imagesDir, '--out', join(dir, out), ...flags]);
  if (result.status !== 0) throw new Error(`wit shards build failed (${result.status}): ${result.stderr}`);
  return result;
}

/** text -> [decision, reason] as `curation` holds them after the last build. */
function decisions(): Map<string, { decision: string; reason: string | null; shard: string | null; key: string | null }> {
  const db = new Database(fixture.dbPath, { readonly: true });
  try {
    const rows = db
      .prepare('SELECT p.text, c.decision, c.reason, c.shard, c.key FROM pairs p JOIN curation c ON c.pair_id = p.id')
      .all() as Array<{
      text: string;
      decision: string;
      reason: string | null;
      shard: string | null;
      key: string | null;
    }>;
    return new Map(rows.map(({ text, ...rest }) => [text, rest]));
  } finally {
    db.close();
  }
}

const reasonOf = (text: string) => {
  const d = decisions().get(text);
  if (!d) throw new Error(`no curation row for ${text}`);
  return d.decision === 'drop' ? d.reason : d.decision;
};

function shardFiles(out: string): string[] {
  return readdirSync(join(dir, out))
    .filter((name) => name.endsWith('.tar'))
    .sort();
}

const basicFlags = ['--block-words', 'BW', '--block-hosts', 'BH', '--max-caption-words', '10'];
const withLists = () =>
  basicFlags.map((flag) => (flag === 'BW' ? join(dir, 'block-words.txt') : flag === 'BH' ? join(dir, 'block-hosts.txt') : flag));

describe('wit shards build', () => {
  it('hashes the edited copies as the near-dup rule expects', () => {
    const s = fixture.stored as Record<string, StoredImage>;
    expect(s.appleMirror!.sha256).toBe(s.apple!.sha256);
    for (const edit of ['appleResized', 'appleLowQuality', 'appleCropped'])
      expect(hammingDistance(s.apple!.phash, s[edit]!.phash)).toBeLessThanOrEqual(4);
    // pHash is not mirror-invariant: a flipped image is a different image to it.
    expect(hammingDistance(s.apple!.phash, s.appleFlipped!.phash)).toBeGreaterThan(4);
  });

  it('gives every pair a decision and a reason, one per filter and dedupe step', () => {
    const result = build('basic', ...withLists(), '--val-fraction', '0', '--min-shards', '1');
    const expected: Record<string, string> = {
      'a red apple on a white table': 'train',
      'A red apple, on a white table!': 'duplicate_pair',
      'fresh fruit from the orchard': 'extra_caption',
      'a small apple picture': 'near_duplicate',
      'apple in low quality': 'near_duplicate',
      'cropped apple photo': 'near_duplicate',
      'an apple facing left': 'train',
      'IMG_1234.jpg': 'caption_placeholder',
      logo: 'caption_placeholder',
      'click here': 'caption_placeholder',
      'https://example.com/bike.png': 'caption_placeholder',
      '12345 678': 'caption_placeholder',
      bicycle: 'caption_too_short',
      'a b': 'caption_too_short',
      'one two three four five six seven eight nine ten eleven twelve': 'caption_too_long',
      'a blue bicycle leaning on a wall': 'train',
      'a carrot with secretword inside': 'blocked_word',
      'a tiny red car': 'image_too_small',
      'a very wide house': 'aspect_ratio',
      'a rocket launching at dawn': 'blocked_host',
      'a shining yellow star': 'blocked_host',
      'a missing picture of stuff': 'image_not_fetched',
      'une banane jaune sur la table': 'train',
    };
    for (const [text, outcome] of Object.entries(expected)) expect([text, reasonOf(text)]).toEqual([text, outcome]);
    expect(decisions().size).toBe(pairs.length);
    expect(result.stdout).toMatch(/drop: near_duplicate\s+3/);

    const manifest = JSON.parse(readFileSync(join(dir, 'basic', 'manifest.json'), 'utf8'));
    expect(manifest.dropped).toMatchObject({
      near_duplicate: 3,
      caption_placeholder: 5,
      blocked_host: 2,
      duplicate_pair: 1,
      extra_caption: 1,
    });
    expect(manifest.splits.train.samples).toBe(10);
    expect(manifest.config).toMatchObject({ nearDupDistance: 4, captionsPerImage: 1, valFraction: 0, blockWords: 1, blockHosts: 1 });
    expect(JSON.parse(readFileSync(join(dir, 'basic', 'sizes.json'), 'utf8'))).toEqual({ 'train-000000.tar': 10 });
  });

  it('writes shards that python tarfile reads and WebDataset groups into jpg/json/txt samples', async () => {
    await buildIn('compat', { shardSize: 4, valFraction: 0.5 });
    const files = shardFiles('compat');
    expect(files.some((f) => f.startsWith('val-'))).toBe(true);
    const report = readShardsWithPython(files.map((f) => join(dir, 'compat', f)));
    const seen = new Map<string, string>();
    for (const [path, shard] of Object.entries(report)) {
      for (const [key, extensions] of Object.entries(shard.keys)) {
        expect(extensions).toEqual(['jpg', 'json', 'txt']);
        expect(key).toMatch(/^\d{12}$/);
        expect(shard.json[key]!.key).toBe(key);
        expect(shard.txt[key]).toBe(shard.json[key]!.caption);
        seen.set(shard.txt[key]!, path.split('/').pop()!);
      }
      expect(shard.headers).toEqual([[946684800, 0, 0, 0o644]]);
    }
    for (const [text, file] of seen) {
      const d = decisions().get(text)!;
      expect(d.shard).toBe(file);
      expect(file.startsWith(d.decision)).toBe(true);
    }
    expect(seen.size).toBe(10);
  });

  it('keeps several captions per cluster with the representative image, in one split', async () => {
    await buildIn('captions', { captionsPerImage: 3, valFraction: 0.5 });
    const kept = ['a red apple on a white table', 'fresh fruit from the orchard', 'a small apple picture'];
    const splits = new Set(kept.map((text) => decisions().get(text)!.decision));
    expect(splits.size).toBe(1);
    expect(['train', 'val']).toContain([...splits][0]);
    expect(reasonOf('apple in low quality')).toBe('near_duplicate');
    const files = shardFiles('captions').map((f) => join(dir, 'captions', f));
    const samples = Object.values(readShardsWithPython(files)).flatMap((shard) => Object.values(shard.json));
    const small = samples.find((json) => json.caption === 'a small apple picture')!;
    expect(small.sha256).toBe(fixture.stored.apple!.sha256);
    expect(small.pair_image_url).toBe('http://img.test/apple-small.png');
  });

  it('drops captions in other languages with --languages', async () => {
    await buildIn('language', { languages: ['en'] });
    expect(reasonOf('une banane jaune sur la table')).toBe('language');
    expect(reasonOf('a blue bicycle leaning on a wall')).toBe('train');
    expect(reasonOf('a red apple on a white table')).toBe('train');
  });

  it('drops every pair near an evaluation image with --exclude-near', async () => {
    const result = await buildIn('decontaminated', { excludeNearDir: evalDir });
    expect(reasonOf('a red apple on a white table')).toBe('eval_near_duplicate');
    expect(reasonOf('a small apple picture')).toBe('eval_near_duplicate');
    expect(reasonOf('fresh fruit from the orchard')).toBe('eval_near_duplicate');
    expect(reasonOf('an apple facing left')).toBe('train');
    expect(reasonOf('a friendly dog sitting')).toBe('train');
    expect(result.evalImages).toBe(1);
    expect(result.dropped.eval_near_duplicate).toBe(6);
  });

  it('caps each query after dedupe, exactly or by MetaCLIP sampling, reproducibly', async () => {
    const animals = pairs.filter((p) => p.query === 'animal').map((p) => p.text);
    await buildIn('capped', { capPerQuery: 3 });
    const capped = animals.map(reasonOf);
    expect(capped.filter((r) => r === 'train')).toHaveLength(3);
    expect(capped.filter((r) => r === 'query_cap')).toHaveLength(3);
    expect(reasonOf('a blue bicycle leaning on a wall')).toBe('train');

    await buildIn('capped-again', { capPerQuery: 3 });
    expect(animals.map(reasonOf)).toEqual(capped);

    await buildIn('sampled', { capPerQuery: 2, balance: 'sample', seed: 7 });
    const sampled = animals.map(reasonOf);
    expect(sampled.every((r) => r === 'train' || r === 'query_cap')).toBe(true);
    await buildIn('sampled-again', { capPerQuery: 2, balance: 'sample', seed: 7 });
    expect(animals.map(reasonOf)).toEqual(sampled);
  });

  it('writes byte-identical shards and manifests when run twice', () => {
    build('same-a', ...withLists(), '--shard-size', '3', '--val-fraction', '0.3');
    build('same-b', ...withLists(), '--shard-size', '3', '--val-fraction', '0.3');
    const names = readdirSync(join(dir, 'same-a')).sort();
    expect(readdirSync(join(dir, 'same-b')).sort()).toEqual(names);
    expect(names.filter((n) => n.endsWith('.tar')).length).toBeGreaterThan(2);
    // `<shard>_stats.json` records when and how long its shard took to write: the one file that differs.
    for (const name of names.filter((n) => !n.endsWith('_stats.json'))) {
      expect([name, readFileSync(join(dir, 'same-a', name)).equals(readFileSync(join(dir, 'same-b', name)))]).toEqual([name, true]);
    }
  });

  it('names the bad flag and changes nothing on bad input', () => {
    const before = decisions();
    const missing = runWit(['shards', 'build', '--db', fixture.dbPath, '--images', join(dir, 'nope'), '--out', join(dir, 'bad')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('--images');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const badFlag = runWit(['shards', 'build', '--db', fixture.dbPath, '--images', fixture.imagesDir, '--near-dup', '20']);
    expect(badFlag.status).toBe(2);
    expect(badFlag.stderr).toContain('--near-dup must be a whole number from 0 to 10 (CurateOptions.nearDupDistance); got 20');
    const notNumber = runWit(['shards', 'build', '--db', fixture.dbPath, '--images', fixture.imagesDir, '--shard-size', 'abc']);
    expect(notNumber.status).toBe(2);
    expect(notNumber.stderr).toContain('--shard-size must be a number');
    expect(badFlag.stderr).not.toMatch(/\n\s+at /);
    const noDb = runWit(['shards', 'build', '--db', join(dir, 'absent.db'), '--images', fixture.imagesDir]);
    expect(noDb.status).toBe(1);
    expect(noDb.stderr).toContain('absent.db');
    expect(decisions()).toEqual(before);
  });
});
