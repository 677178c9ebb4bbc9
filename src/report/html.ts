// Self-contained HTML pages (no scripts fetched from anywhere): reports must
// open from a file on a machine with no network.

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#1d232b;background:#fff}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:24px 0 8px}
.sub{color:#5b6673;margin-bottom:16px}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid #e3e7ec;padding:4px 10px;text-align:left} th{background:#f5f7f9}
td.num{text-align:right}
svg text{font:12px system-ui,sans-serif;fill:#1d232b}
.bad{color:#b42318} .good{color:#067647}
`;

export function page(title: string, subtitle: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1><div class="sub">${escapeHtml(subtitle)}</div>
${body}
</body></html>
`;
}

export function table(headers: string[], rows: Array<Array<string | number>>, numeric: boolean[] = []): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => `<td${numeric[i] ? ' class="num"' : ''}>${escapeHtml(String(c))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}
