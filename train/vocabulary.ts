import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { WitError } from '../core/index.js';
import { tokenize } from '../queries/index.js';
import { trainOptions } from './options.js';

/** What `vocab.json` holds. */
export interface VocabularyFile {
  format: 'wit-vocab-1';
  /** How words were cut: the shared query tokenizer. */
  tokenizer: 'queries/normalize';
  /** Word id = index; most frequent first. */
  words: string[];
  /** How often each word was seen in the train captions, same order. */
  counts: number[];
}

/**
 * The model's words: a caption becomes the ids of its known words (a bag;
 * repeats kept, unknown words dropped).
 */
export class Vocabulary {
  private readonly ids: Map<string, number>;

  constructor(
    readonly words: readonly string[],
    readonly counts: readonly number[] = [],
  ) {
    this.ids = new Map(words.map((word, id) => [word, id]));
  }

  get size(): number {
    return this.words.length;
  }

  encode(text: string): Int32Array {
    const out: number[] = [];
    for (const token of tokenize(text)) {
      const id = this.ids.get(token);
      if (id !== undefined) out.push(id);
    }
    return Int32Array.from(out);
  }

  /** A short fingerprint of the word list, stored with checkpoints to catch a swapped vocab.json. */
  fingerprint(): string {
    return createHash('sha256').update(this.words.join('\n')).digest('hex').slice(0, 16);
  }

  toJSON(): VocabularyFile {
    return { format: 'wit-vocab-1', tokenizer: 'queries/normalize', words: [...this.words], counts: [...this.counts] };
  }

  static async load(path: string): Promise<Vocabulary> {
    let parsed: Partial<VocabularyFile>;
    try {
      parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<VocabularyFile>;
    } catch (error) {
      throw new WitError(
        `cannot read the vocabulary ${path} (${(error as Error).message}): it is written by \`wit train\` into the run folder.`,
        { cause: error },
      );
    }
    if (parsed.format !== 'wit-vocab-1' || !Array.isArray(parsed.words) || !parsed.words.every((w) => typeof w === 'string')) {
      throw new WitError(`${path} is not a wit vocabulary (expected format "wit-vocab-1" with a "words" list).`);
    }
    return new Vocabulary(parsed.words, Array.isArray(parsed.counts) ? parsed.counts : []);
  }
}

export interface BuildVocabularyOptions {
  /** Most words kept (the most frequent); by default `--vocab`'s. */
  maxWords?: number;
  /** Words seen fewer times are left out; by default `--min-word-count`'s. */
  minCount?: number;
}

/** A built vocabulary and what was left out of it. */
export interface VocabularyBuild {
  vocab: Vocabulary;
  /** Distinct words seen often enough but cut by `maxWords`. */
  wordsCutByMaxWords: number;
  /** Distinct words seen fewer than `minCount` times. */
  wordsBelowMinCount: number;
}

/** The most frequent words of the captions (ties broken alphabetically, so the result is deterministic). */
export async function buildVocabulary(
  captions: AsyncIterable<string> | Iterable<string>,
  options: BuildVocabularyOptions = {},
): Promise<VocabularyBuild> {
  const maxWords = options.maxWords ?? trainOptions.entries.vocabWords.default;
  const minCount = options.minCount ?? trainOptions.entries.minWordCount.default;
  const counts = new Map<string, number>();
  for await (const caption of captions) {
    for (const token of tokenize(caption)) counts.set(token, (counts.get(token) ?? 0) + 1);
  }
  const frequent = [...counts.entries()].filter(([, count]) => count >= minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const kept = frequent.slice(0, maxWords);
  const vocab = new Vocabulary(
    kept.map(([word]) => word),
    kept.map(([, count]) => count),
  );
  return { vocab, wordsCutByMaxWords: frequent.length - kept.length, wordsBelowMinCount: counts.size - frequent.length };
}
