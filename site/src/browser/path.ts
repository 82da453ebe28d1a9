/**
 * Path arithmetic for the page (POSIX rules), in place of Node's path module: the pipeline in the page
 * is one text named `/.gitlab-ci.yml`, and its includes have nowhere to be read from.
 */
export const sep = '/';

function normalizeParts(parts: string[]): string[] {
  const out: string[] = [];
  for (const p of parts) {
    if (!p || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return out;
}

export function isAbsolute(p: string): boolean {
  return p.startsWith('/');
}

export function resolve(...paths: string[]): string {
  let parts: string[] = [];
  for (const p of paths) parts = isAbsolute(p) ? p.split('/') : [...parts, ...p.split('/')];
  return `/${normalizeParts(parts).join('/')}`;
}

export function join(...paths: string[]): string {
  const joined = paths.filter(Boolean).join('/');
  const out = normalizeParts(joined.split('/')).join('/');
  return isAbsolute(joined) ? `/${out}` : out || '.';
}

export function dirname(p: string): string {
  const i = p.replace(/\/+$/, '').lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : p.slice(0, i);
}

export function basename(p: string, ext?: string): string {
  const b = p.replace(/\/+$/, '').split('/').pop() ?? '';
  return ext && b.endsWith(ext) ? b.slice(0, -ext.length) : b;
}

export function extname(p: string): string {
  const b = basename(p);
  const i = b.lastIndexOf('.');
  return i <= 0 ? '' : b.slice(i);
}

export function relative(from: string, to: string): string {
  const a = normalizeParts(resolve(from).split('/'));
  const b = normalizeParts(resolve(to).split('/'));
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
}

export default { sep, isAbsolute, resolve, join, dirname, basename, extname, relative };
