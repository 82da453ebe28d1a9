import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const DIST = join(ROOT, 'site', 'dist');
/** Kept after the run: the page as a user sees it after the steps below. */
export const SCREENSHOT = join(ROOT, 'test-results', 'playground.png');
const VPN = readFileSync(join(ROOT, 'examples', 'vpn-deploy', '.gitlab-ci.yml'), 'utf8');

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };

describe('the playground in Chromium', { timeout: 300_000 }, () => {
  let server: Server;
  let browser: Browser;
  let base: string;
  const requests: string[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-site.mjs')], { stdio: 'pipe' });
    // a static file server, as GitLab Pages is: the page needs nothing else
    server = createServer((req, res) => {
      const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
      try {
        const body = readFileSync(join(DIST, path.endsWith('/') ? `${path}index.html` : path));
        res.writeHead(200, { 'content-type': TYPES[extname(path) || '.html'] ?? 'application/octet-stream' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    // Debian's Chromium: no browser is downloaded
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  async function openPage(width = 1280, hash = ''): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    page.on('request', (r) => void requests.push(r.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => void errors.push(e.message));
    await page.goto(base + hash);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    expect(errors).toEqual([]);
    return page;
  }

  const findingHeads = (page: Page): Promise<string[]> => page.locator('.finding .head').allTextContents();

  it("lints the seed blog's job as it is typed, applies a fix, and generates a job", async () => {
    const page = await openPage();
    const editor = page.getByLabel('.gitlab-ci.yml');
    await editor.fill('');
    await expect.poll(() => page.locator('#status').textContent()).toBe('No findings.');
    await editor.pressSequentially(VPN, { timeout: 150_000 });
    await expect.poll(() => findingHeads(page), { timeout: 15_000 }).toEqual([
      '9:7 warning BG005/background-before-trap',
      '9:7 warning BG009/output-holds-job-pipe',
      '9:7 warning BG014/sudo-background',
      '9:82 info BG012/fixed-sleep-readiness',
      '13:9 warning BG010/broad-kill',
      '16:7 warning BG004/trap-misses-cancel',
      '18:7 warning BG010/broad-kill',
    ]);
    // the code frame, as in the terminal
    const frame = await page.locator('.finding', { hasText: 'BG004' }).locator('.frame').textContent();
    expect(frame).toBe(' 16 |       trap cleanup 1 2 3 6 ERR;\n    |       ^~~~~~~~~~~~~~~~~~~~~~~~');

    // the fix, with the keyboard: focus the button and press Enter
    const fix = page.getByRole('button', { name: 'Apply the fix for BG009 at line 9' });
    await fix.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => findingHeads(page)).not.toContain('9:7 warning BG009/output-holds-job-pipe');
    expect(await editor.inputValue()).toContain('> /dev/null >"${CI_PROJECT_DIR:-.}/.ci-bgsafe/openfortivpn.log" 2>&1 & sleep 5');

    // a rule's doc
    await page.locator('.finding', { hasText: 'BG004' }).getByRole('button', { name: 'Read BG004' }).click();
    await expect.poll(() => page.locator('#rule-doc h3').first().textContent()).toBe('BG004: trap-misses-cancel');

    // the generator
    await page.getByLabel('Service name').fill('web');
    await page.getByLabel('Command', { exact: true }).fill('python3 -m http.server 8000');
    await page.getByLabel(/^Ready when/).fill('http:http://127.0.0.1:8000/');
    await page.getByLabel('Output').selectOption('job');
    await page.getByRole('button', { name: 'Generate' }).click();
    expect(await page.locator('#gen-error').textContent()).toBe('');
    const out = await page.locator('#gen-out').textContent();
    expect(out).toContain('job-with-services:');
    expect(out).toContain("ci_bgsafe_start web --ready http:http://127.0.0.1:8000/ -- bash -c 'python3 -m http.server 8000'");
    await page.getByLabel('Service name').fill('Bad Name');
    await page.getByRole('button', { name: 'Generate' }).click();
    expect(await page.locator('#gen-error').textContent()).toMatch(/name/i);

    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    await page.getByLabel('Service name').fill('web');
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: SCREENSHOT, fullPage: false });
    // the guard (it takes no services)
    await page.getByLabel('Output').selectOption('guard');
    await page.getByRole('button', { name: 'Generate' }).click();
    expect(await page.locator('#gen-error').textContent()).toBe('');
    expect(await page.locator('#gen-out').textContent()).toContain('export CI_BGSAFE_GUARD');
    // nothing was fetched but the page's own files
    expect(requests.filter((u) => !u.startsWith(base))).toEqual([]);
    await page.close();
  });

  it('offers the job guard as a second fix, and applies it with its hidden job', async () => {
    const page = await openPage();
    const editor = page.getByLabel('.gitlab-ci.yml');
    await editor.fill('e2e:\n  tags: [shell]\n  script:\n    - ./server --port 8080 &\n    - npm run e2e\n');
    await expect.poll(() => findingHeads(page), { timeout: 15_000 }).toEqual(['4:7 error BG001/unmanaged-background', '4:7 warning BG009/output-holds-job-pipe']);
    await page.getByRole('button', { name: 'Run the job guard first: it stops whatever the job leaves running (BG001 at line 4)' }).click();
    await expect.poll(() => findingHeads(page), { timeout: 15_000 }).toEqual(['5:7 info BG001/unmanaged-background']);
    const text = await editor.inputValue();
    expect(text).toContain('  script:\n    - !reference [.ci-bgsafe-guard, before_script]\n    - ./server --port 8080 &\n');
    expect(text.match(/^\.ci-bgsafe-guard:$/gm)).toHaveLength(1);
  });

  it('acts on no finding of an older text: a fix or "go to" clicked before the page has linted what was typed', async () => {
    const page = await openPage();
    const editor = page.getByLabel('.gitlab-ci.yml');
    await expect.poll(() => findingHeads(page)).toContain('9:7 warning BG009/output-holds-job-pipe');
    // typed, and a button of the findings shown clicked at once, within the page's pause before it lints
    const clickAfterTyping = (typed: string, name: string) =>
      editor.evaluate((t: HTMLTextAreaElement, [text, button]: string[]) => {
        t.value = text!;
        t.setSelectionRange(0, 0);
        t.dispatchEvent(new Event('input', { bubbles: true }));
        [...document.querySelectorAll<HTMLButtonElement>('.finding button')].find((b) => b.textContent === button)!.click();
      }, [typed, name]);
    const typed = `# a line typed above the jobs\n${VPN}`;
    await clickAfterTyping(typed, 'Apply the fix for BG009 at line 9');
    // the text is what was typed, and the findings shown are its own
    expect(await editor.inputValue()).toBe(typed);
    expect(await findingHeads(page)).toContain('10:7 warning BG009/output-holds-job-pipe');
    await clickAfterTyping(`#\n${typed}`, 'Go to 17:7');
    expect(await editor.evaluate((t: HTMLTextAreaElement) => [t.selectionStart, t.selectionEnd])).toEqual([0, 0]);
    expect(await findingHeads(page)).toContain('18:7 warning BG004/trap-misses-cancel');
    // its own fix, now, where it belongs
    await page.getByRole('button', { name: 'Apply the fix for BG009 at line 11' }).click();
    expect((await editor.inputValue()).split('\n')[10]).toContain('> /dev/null >"${CI_PROJECT_DIR:-.}/.ci-bgsafe/openfortivpn.log" 2>&1 & sleep 5');
    await page.close();
  });

  it('shares the pipeline through the URL fragment', async () => {
    const page = await openPage();
    const text = 'job:\n  tags: [shell]\n  script:\n    - ./server &\n';
    await page.getByLabel('.gitlab-ci.yml').fill(text);
    await expect.poll(() => findingHeads(page)).toContain('4:7 error BG001/unmanaged-background');
    await page.getByRole('button', { name: 'Share a link' }).click();
    const url = page.url();
    expect(url).toContain('#');
    const other = await openPage(1280, url.slice(url.indexOf('#')));
    expect(await other.getByLabel('.gitlab-ci.yml').inputValue()).toBe(text);
    expect(await findingHeads(other)).toContain('4:7 error BG001/unmanaged-background');
    await other.close();
    await page.close();
  });

  it('places findings and fixes right in a text that starts with a byte order mark', async () => {
    const page = await openPage();
    const editor = page.getByLabel('.gitlab-ci.yml');
    await editor.fill(`\uFEFF${VPN}`);
    // the page drops the mark when it lints the text (the findings of the page's first text are gone then)
    await expect.poll(() => editor.inputValue()).toBe(VPN);
    await expect.poll(() => findingHeads(page)).toContain('16:7 warning BG004/trap-misses-cancel');
    // "go to" selects the finding's text
    await page.locator('.finding', { hasText: 'BG004' }).getByRole('button', { name: 'Go to 16:7' }).click();
    expect(await editor.evaluate((t: HTMLTextAreaElement) => t.value.slice(t.selectionStart, t.selectionEnd))).toBe('trap cleanup 1 2 3 6 ERR');
    await page.getByRole('button', { name: 'Apply the fix for BG009 at line 9' }).click();
    await expect.poll(() => findingHeads(page)).not.toContain('9:7 warning BG009/output-holds-job-pipe');
    const fixed = await editor.inputValue();
    expect(fixed.split('\n')[8]).toBe(
      '    - mkdir -p "${CI_PROJECT_DIR:-.}/.ci-bgsafe"; sudo openfortivpn -c /etc/openfortivpn/my-tunnel-config.conf > /dev/null >"${CI_PROJECT_DIR:-.}/.ci-bgsafe/openfortivpn.log" 2>&1 & sleep 5',
    );
    expect(fixed.replace(/^\uFEFF/, '').split('\n').filter((_l, i) => i !== 8)).toEqual(VPN.split('\n').filter((_l, i) => i !== 8));
    // a selection made before the mark is dropped stays on the same characters
    await editor.evaluate((t: HTMLTextAreaElement, text: string) => {
      t.value = `\uFEFF${text}`;
      t.setSelectionRange(text.indexOf('trap') + 1, text.indexOf('trap') + 5);
      t.dispatchEvent(new Event('input', { bubbles: true }));
    }, VPN);
    await expect.poll(() => editor.inputValue()).toBe(VPN);
    expect(await editor.evaluate((t: HTMLTextAreaElement) => t.value.slice(t.selectionStart, t.selectionEnd))).toBe('trap');
    await page.close();
  });

  it('reads on a narrow screen without sideways scrolling, and reports bad YAML at its line', async () => {
    const page = await openPage(360);
    await expect.poll(() => findingHeads(page)).toContain('16:7 warning BG004/trap-misses-cancel');
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: window.innerWidth }));
    expect(widths.page).toBeLessThanOrEqual(widths.view);
    await page.getByLabel('.gitlab-ci.yml').fill('job:\n  script:\n    - echo "open\n  tags: [\n');
    await expect.poll(() => page.locator('#notes li').first().textContent()).toMatch(/^\d+:\d+ error .*\[yaml-syntax\]$/);
    expect(await page.locator('#status').textContent()).toBe('The pipeline cannot be read; see below.');
    await page.close();
  });
});
