import type { Emoji } from './openmoji-catalog.js';
import { servedSizeOf } from './emoji-raster.js';
import type { SearchPage } from './site-search.js';

/** The HTML of the demo website. Pages carry the noise real sites have. */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function imagePath(emoji: Emoji): string {
  return `/images/${servedSizeOf(emoji.hexcode)}/${emoji.hexcode}.png`;
}

export function emojiPagePath(emoji: Emoji): string {
  return `/e/${emoji.hexcode}/`;
}

export function groupPath(group: string, subgroup?: string): string {
  return subgroup ? `/g/${group}/${subgroup}/` : `/g/${group}/`;
}

export function titleCase(slug: string): string {
  const words = slug.replaceAll('-', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const style = `body{font:15px/1.4 system-ui,sans-serif;margin:0;color:#222}
header{display:flex;gap:1em;align-items:center;padding:.5em 1em;background:#f4f4f8;border-bottom:1px solid #ddd}
header img{width:32px;height:32px}main{padding:1em}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:12px}
.grid a{display:block;text-align:center;color:#333;text-decoration:none;font-size:13px}
.grid img{display:block;width:96px;height:96px;margin:0 auto 4px}figure{display:inline-block;margin:0 1em 1em 0;text-align:center}
figure img{width:160px;height:160px}footer{padding:1em;color:#777;border-top:1px solid #ddd;font-size:13px}`;

/** The frame of every page: a nav bar with a logo and icons (alt "logo"), a footer with a disallowed link. */
export function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · OpenMoji Gallery</title>
<style>${style}</style></head><body>
<header><a href="/"><img src="/static/logo.png" alt="logo" width="32" height="32"></a>
<a href="/">Home</a><form action="/search"><input name="q" placeholder="Search emoji"><button>Search</button></form>
<img src="/static/spacer.png" alt="spacer" width="8" height="8"></header>
<main>${body}</main>
<footer>Emoji by <a href="https://openmoji.org/">OpenMoji</a>, CC BY-SA 4.0 ·
<a href="/private/admin/">Admin</a> · <a href="/about/">About</a></footer></body></html>`;
}

export function homePage(groups: ReadonlyMap<string, ReadonlyMap<string, Emoji[]>>): string {
  const items = [...groups].map(([group, subgroups]) => {
    const first = [...subgroups.values()][0]![0]!;
    const count = [...subgroups.values()].reduce((n, list) => n + list.length, 0);
    return `<a href="${groupPath(group)}"><img src="${imagePath(first)}" alt="${escapeHtml(titleCase(group))}">${escapeHtml(titleCase(group))} (${count})</a>`;
  });
  return layout('Home', `<h1>OpenMoji Gallery</h1><p>Browse emoji by group, or search.</p><div class="grid">${items.join('\n')}</div>`);
}

/**
 * A group: its subgroups, a featured strip whose images repeat those on
 * subgroup pages under another URL, and a sticker whose PNG is truncated.
 */
export function groupPage(group: string, subgroups: ReadonlyMap<string, Emoji[]>): string {
  const links = [...subgroups].map(
    ([subgroup, list]) => `<li><a href="${groupPath(group, subgroup)}">${escapeHtml(titleCase(subgroup))}</a> (${list.length})</li>`,
  );
  const featured = [...subgroups.values()].slice(0, 3).map((list) => {
    const e = list[0]!;
    return `<figure><img src="/media/${e.hexcode}.png" alt=""><figcaption>Featured: ${escapeHtml(e.annotation)}</figcaption></figure>`;
  });
  const sticker = [...subgroups.values()][0]![0]!;
  return layout(
    titleCase(group),
    `<h1>${escapeHtml(titleCase(group))}</h1><ul>${links.join('\n')}</ul>
<p><a href="${groupPath(group)}archive/">Older emoji (archive)</a></p><section>${featured.join('\n')}</section>
<p><img src="/images/broken/${sticker.hexcode}.png" alt="${escapeHtml(sticker.annotation)} sticker" width="64" height="64"></p>`,
  );
}

/** A subgroup, one page of its emoji; the first item of each page also links a moved (404) image. */
export function subgroupPage(group: string, subgroup: string, list: Emoji[], page: number, pageSize: number): string {
  const pages = Math.max(1, Math.ceil(list.length / pageSize));
  const slice = list.slice((page - 1) * pageSize, page * pageSize);
  const items = slice.map(
    (e) =>
      `<a href="${emojiPagePath(e)}"><img src="${imagePath(e)}" alt="${escapeHtml(e.annotation)}" loading="lazy">${escapeHtml(e.annotation)}</a>`,
  );
  const moved = slice[0]
    ? `<img src="/images/256/${slice[0].hexcode}-old.png" alt="${escapeHtml(slice[0].annotation)} (old design)" width="64" height="64">`
    : '';
  return layout(
    `${titleCase(subgroup)} – ${titleCase(group)}`,
    `<p><a href="${groupPath(group)}">${escapeHtml(titleCase(group))}</a> › ${escapeHtml(titleCase(subgroup))}</p>
<h1>${escapeHtml(titleCase(subgroup))}</h1><div class="grid">${items.join('\n')}</div>${moved}
<nav>${pagination(groupPath(group, subgroup), page, pages)}</nav>`,
  );
}

/** One emoji: a figure whose caption names it and its tags, and related emoji. */
export function emojiPage(emoji: Emoji, related: Emoji[]): string {
  const caption = emoji.tags.length > 0 ? `${emoji.annotation}: ${emoji.tags.slice(0, 4).join(', ')}` : emoji.annotation;
  const more = related.map(
    (e) => `<a href="${emojiPagePath(e)}"><img src="${imagePath(e)}" alt="${escapeHtml(e.annotation)}">${escapeHtml(e.annotation)}</a>`,
  );
  return layout(
    emoji.annotation,
    `<p><a href="${groupPath(emoji.group, emoji.subgroup)}">${escapeHtml(titleCase(emoji.subgroup))}</a></p>
<figure><img src="${imagePath(emoji)}" alt=""><figcaption>${escapeHtml(caption)}</figcaption></figure>
<p>Tags: ${escapeHtml(emoji.tags.join(', '))}</p><h2>Related</h2><div class="grid">${more.join('\n')}</div>`,
  );
}

export function searchPage(result: SearchPage): string {
  const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
  const items = result.hits.map(
    (e) => `<a href="${emojiPagePath(e)}"><img src="${imagePath(e)}" alt="${escapeHtml(e.annotation)}">${escapeHtml(e.annotation)}</a>`,
  );
  const base = `/search?q=${encodeURIComponent(result.query)}`;
  return layout(
    `Search: ${result.query}`,
    `<h1>${result.total} results for “${escapeHtml(result.query)}”</h1><div class="grid">${items.join('\n')}</div>
<nav>${pagination(base, result.page, pages)}</nav>`,
  );
}

export function privatePage(): string {
  return layout('Admin', '<h1>Admin</h1><p>Robots are asked to stay out of here.</p><img src="/private/staff.png" alt="staff photo">');
}

export function notFoundPage(path: string): string {
  return layout('Not found', `<h1>Not found</h1><p>No page at ${escapeHtml(path)}.</p>`);
}

function pagination(base: string, page: number, pages: number): string {
  if (pages <= 1) return '';
  const sep = base.includes('?') ? '&' : '?';
  const links: string[] = [];
  if (page > 1) links.push(`<a href="${base}${sep}page=${page - 1}" rel="prev">Previous</a>`);
  links.push(`Page ${page} of ${pages}`);
  if (page < pages) links.push(`<a href="${base}${sep}page=${page + 1}" rel="next">Next</a>`);
  return links.join(' · ');
}
