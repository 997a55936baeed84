import { tokenize } from '../queries/index.js';
import type { Emoji } from './openmoji-catalog.js';

/** One page of search hits. */
export interface SearchPage {
  query: string;
  page: number;
  pageSize: number;
  total: number;
  hits: Emoji[];
}

/**
 * Search over annotations and tags, as the site's search box does: an emoji
 * matches when every query word is one of its words; annotation matches rank first.
 */
export class EmojiSearch {
  private readonly entries: Array<{ emoji: Emoji; annotationWords: Set<string>; allWords: Set<string> }>;

  constructor(emoji: readonly Emoji[]) {
    this.entries = emoji.map((e) => {
      const annotationWords = new Set(tokenize(e.annotation));
      return { emoji: e, annotationWords, allWords: new Set([...annotationWords, ...tokenize(e.tags.join(' '))]) };
    });
  }

  search(query: string, page: number, pageSize: number): SearchPage {
    const words = tokenize(query);
    const hits =
      words.length === 0
        ? []
        : this.entries
            .filter((e) => words.every((w) => e.allWords.has(w)))
            .map((e) => ({ emoji: e.emoji, rank: words.every((w) => e.annotationWords.has(w)) ? 0 : 1 }))
            .sort((a, b) => a.rank - b.rank)
            .map((e) => e.emoji);
    const start = (page - 1) * pageSize;
    return { query, page, pageSize, total: hits.length, hits: hits.slice(start, start + pageSize) };
  }
}
