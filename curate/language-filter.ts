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
import { WitError } from '../core/index.js';

export type LanguageCheck = (caption: string) => boolean;

/** The ISO 639-1 codes eld's "small" data set can name, sorted. */
export async function detectableLanguages(): Promise<string[]> {
  const { eld } = await import('eld/small');
  return Object.values(eld.info().Languages as Record<string, string>).sort();
}

/** A code eld cannot name would drop every caption: the option error naming it, before any work. */
export async function checkLanguages(languages: readonly string[]): Promise<void> {
  const known = await detectableLanguages();
  const unknown = languages.map((code) => code.toLowerCase()).find((code) => !known.includes(code));
  if (unknown !== undefined) {
    throw new WitError(
      `--languages ${unknown} is not a language the detector (eld) knows (CurateOptions.languages); it knows ${known.join(' ')}`,
      { exitCode: 2 },
    );
  }
}

/** Loads eld and returns a check that says whether a caption is in one of `languages` (checked by `checkLanguages`). */
export async function loadLanguageCheck(languages: readonly string[]): Promise<LanguageCheck> {
  await checkLanguages(languages);
  const wanted = new Set(languages.map((code) => code.toLowerCase()));
  const { eld } = await import('eld/small');
  return (caption) => {
    const language = eld.detect(caption).language;
    return language === '' || wanted.has(language);
  };
}
