import { collapse, resolveHttp, type ImageText } from '../extract.js';

/** The part of a Common Crawl WAT record (a `metadata` record holding JSON) that has the images. */
interface WatEnvelope {
  Envelope?: {
    'WARC-Header-Metadata'?: { 'WARC-Target-URI'?: string };
    'Payload-Metadata'?: {
      'HTTP-Response-Metadata'?: {
        'HTML-Metadata'?: {
          Head?: { Base?: string };
          Links?: Array<{ path?: string; url?: string; alt?: string }>;
        };
      };
    };
  };
}

/** A WAT record's page URL and its images with alt text; undefined when the JSON is not a WAT envelope. */
export function watImagePairs(json: string, recordUri: string | undefined): { pageUrl: string; pairs: ImageText[] } | undefined {
  let parsed: WatEnvelope;
  try {
    parsed = JSON.parse(json) as WatEnvelope;
  } catch {
    return undefined;
  }
  const envelope = parsed?.Envelope;
  const pageUrl = envelope?.['WARC-Header-Metadata']?.['WARC-Target-URI'] ?? recordUri;
  if (!envelope || !pageUrl || !URL.canParse(pageUrl)) return undefined;
  const html = envelope['Payload-Metadata']?.['HTTP-Response-Metadata']?.['HTML-Metadata'];
  const page = new URL(pageUrl);
  const base = html?.Head?.Base && URL.canParse(html.Head.Base, page.href) ? new URL(html.Head.Base, page) : page;
  const pairs: ImageText[] = [];
  for (const link of html?.Links ?? []) {
    if (link.path !== 'IMG@/src' || !link.url || !link.alt) continue;
    const imageUrl = resolveHttp(link.url.trim(), base);
    const text = collapse(link.alt);
    if (imageUrl && text) pairs.push({ imageUrl, text, textOrigin: 'alt' });
  }
  return { pageUrl, pairs };
}
