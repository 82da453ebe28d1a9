/**
 * Just enough Markdown for the rule pages: headings, fenced code, tables, lists, paragraphs, inline
 * code, bold and links (relative links point at the published docs). Everything is escaped first.
 */
import { docUrl } from '../../src/rules/types.js';

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function inline(s: string, base: string): string {
  return escape(s)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, text: string, href: string) => {
      const url = new URL(href.replace(/&amp;/g, '&'), base).href;
      return `<a href="${escape(url)}">${text}</a>`;
    });
}

export function markdown(doc: string, ruleId: string): string {
  const base = docUrl(ruleId);
  const out: string[] = [];
  const lines = doc.split('\n');
  for (let i = 0; i < lines.length; ) {
    const line = lines[i]!;
    if (line.startsWith('```')) {
      const code: string[] = [];
      for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) code.push(lines[i]!);
      i++;
      out.push(`<pre><code>${escape(code.join('\n'))}</code></pre>`);
    } else if (/^#{1,4} /.test(line)) {
      const level = Math.min(6, line.indexOf(' ') + 2);
      out.push(`<h${level}>${inline(line.replace(/^#+ /, ''), base)}</h${level}>`);
      i++;
    } else if (line.startsWith('|')) {
      const rows: string[][] = [];
      for (; i < lines.length && lines[i]!.startsWith('|'); i++) {
        if (/^\|[\s|:-]+\|$/.test(lines[i]!)) continue;
        rows.push(lines[i]!.replace(/^\||\|$/g, '').split('|').map((c) => c.trim()));
      }
      const [head, ...body] = rows;
      out.push(
        `<div class="table"><table><thead><tr>${head!.map((c) => `<th>${inline(c, base)}</th>`).join('')}</tr></thead><tbody>${body
          .map((r) => `<tr>${r.map((c) => `<td>${inline(c, base)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table></div>`,
      );
    } else if (/^\s*[-*] /.test(line)) {
      const items: string[] = [];
      for (; i < lines.length && /^\s*([-*] |\s{2,}\S)/.test(lines[i]!); i++) {
        if (/^\s*[-*] /.test(lines[i]!)) items.push(lines[i]!.replace(/^\s*[-*] /, ''));
        else items[items.length - 1] += ` ${lines[i]!.trim()}`;
      }
      out.push(`<ul>${items.map((t) => `<li>${inline(t, base)}</li>`).join('')}</ul>`);
    } else if (line.trim() === '') {
      i++;
    } else {
      const para: string[] = [];
      for (; i < lines.length && lines[i]!.trim() !== '' && !/^(#|```|\||\s*[-*] )/.test(lines[i]!); i++) para.push(lines[i]!);
      out.push(`<p>${inline(para.join(' '), base)}</p>`);
    }
  }
  return out.join('\n');
}
