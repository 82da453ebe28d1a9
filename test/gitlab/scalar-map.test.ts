import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, parseDocument, Scalar, stringify } from 'yaml';
import type { CST } from 'yaml';
import { mapScalarToken } from '../../src/gitlab/index.js';

const STYLES = ['PLAIN', 'QUOTE_SINGLE', 'QUOTE_DOUBLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'] as const;

/** Script-like text: words, shell punctuation, blanks, line breaks, escapes, non-ASCII. */
const scriptText = fc
  .array(fc.constantFrom('echo', 'srv', '&', '&&', ' ', '  ', '\t', '\n', '\n\n', '"', "'", '\\', '#', ':', '-', 'é', '😀', '$[[ x ]]', '|', '>'), { maxLength: 25 })
  .map((parts) => parts.join(''));

function check(source: string): void {
  const doc = parseDocument(source, { keepSourceTokens: true });
  if (doc.errors.length) return;
  const root = doc.contents;
  if (!isMap(root)) return;
  for (const pair of root.items) {
    const seqOrScalar = pair.value;
    const nodes = isScalar(seqOrScalar) ? [seqOrScalar] : ((seqOrScalar as { items?: unknown[] })?.items ?? []);
    for (const node of nodes) {
      if (!isScalar(node) || typeof node.value !== 'string') continue;
      const mapped = mapScalarToken(node.srcToken as CST.Token);
      expect(mapped?.value).toBe(node.value);
      expect(mapped!.offsets).toHaveLength(node.value.length + 1);
      // offsets never go backwards and stay inside the scalar
      for (let i = 1; i < mapped!.offsets.length; i++) expect(mapped!.offsets[i]!).toBeGreaterThanOrEqual(mapped!.offsets[i - 1]!);
    }
  }
}

describe('scalar source mapping reproduces the parsed value', () => {
  it('for any text written by the yaml library in any style, nested in a job list', () => {
    fc.assert(
      fc.property(scriptText, fc.constantFrom(...STYLES), fc.boolean(), (text, style, crlf) => {
        const scalar = new Scalar(text);
        scalar.type = style;
        let source = stringify({ job: { script: [scalar] } });
        if (crlf) source = source.replace(/\n/g, '\r\n');
        const doc = parseDocument(source, { keepSourceTokens: true });
        if (doc.errors.length) return;
        const item = (doc.getIn(['job', 'script', 0], true) as Scalar);
        const mapped = mapScalarToken(item.srcToken as CST.Token);
        expect(mapped?.value).toBe(item.value);
      }),
      { numRuns: 600 },
    );
  });

  it('for hand-written multi-line scalars', () => {
    check('a: plain\n  folded\n\n  para\nb: "dq \\\n   cont\n\n   x\\ty"\nc: \'sq\n\n  \'\'x\'\'\'\n');
    check('a: |2-\n    two\n   one\nb: >+\n  f\n\n   more\n  back\n\n\nc: |\n\n  after blank\n');
    check('s:\n  - >\n    a\n     b\n    c\n  - |+\n    k\n\n  - x\n');
  });
});
