/**
 * Which files of a folder are GitLab CI/CD files: what `ci-bgsafe lint DIR` lints. The same names as
 * the pre-commit hook's `files:` pattern (.pre-commit-hooks.yaml), relative to the repository root.
 */
import { basename, dirname, join, relative } from 'pathe';
import { exists, host } from './host.js';

/** `.gitlab-ci.yml` at any depth, CI/CD components (`templates/NAME.yml`, `templates/NAME/template.yml`), `.gitlab/ci/`. */
export const CI_FILE = /(^|\/)\.gitlab-ci\.ya?ml$|^templates\/[\w-]+(\/template)?\.ya?ml$|^\.gitlab\/ci\/.+\.ya?ml$/;

/**
 * The nearest folder at or above `dir` holding `.git`. Without one (files copied or exported out of
 * their checkout), a folder inside the project's `.gitlab/ci/` belongs to the project that holds
 * `.gitlab/`; any other folder is its own root.
 */
export function repositoryRoot(dir: string): string {
  for (let d = dir; ; ) {
    if (exists(join(d, '.git'))) return d;
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  for (let d = dir; ; ) {
    const up = dirname(d);
    if (up === d) return dir;
    if (basename(d) === 'ci' && basename(up) === '.gitlab') return dirname(up);
    d = up;
  }
}

export function isDirectory(path: string): boolean {
  try {
    return host().stat(path)?.isDirectory ?? false;
  } catch {
    return false;
  }
}

/** The GitLab CI/CD files under folder `dir` (absolute paths, sorted); node_modules and .git are skipped. */
export function ciFilesIn(dir: string): string[] {
  const root = repositoryRoot(dir);
  return host()
    .glob(['**/*.yml', '**/*.yaml'], { cwd: dir, dot: true, ignore: ['**/node_modules/**', '**/.git/**'] })
    .filter((f) => CI_FILE.test(relative(root, f)))
    .sort();
}
