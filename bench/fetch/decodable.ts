import { resolveProcessOptions, validatedHeader } from '../../fetch/process-image.js';
import type { CorpusImage } from './corpus.js';

/**
 * The corpus files `wit fetch` decodes: those its checks refuse (too small,
 * too many pixels) are dropped, so that sharp alone and wit fetch do the same
 * work on the same files. Also gives how many were dropped, by reason.
 */
export async function decodableImages(corpus: CorpusImage[]): Promise<{ kept: CorpusImage[]; dropped: Map<string, number> }> {
  const settings = resolveProcessOptions({});
  const kept: CorpusImage[] = [];
  const dropped = new Map<string, number>();
  for (const image of corpus) {
    try {
      await validatedHeader(image.bytes, settings);
      kept.push(image);
    } catch (error) {
      const reason = (error as { reason?: string }).reason ?? 'error';
      dropped.set(reason, (dropped.get(reason) ?? 0) + 1);
    }
  }
  return { kept, dropped };
}
