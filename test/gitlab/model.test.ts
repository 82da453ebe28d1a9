import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dumpPipeline, loadPipeline, YamlScriptItem } from '../../src/gitlab/index.js';
import { expectGolden } from '../golden.js';

const FIXTURES = path.resolve('test/fixtures/model');
const cases = fs
  .readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
  .map((d) => d.name)
  .sort();

function load(name: string) {
  const dir = path.join(FIXTURES, name);
  return { dir, pipeline: loadPipeline(path.join(dir, '.gitlab-ci.yml'), { root: dir }) };
}

describe('pipeline model golden files (UPDATE_GOLDEN=1 rewrites them)', () => {
  it.each(cases)('%s', (name) => {
    const { dir, pipeline } = load(name);
    const dump = dumpPipeline(pipeline, { relativeTo: dir });
    expectGolden(path.join(dir, 'expected.txt'), dump);
  });
});

describe('position mapping', () => {
  it.each(cases)('%s: every script item maps character by character (no fallback to the scalar start)', (name) => {
    const { pipeline } = load(name);
    for (const job of pipeline.jobs) {
      for (const item of [...job.before_script, ...job.script, ...job.after_script]) {
        // a component's items with inputs replaced map a replaced part to its `$[[` (the test below)
        if (pipeline.isComponent && !(item instanceof YamlScriptItem)) continue;
        expect(item).toBeInstanceOf(YamlScriptItem);
        expect((item as YamlScriptItem).exact, `${job.name}: ${JSON.stringify(item.text)}`).toBe(true);
      }
    }
  });

  it.each(cases)('%s: a character that is written verbatim maps to that same character', (name) => {
    const { pipeline } = load(name);
    for (const job of pipeline.jobs) {
      for (const item of [...job.before_script, ...job.script, ...job.after_script]) {
        const text = pipeline.sources.get(item.file)!;
        for (let i = 0; i < item.text.length; i++) {
          const ch = item.text[i]!;
          const at = item.offsetOf(i);
          expect(at).toBeGreaterThanOrEqual(item.scalar.start);
          expect(at).toBeLessThanOrEqual(item.scalar.end);
          // letters and digits are never made up by YAML (escapes map to their backslash)
          // (and a component's replaced input maps to its `$[[`)
          if (/[A-Za-z0-9&]/.test(ch) && text[at] !== '\\' && !text.startsWith('$[[', at)) expect(text[at], `${job.name} ${JSON.stringify(item.text)} @${i}`).toBe(ch);
        }
      }
    }
  });

  it('maps the background command inside a literal block to its own line and column', () => {
    const { pipeline } = load('scalars');
    const item = pipeline.jobs[0]!.script.find((s) => s.text.startsWith('literal line one'))!;
    const amp = item.text.indexOf('&');
    expect(item.locate(amp)).toEqual({ line: 19, column: 22 });
    expect(item.scalar.style).toBe('BLOCK_LITERAL');
  });

  it('keeps the same key for text reached through an alias, extends, default or !reference', () => {
    const alias = load('alias-merge').pipeline;
    const [unit, several, explicit] = alias.jobs;
    expect(unit!.before_script[0]!.key).toBe(several!.before_script[0]!.key);
    expect(several!.script[0]!.key).toBe(explicit!.script[0]!.key);
    const ref = load('reference').pipeline.jobs[0]!;
    expect(ref.script[0]!.key).toBe(ref.before_script[0]!.key);
    const def = load('default-inherit').pipeline.jobs;
    expect(def[0]!.before_script[0]!.key).toMatch(/default-inherit\/\.gitlab-ci\.yml:\d+$/);
  });

  it('positions in a CRLF file count columns as in the LF file', () => {
    const crlf = load('crlf').pipeline.jobs[0]!;
    const block = crlf.script[1]!;
    expect(block.text).toBe('line a\n  line b &\n');
    expect(block.locate(block.text.indexOf('&'))).toEqual({ line: 8, column: 16 });
  });
});

describe('large files', () => {
  it('loads 500 jobs that each merge `<<: *defaults`', () => {
    const lines = ['.defaults: &defaults', '  image: node:20', '  tags: [docker]', '  before_script:', '    - npm ci'];
    for (let i = 0; i < 500; i++) lines.push(`job-${i}:`, '  <<: *defaults', '  script:', `    - npm test -- --shard=${i} &`);
    const p = loadPipeline('big.yml', { text: lines.join('\n') + '\n' });
    expect(p.jobs).toHaveLength(500);
    const last = p.jobs[499]!;
    expect(last.image).toBe('node:20');
    expect(last.before_script[0]!.locate(0)).toEqual({ line: 5, column: 7 });
    expect(last.script[0]!.locate(0)).toEqual({ line: 5 + 499 * 4 + 4, column: 7 });
    expect(p.diagnostics).toEqual([]);
  });
});
