import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RULES } from '../../src/rules/index.js';
import { configSchema } from '../../src/config/index.js';
import { expectGolden, UPDATING } from '../golden.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const schemaFile = `${root}schemas/config.schema.json`;

describe('schemas/config.schema.json', () => {
  it('matches the schema generated from the rule registry (UPDATE_GOLDEN=1 rewrites it)', () => {
    const expected = JSON.stringify(configSchema(RULES.map((r) => r.meta)), null, 2) + '\n';
    expectGolden(schemaFile, expected);
    if (UPDATING) execFileSync(process.execPath, ['scripts/compile-schemas.mjs'], { cwd: root });
  });

  it('names every rule by id and by name', () => {
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
    const keys = Object.keys(schema.properties.rules.properties);
    for (const { meta } of RULES) {
      expect(keys).toContain(meta.id);
      expect(keys).toContain(meta.name);
    }
    expect(schema.properties.$schema).toBeDefined();
  });

  it('has up-to-date precompiled validators in src/generated', () => {
    // Throws (non-zero exit) and names the stale file when a schema changed without recompiling.
    expect(() => execFileSync(process.execPath, ['scripts/compile-schemas.mjs', '--check'], { cwd: root, stdio: 'pipe' })).not.toThrow();
  });
});
