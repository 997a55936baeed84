import type { ImageText } from '../extract.js';
import { collapse, resolveHttp } from '../extract.js';
import { FetchFailure } from '../fetch-failure.js';

/** Where the results are in a JSON search response; paths are dotted (`data.items`, `image.url`). */
export interface JsonResultMapping {
  /** The results array; empty for a response that is the array itself. */
  results: string;
  /** The image URL inside one result. */
  image: string;
  /** The text inside one result. */
  text: string;
}

/** The (image, text) pairs of a JSON search response; a body that is not such JSON is a `bad_response` failure. */
export function jsonResults(body: Buffer, responseUrl: string, mapping: JsonResultMapping): ImageText[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw badResponse(responseUrl, 'is not valid JSON');
  }
  const results = pick(parsed, mapping.results);
  if (!Array.isArray(results)) throw badResponse(responseUrl, `has no array at "${mapping.results}"`);
  const pairs: ImageText[] = [];
  const base = new URL(responseUrl);
  for (const result of results) {
    const image = pick(result, mapping.image);
    const text = pick(result, mapping.text);
    if (typeof image !== 'string' || typeof text !== 'string') continue;
    const imageUrl = resolveHttp(image, base);
    const collapsed = collapse(text);
    if (imageUrl && collapsed) pairs.push({ imageUrl, text: collapsed, textOrigin: 'api' });
  }
  return pairs;
}

function pick(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.').filter(Boolean)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function badResponse(url: string, what: string): FetchFailure {
  return new FetchFailure('bad_response', `the search response ${url} ${what}`, { retryable: false });
}
