import { normalizeText } from '../queries/index.js';

/**
 * Lines of a block-list file: one entry per line, `#` starts a comment,
 * blank lines ignored.
 */
export function parseListFile(content: string): string[] {
  return content
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '');
}

/** Matches captions containing a blocked word or phrase, compared as whole normalized tokens. */
export class BlockedWords {
  private readonly words = new Set<string>();
  private readonly phrases: string[] = [];

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const normalized = normalizeText(entry);
      if (normalized === '') continue;
      if (normalized.includes(' ')) this.phrases.push(` ${normalized} `);
      else this.words.add(normalized);
    }
  }

  get size(): number {
    return this.words.size + this.phrases.length;
  }

  /** `normalized` is the caption's `normalizeText`. */
  matches(normalized: string): boolean {
    if (this.words.size > 0) {
      for (const token of normalized.split(' ')) if (this.words.has(token)) return true;
    }
    if (this.phrases.length === 0) return false;
    const padded = ` ${normalized} `;
    return this.phrases.some((phrase) => padded.includes(phrase));
  }
}

/** Matches a host that is a listed host or a subdomain of one (`example.com` blocks `cdn.example.com`). */
export class BlockedHosts {
  private readonly hosts: Set<string>;

  constructor(entries: readonly string[]) {
    this.hosts = new Set(
      entries
        .map((entry) =>
          entry
            .toLowerCase()
            .replace(/^\*?\./, '')
            .replace(/\.$/, ''),
        )
        .filter((h) => h !== ''),
    );
  }

  get size(): number {
    return this.hosts.size;
  }

  matches(host: string | null | undefined): boolean {
    if (!host || this.hosts.size === 0) return false;
    let candidate = host.toLowerCase();
    for (;;) {
      if (this.hosts.has(candidate)) return true;
      const dot = candidate.indexOf('.');
      if (dot === -1) return false;
      candidate = candidate.slice(dot + 1);
    }
  }

  /** The host of `url`, or null when it does not parse. */
  static hostOf(url: string | null): string | null {
    if (!url) return null;
    try {
      return new URL(url).hostname;
    } catch {
      return null;
    }
  }
}
