/** The page shell of report.html: one file, inline CSS, no script, no external URL. */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A report section; `body` is already HTML. */
export interface Section {
  id: string;
  title: string;
  body: string;
}

/** What a section shows when its input is missing: says what is missing and how to get it. */
export function missing(what: string, howToGet: string): string {
  return `<p class="missing">No ${escapeHtml(what)}: ${escapeHtml(howToGet)}</p>`;
}

/** One example in a row of examples: an image (a data: URI) when there is one, a caption, a detail line in code type. */
export interface ExampleFigure {
  thumbnail?: string;
  caption: string;
  detail?: string;
  /** Outlined, to stand out from the others of its row (the right answer among ranked images). */
  marked?: boolean;
}

/** Examples side by side, found by `data-examples="KIND"`. */
export function exampleRow(items: readonly ExampleFigure[], kind: string): string {
  const figures = items.map((item) => {
    const image = item.thumbnail ? `<img src="${item.thumbnail}" alt="${escapeHtml(item.caption)}">` : '';
    const detail = item.detail === undefined ? '' : `<br><code>${escapeHtml(item.detail)}</code>`;
    return `<figure${item.marked ? ' class="marked"' : ''}>${image}<figcaption>${escapeHtml(item.caption)}${detail}</figcaption></figure>`;
  });
  return `<div class="examples" data-examples="${kind}">${figures.join('')}</div>`;
}

export function figureRow(...charts: string[]): string {
  return `<div class="charts">${charts.map((c) => `<figure>${c}</figure>`).join('')}</div>`;
}

/** `[[label, value], ...]` as a grid of headline figures, label above value. */
export function factTable(rows: Array<[string, string]>): string {
  return `<dl class="facts">${rows.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>`;
}

export function percent(value: number): string {
  return `${(100 * value).toFixed(1)}%`;
}

const css = `body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:1120px;padding:24px;color:#1d1d24;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:2px solid #e6e6ef;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}.sub{color:#666;margin:0 0 16px}nav a{margin-right:14px}
.charts{display:flex;flex-wrap:wrap;gap:16px}.charts figure{margin:0;border:1px solid #e6e6ef;border-radius:6px;padding:6px;background:#fcfcfe;overflow-x:auto;max-width:100%}
svg.chart{font:11px system-ui,sans-serif;fill:#333;display:block}svg.chart .chart-title{font-size:13px;font-weight:600}
svg.chart .axis-label{fill:#555}svg.chart .value{fill:#444;font-size:10px}
dl.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:8px 16px;margin:8px 0 14px}
dl.facts div{border-left:3px solid #dfe3f3;padding-left:8px}dl.facts dt{color:#666;font-size:12px}
dl.facts dd{margin:0;font-size:15px;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
table.list{border-collapse:collapse;margin:8px 0}table.list th{text-align:left;font-weight:500;color:#555;padding:2px 16px 2px 0}
table.list td{font-variant-numeric:tabular-nums;padding:2px 16px 2px 0}
.samples{display:grid;grid-template-columns:repeat(auto-fill,minmax(128px,1fr));gap:10px}
.samples figure{margin:0;font-size:12px;text-align:center}.samples img{width:112px;height:112px;object-fit:cover;border:1px solid #ddd;border-radius:4px}
.examples{display:flex;flex-wrap:wrap;gap:10px;margin:4px 0 10px}.examples figure{margin:0;width:150px;font-size:12px;overflow-wrap:anywhere}
.examples img{width:96px;height:96px;object-fit:cover;border:1px solid #ddd;border-radius:4px;display:block}
.examples figure.marked{outline:3px solid #2a9d6f;outline-offset:3px;border-radius:4px}p.query{margin:12px 0 4px;font-size:13px}p.query span{color:#666;margin-left:6px}h4{font-size:13px;margin:10px 0 4px;color:#444}
ul.classes{margin:6px 0;padding-left:18px;font-size:13px}
.missing{color:#8a5a00;background:#fff6e0;border:1px solid #f0d9a0;border-radius:4px;padding:6px 10px}
code{background:#f3f3f7;padding:0 3px;border-radius:3px}`;

export function page(title: string, subtitle: string, sections: Section[]): string {
  const nav = sections.map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`).join('');
  const body = sections.map((s) => `<section id="${s.id}"><h2>${escapeHtml(s.title)}</h2>${s.body}</section>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${css}</style></head>
<body><h1>${escapeHtml(title)}</h1><p class="sub">${escapeHtml(subtitle)}</p><nav>${nav}</nav>
${body}
</body></html>
`;
}
