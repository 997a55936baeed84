import { readFileSync } from 'node:fs';
import { filesUnder, unpackedDebianPackages } from '../debian-packages.js';
import type { CorpusPage } from './corpus.js';

/**
 * Debian packages of real documentation websites: the Python 3.11 manual and
 * the Debian Administrator's Handbook in 20 languages, with its screenshots
 * and figures (about 3,800 pages, 113 MB of HTML, 2.8 img with alt a page).
 */
const packages = ['python3.11-doc', 'debian-handbook'];

/**
 * Every HTML page of those packages (downloaded once into `dir`), as real
 * sites serve them: text-heavy, with navigation, scripts and a few figures,
 * unlike the image-dense openmoji pages.
 */
export function docsPages(dir: string): () => Promise<CorpusPage[]> {
  return async () => {
    const root = unpackedDebianPackages(dir, packages);
    return filesUnder(root, /\.html$/).map((path) => ({ path: path.slice(root.length), html: readFileSync(path, 'utf8') }));
  };
}
