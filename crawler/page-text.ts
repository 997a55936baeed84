/** The body as text, in the charset the Content-Type names (UTF-8 when it names none or one we do not know). */
export function decodeBody(body: Buffer, contentType: string): string {
  return new TextDecoder(charsetOf(contentType)).decode(body);
}

const encodingsByLabel = new Map<string, string>();

/** The encoding (TextDecoder's name for it) a Content-Type's charset names: UTF-8 when it names none or one we do not know. */
function charsetOf(contentType: string): string {
  const label = /charset=["']?([\w-]+)/i.exec(contentType)?.[1]?.toLowerCase() ?? 'utf-8';
  let encoding = encodingsByLabel.get(label);
  if (encoding === undefined) {
    try {
      encoding = new TextDecoder(label).encoding;
    } catch {
      encoding = 'utf-8';
    }
    encodingsByLabel.set(label, encoding);
  }
  return encoding;
}

/** A page's HTML as the scanner reads it, and how a slice of it that is kept (a value, a caption) becomes text. */
export interface ScanInput {
  html: string;
  decode?: (raw: string) => string;
}

/**
 * An HTTP body to scan without decoding it whole. In UTF-8 and the single-byte
 * charsets every byte below 0x80 is the ASCII character, and every byte of a
 * multi-byte UTF-8 character is 0x80 or more, so the bytes read one character
 * each (latin1, a copy V8 makes at memory speed) put every tag, attribute and
 * quote where the decoded text has them; only the few slices kept are decoded.
 * On an archive's pages that saves the whole-page decode, and the tokenizer
 * runs faster on the one-byte string it gets (a decoded page with one curly
 * quote is two bytes a character): together a fifth of the crawl's CPU. Other
 * charsets (UTF-16, Shift_JIS, ...) are decoded whole first.
 */
export function htmlBytes(body: Buffer, contentType: string): ScanInput {
  const encoding = charsetOf(contentType);
  if (!bytewise.has(encoding)) return { html: new TextDecoder(encoding).decode(body) };
  return { html: body.toString('latin1'), decode: sliceDecoder(encoding) };
}

const sliceDecoders = new Map<string, (raw: string) => string>();

function sliceDecoder(encoding: string): (raw: string) => string {
  let decode = sliceDecoders.get(encoding);
  if (!decode) {
    // A byte order mark is the page's first bytes, never inside a slice: a slice keeps what it holds.
    const decoder = new TextDecoder(encoding, { ignoreBOM: true });
    // Decoded even when ASCII: a slice of the page would keep the whole page in memory until its pairs are committed.
    decode = (raw) => decoder.decode(Buffer.from(raw, 'latin1'));
    sliceDecoders.set(encoding, decode);
  }
  return decode;
}

/** The WHATWG encodings (TextDecoder's names) whose bytes below 0x80 are always ASCII characters. */
const bytewise = new Set([
  'utf-8',
  'ibm866',
  'iso-8859-2',
  'iso-8859-3',
  'iso-8859-4',
  'iso-8859-5',
  'iso-8859-6',
  'iso-8859-7',
  'iso-8859-8',
  'iso-8859-8-i',
  'iso-8859-10',
  'iso-8859-13',
  'iso-8859-14',
  'iso-8859-15',
  'iso-8859-16',
  'koi8-r',
  'koi8-u',
  'macintosh',
  'windows-874',
  'windows-1250',
  'windows-1251',
  'windows-1252',
  'windows-1253',
  'windows-1254',
  'windows-1255',
  'windows-1256',
  'windows-1257',
  'windows-1258',
  'x-mac-cyrillic',
]);
