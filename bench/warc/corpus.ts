import { createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { WARCRecord, WARCSerializer } from 'warcio';
import { startOpenmojiSite } from '../../test/fixtures/openmoji-site.js';

/** A page as a crawler captured it: its path on the site and its HTML. */
export interface CorpusPage {
  path: string;
  html: string;
}

/**
 * A .warc.gz of at least `minBytes` as a crawler writes it (warcinfo, then a
 * request and a response record per capture, one gzip member each), from
 * `pages` taken in turn, each capture under a URL of its own
 * (`http://mirror-N.example.org/PATH`), so relative image URLs and pairs
 * differ from copy to copy as on distinct sites. Kept at `path` for reruns.
 */
export async function ensureWarcCorpus(
  path: string,
  minBytes: number,
  loadPages: () => Promise<CorpusPage[]>,
): Promise<{ bytes: number; captures: number }> {
  if (existsSync(`${path}.done`) && statSync(path).size >= minBytes) return { bytes: statSync(path).size, captures: -1 };
  const pages = await loadPages();
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  let bytes = 0;
  const write = async (record: WARCRecord) => {
    const member = await WARCSerializer.serialize(record, { gzip: true });
    bytes += member.length;
    if (!out.write(member)) await once(out, 'drain');
  };
  await write(WARCRecord.createWARCInfo({ filename: 'bench.warc.gz', warcVersion: 'WARC/1.1' }, { software: 'wit bench/warc' }));
  let captures = 0;
  while (bytes < minBytes) {
    const { path: pagePath, html } = pages[captures % pages.length]!;
    const url = `http://mirror-${Math.floor(captures / pages.length)}.example.org${pagePath}`;
    const date = new Date(Date.UTC(2024, 4, 1) + captures * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    await write(
      WARCRecord.create(
        {
          url,
          date,
          type: 'request',
          warcVersion: 'WARC/1.1',
          statusline: `GET ${pagePath} HTTP/1.1`,
          httpHeaders: { host: new URL(url).host },
        },
        body(''),
      ),
    );
    await write(
      WARCRecord.create(
        {
          url,
          date,
          type: 'response',
          warcVersion: 'WARC/1.1',
          statusline: 'HTTP/1.1 200 OK',
          httpHeaders: { 'content-type': 'text/html; charset=utf-8' },
        },
        body(html),
      ),
    );
    captures++;
  }
  out.end();
  await once(out, 'close');
  renameSync(partial, path);
  createWriteStream(`${path}.done`).end();
  return { bytes, captures };
}

async function* body(text: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(text);
}

/** The home page and every subgroup page of the openmoji fixture site, as served: 24 candidate pairs a page. */
export async function openmojiPages(): Promise<CorpusPage[]> {
  const site = await startOpenmojiSite();
  try {
    const paths = ['/', ...site.subgroups.map((subgroup) => `/sub/${subgroup}/`)];
    return await Promise.all(paths.map(async (path) => ({ path, html: await (await fetch(`${site.url}${path}`)).text() })));
  } finally {
    await site.close();
  }
}
