/**
 * The page has no files: every read fails as a missing file does (an `include: local` of the pipeline
 * is then reported as not found), and nothing is ever written.
 */
function missing(path: unknown): never {
  const e = new Error(`ENOENT: no such file in the browser, '${String(path)}'`) as Error & { code: string };
  e.code = 'ENOENT';
  throw e;
}

export const existsSync = (): boolean => false;
export const statSync = missing;
export const readFileSync = missing;
export const openSync = missing;
export const fstatSync = missing;
export const readSync = missing;
export const closeSync = missing;
export const writeFileSync = missing;
export const readdirSync = missing;
export default { existsSync, statSync, readFileSync, openSync, fstatSync, readSync, closeSync, writeFileSync, readdirSync };
