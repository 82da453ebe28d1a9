/**
 * Nothing in a linted file is executed or fetched, and `--fix` writes only the files it linted.
 */
import child_process from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { join, relative } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, cli, tempDir, writeFiles } from './helpers.js';

afterAll(cleanup);
afterEach(() => vi.restoreAllMocks());

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), `${statSync(p).mtimeMs}|${readFileSync(p, 'utf8')}`);
    }
  };
  walk(dir);
  return out;
}

describe('safety', () => {
  it('remote, project, template and component includes are never fetched; nothing is run', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const spies = [
      vi.spyOn(http, 'request'), vi.spyOn(http, 'get'), vi.spyOn(https, 'request'), vi.spyOn(https, 'get'),
      vi.spyOn(net, 'connect'), vi.spyOn(net, 'createConnection'),
      vi.spyOn(child_process, 'spawn'), vi.spyOn(child_process, 'exec'), vi.spyOn(child_process, 'execFile'),
      vi.spyOn(child_process, 'spawnSync'), vi.spyOn(child_process, 'execSync'), vi.spyOn(child_process, 'execFileSync'),
    ];
    const dir = tempDir();
    writeFiles(dir, {
      'ci.yml': [
        'include:',
        '  - remote: https://example.invalid/ci.yml',
        '  - https://example.invalid/other.yml',
        '  - project: group/project',
        '    file: /templates/ci.yml',
        '  - template: Auto-DevOps.gitlab-ci.yml',
        '  - component: $CI_SERVER_FQDN/group/project/comp@1.0',
        'job:',
        '  script:',
        '    - !!js/function "function () { require(\'child_process\').execSync(\'touch pwned\') }"',
        '    - touch pwned-by-script',
        '    - sleep 1 &',
        '',
      ].join('\n'),
    });
    const r = await cli(['lint', '--no-config', '--no-color', 'ci.yml'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout.match(/is not read \(it needs a GitLab instance/g)).toHaveLength(5);
    expect(fetchSpy).not.toHaveBeenCalled();
    for (const s of spies) expect(s).not.toHaveBeenCalled();
    expect([...snapshot(dir).keys()]).toEqual(['ci.yml']); // nothing created: pwned, pwned-by-script
  });

  it('--fix writes only the file it linted, never an included file or a neighbour', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      '.git/HEAD': 'ref: refs/heads/main\n',
      'ci.yml': 'include:\n  - local: ci/jobs.yml\nweb:\n  tags: [shell]\n  script:\n    - npm start &\n    - npm test\n',
      'ci/jobs.yml': 'other:\n  tags: [shell]\n  script:\n    - npm start &\n    - npm test\n',
      'neighbour.yml': 'n:\n  tags: [shell]\n  script:\n    - npm start &\n',
    });
    const before = snapshot(dir);
    await new Promise((r) => setTimeout(r, 20)); // a write would show in the mtime
    const r = await cli(['lint', '--no-config', '--no-color', '--fix', 'ci.yml'], dir);
    expect(r.code, r.stdout + r.stderr).not.toBe(3);
    const after = snapshot(dir);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort()); // no file created (no temp file left)
    for (const [f, v] of before) {
      if (f === 'ci.yml') continue;
      expect(after.get(f), f).toBe(v);
    }
    expect(after.get('ci.yml')).not.toBe(before.get('ci.yml'));
  });

  it('--fix-dry-run writes nothing', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'ci.yml': 'web:\n  tags: [shell]\n  script:\n    - npm start &\n    - npm test\n' });
    const before = snapshot(dir);
    const r = await cli(['lint', '--no-config', '--no-color', '--fix-dry-run', 'ci.yml'], dir);
    expect(r.stdout).toMatch(/^\+\+\+ ci\.yml/m);
    expect(snapshot(dir)).toEqual(before);
  });
});
