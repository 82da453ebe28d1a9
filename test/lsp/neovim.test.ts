import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { BIN } from './client.js';

const ROOT = join(import.meta.dirname, '..', '..');

// Debian's neovim, installed by scripts/test-deps.sh.
it("Neovim headless, with vim.lsp as the client, shows the seed blog's findings at their lines", () => {
  const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-nvim-'));
  try {
    mkdirSync(join(dir, '.git'));
    cpSync(join(ROOT, 'examples', 'vpn-deploy', '.gitlab-ci.yml'), join(dir, '.gitlab-ci.yml'));
    const out = join(dir, 'diagnostics.txt');
    const r = spawnSync('nvim', ['--headless', '--clean', '-u', join(import.meta.dirname, 'nvim', 'init.lua'), join(dir, '.gitlab-ci.yml')], {
      env: { ...process.env, OUT: out, CI_BGSAFE_BIN: BIN },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 60_000,
      encoding: 'utf8',
    });
    expect(r.error).toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').sort();
    expect(lines).toEqual(['13:9 BG010', '16:7 BG004', '18:7 BG010', '9:7 BG005', '9:7 BG009', '9:7 BG014', '9:82 BG012'].sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
