/**
 * The core is pure: the page bundles it for the browser as it is (no module of ci-bgsafe replaced), and
 * nothing on the page's path imports a Node module. Files, the parser's WebAssembly and the templates
 * come through the host (src/host.ts); only src/node/ holds Node's.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const { PAGE_BUILD, nodeImports } = (await import(join(ROOT, 'scripts', 'build-site.mjs'))) as {
  PAGE_BUILD: BuildOptions;
  nodeImports: (m: Metafile) => string[];
};

/** Builds like the page, in memory: the inputs' metafile, or esbuild's errors. */
async function pageBuild(options: BuildOptions = {}): Promise<{ metafile?: Metafile; errors: string[] }> {
  try {
    const r = await build({ ...PAGE_BUILD, write: false, logLevel: 'silent', minify: false, ...options });
    return { metafile: r.metafile!, errors: [] };
  } catch (e) {
    return { errors: (e as { errors: Array<{ text: string }> }).errors.map((x) => x.text) };
  }
}

describe('the core on the page', { timeout: 120_000 }, () => {
  it('is bundled for the browser with no Node module imported by any of its files', async () => {
    const { metafile, errors } = await pageBuild();
    expect(errors).toEqual([]);
    expect(nodeImports(metafile!)).toEqual([]);
    const inputs = Object.keys(metafile!.inputs);
    // the text path is there: loading, parsing, the rules, formatting, fixing, generating
    for (const f of ['src/lint.ts', 'src/gitlab/load.ts', 'src/shell/parser.ts', 'src/rules/BG001.ts', 'src/format/text.ts', 'src/fix/library.ts', 'src/gen/render.ts', 'src/host.ts']) {
      expect(inputs).toContain(f);
    }
    // and the Node host is not
    expect(inputs.filter((f) => f.startsWith('src/node/'))).toEqual([]);
  });

  it('fails where a file on the path imports a Node module', async () => {
    // the Node host, put on the page's path: it does not even build for the browser
    const { errors } = await pageBuild({
      entryPoints: undefined,
      stdin: { contents: "import { nodeHost } from './src/node/host.ts'; console.log(nodeHost);", resolveDir: ROOT, loader: 'ts' },
    });
    expect(errors).toContain('Could not resolve "node:fs"');
    // and where a bundler resolved it anyway, the check names it
    const r = await build({ ...PAGE_BUILD, entryPoints: [join(ROOT, 'src', 'node', 'host.ts')], platform: 'node', write: false, logLevel: 'silent' });
    expect(nodeImports(r.metafile!)).toContain('src/node/host.ts -> node:fs');
  });

  it('type-checks on the page without Node\'s declarations', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const files = execFileSync(process.execPath, [tsc, '--noEmit', '--listFilesOnly', '-p', join(ROOT, 'site', 'tsconfig.json')], { encoding: 'utf8' }).split('\n');
    expect(files.some((f) => f.endsWith('src/lint.ts'))).toBe(true);
    expect(files.filter((f) => f.includes('@types/node'))).toEqual([]);
  });
});
