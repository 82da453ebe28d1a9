#!/usr/bin/env node
// The floor: the work no linter of this kind can avoid. Reads every YAML file of a pipeline,
// parses it with `yaml` (aliases and merge keys resolved), and parses each job's written script
// programs (before_script + script as one program, after_script as another) with tree-sitter-bash.
// No extends, !reference or include resolution, no analysis, no rules: a lower bound, not a linter.
// Usage: node bench/floor.mjs DIR   (every *.yml / *.yaml file under DIR, recursively, hidden folders but .gitlab aside)
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import v8 from 'node:v8';
import { parseAllDocuments } from 'yaml';
import { Language, Parser } from 'web-tree-sitter';

const require = createRequire(import.meta.url);
const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: node bench/floor.mjs DIR\n');
  process.exit(2);
}

function yamlFiles(d) {
  const out = [];
  for (const e of readdirSync(d, { withFileTypes: true })) {
    // hidden folders hold no file of the pipeline (.git, and .gitlab-ci-local, where the gitlab-ci-local
    // peer writes its expanded copy of the pipeline: read here, it made the floor parse it twice), except
    // .gitlab, where large configurations keep theirs (.gitlab/ci/*.gitlab-ci.yml)
    if ((e.isDirectory() && e.name.startsWith('.') && e.name !== '.gitlab') || e.name === 'node_modules') continue;
    const p = join(d, e.name);
    if (e.isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

// the same settings as ci-bgsafe's own parser (baseline WASM tier)
v8.setFlagsFromString('--liftoff-only');
await Parser.init({ locateFile: (name) => require.resolve(`web-tree-sitter/${name}`) });
const parser = new Parser();
parser.setLanguage(await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm')));

const referenceTag = { tag: '!reference', collection: 'seq', default: false, resolve: (seq) => seq };
const flat = (v) => (Array.isArray(v) ? v.flatMap(flat) : typeof v === 'string' ? [v] : typeof v === 'number' ? [String(v)] : []);

let programs = 0;
let nodes = 0;
for (const file of yamlFiles(dir)) {
  const text = readFileSync(file, 'utf8');
  for (const doc of parseAllDocuments(text, { merge: true, uniqueKeys: false, customTags: [referenceTag] })) {
    const top = doc.toJS({ maxAliasCount: 10_000 });
    if (!top || typeof top !== 'object') continue;
    for (const [name, job] of Object.entries(top)) {
      if (!job || typeof job !== 'object' || Array.isArray(job)) continue;
      const main = [...flat(job.before_script), ...flat(job.script)];
      const after = flat(job.after_script);
      for (const lines of [main, after]) {
        if (!lines.length) continue;
        const tree = parser.parse(lines.join('\n'));
        nodes += tree.rootNode.descendantCount;
        tree.delete();
        programs++;
      }
      void name;
    }
  }
}
process.stdout.write(`${JSON.stringify({ programs, nodes })}\n`);
