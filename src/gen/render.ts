/** Renders the EJS templates in templates/gen/. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';

let rootCache: string | undefined;

/** The package root: the nearest folder above this module holding package.json and templates/gen/ (works from src/ and from a bundled dist/). */
export function packageRoot(): string {
  if (rootCache) return rootCache;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates', 'gen'))) {
      rootCache = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('ci-bgsafe: cannot find templates/gen/ above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

export function templatesDir(): string {
  return join(packageRoot(), 'templates', 'gen');
}

export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Renders templates/gen/NAME with `data`. */
export function renderTemplate(name: string, data: Record<string, unknown>): string {
  const file = join(templatesDir(), name);
  const text = readFileSync(file, 'utf8');
  return ejs.render(text, data, { filename: file, async: false, cache: false });
}
