import { normalizeText } from './normalize.js';
import { readTextLines, type TextLinesOptions } from './text-lines.js';

export interface TitleBatch {
  /** Normalized titles with at least the minimum views, in file order. */
  titles: string[];
  /** Lines that are not `title<TAB>views` with a whole number of views. */
  malformed: number;
}

/**
 * Reads a `title<TAB>views` file (the shape of aggregated Wikipedia page-view
 * dumps; underscores in titles become spaces) in batches, keeping titles with
 * at least `minViews`. A title listed twice is kept once later, by the db.
 */
export async function* readTitles(
  path: string,
  minViews: number,
  onBytesRead?: TextLinesOptions['onBytesRead'],
): AsyncGenerator<TitleBatch> {
  for await (const lines of readTextLines(path, { role: 'Titles file', onBytesRead })) {
    const batch: TitleBatch = { titles: [], malformed: 0 };
    for (const line of lines) {
      if (line.trim() === '') continue;
      const tab = line.lastIndexOf('\t');
      const views = tab === -1 ? NaN : Number(line.slice(tab + 1));
      if (!Number.isInteger(views) || views < 0) {
        batch.malformed++;
        continue;
      }
      const title = normalizeText(line.slice(0, tab));
      if (views >= minViews && title) batch.titles.push(title);
    }
    yield batch;
  }
}
