/**
 * `pairs.extra` as columns: the JSON object of list columns saved with a pair
 * (`wit crawl --pairs FILE --save-cols a,b`), img2dataset's
 * `save_additional_columns`. NULL, or anything but a JSON object, gives none.
 */
export function extraColumns(extra: string | null): Record<string, unknown> {
  if (extra === null) return {};
  try {
    const value = JSON.parse(extra) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
