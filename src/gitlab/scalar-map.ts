/**
 * Maps every character of a YAML scalar's value back to the offset where it is written.
 *
 * The functions below re-do what the `yaml` library does when it turns a scalar's source into its
 * value (compose/resolve-flow-scalar.js and compose/resolve-block-scalar.js), recording for each
 * value character the source offset it came from. Characters that YAML makes up (a folded line
 * break, an escape) map to the first source character that produced them.
 */
import type { CST } from 'yaml';

/** A value reconstructed from source, with `offsets[i]` the source offset of `value[i]`. */
export interface MappedScalar {
  value: string;
  /** One more entry than `value` has characters: the last one is the offset just past the value. */
  offsets: number[];
}

class Builder {
  value = '';
  offsets: number[] = [];
  /** Appends `text`, copied verbatim from the source starting at `at`. */
  copy(text: string, at: number): void {
    this.value += text;
    for (let i = 0; i < text.length; i++) this.offsets.push(at + i);
  }
  /** Appends `text` made up by YAML, all of it attributed to the source offset `at`. */
  make(text: string, at: number): void {
    this.value += text;
    for (let i = 0; i < text.length; i++) this.offsets.push(at);
  }
  done(end: number): MappedScalar {
    return { value: this.value, offsets: [...this.offsets, end] };
  }
}

type FlowToken = CST.FlowScalar;
type BlockToken = CST.BlockScalar;

/** Reconstructs the value of a scalar token with offsets; `null` for tokens it does not know. */
export function mapScalarToken(token: CST.Token): MappedScalar | null {
  switch (token.type) {
    case 'scalar':
    case 'single-quoted-scalar':
    case 'double-quoted-scalar':
      return mapFlow(token as FlowToken);
    case 'block-scalar':
      return mapBlock(token as BlockToken);
    default:
      return null;
  }
}

function mapFlow(token: FlowToken): MappedScalar {
  const { offset, source } = token;
  const b = new Builder();
  if (token.type === 'scalar') {
    unfoldLines(b, source, 0, offset);
  } else if (token.type === 'single-quoted-scalar') {
    const inner = new Builder();
    unfoldLines(inner, source.slice(1, source.endsWith("'") && source.length > 1 ? -1 : undefined), 0, offset + 1);
    // '' stands for one quote
    for (let i = 0; i < inner.value.length; i++) {
      b.copy(inner.value[i]!, inner.offsets[i]!);
      if (inner.value[i] === "'" && inner.value[i + 1] === "'") i++;
    }
  } else {
    doubleQuoted(b, source, offset);
  }
  return b.done(offset + source.length);
}


/** Plain and single-quoted line folding: `src` is the text between the quotes, at `base` in the file. */
function unfoldLines(b: Builder, src: string, _from: number, base: number): void {
  // split into lines, remembering where each starts
  const lines: { text: string; at: number }[] = [];
  let start = 0;
  for (let i = 0; i < src.length; i++) {
    if (src[i] === '\n') {
      let end = i;
      if (end > start && src[end - 1] === '\r') end--;
      lines.push({ text: src.slice(start, end), at: start });
      start = i + 1;
    }
  }
  lines.push({ text: src.slice(start), at: start });
  if (lines.length === 1) {
    b.copy(src, base);
    return;
  }
  const trimEnd = (s: string): string => s.replace(/[ \t]+$/, '');
  const first = lines[0]!;
  b.copy(trimEnd(first.text), base + first.at);
  let sep = ' ';
  let sepAt = base + first.at + first.text.length; // the line break that makes the separator
  for (let li = 1; li < lines.length - 1; li++) {
    const line = lines[li]!;
    const lead = line.text.length - line.text.replace(/^[ \t]+/, '').length;
    const content = trimEnd(line.text.slice(lead));
    if (content === '') {
      if (sep === '\n') b.make('\n', sepAt);
      else {
        sep = '\n';
        sepAt = base + line.at;
      }
    } else {
      b.make(sep, sepAt);
      b.copy(content, base + line.at + lead);
      sep = ' ';
      sepAt = base + line.at + line.text.length;
    }
  }
  const last = lines[lines.length - 1]!;
  const lead = last.text.length - last.text.replace(/^[ \t]+/, '').length;
  b.make(sep, sepAt);
  b.copy(last.text.slice(lead), base + last.at + lead);
}

const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
  N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029', ' ': ' ', '"': '"', '/': '/', '\\': '\\', '\t': '\t',
};

function doubleQuoted(b: Builder, source: string, base: number): void {
  for (let i = 1; i < source.length - 1; ++i) {
    const ch = source[i]!;
    if (ch === '\r' && source[i + 1] === '\n') continue;
    if (ch === '\n') {
      const at = i;
      let fold = '';
      let next = source[i + 1];
      while (next === ' ' || next === '\t' || next === '\n' || next === '\r') {
        if (next === '\r' && source[i + 2] !== '\n') break;
        if (next === '\n') fold += '\n';
        i += 1;
        next = source[i + 1];
      }
      b.make(fold || ' ', base + at);
    } else if (ch === '\\') {
      const at = i;
      let next = source[++i];
      const cc = next === undefined ? undefined : ESCAPES[next];
      if (cc) b.make(cc, base + at);
      else if (next === '\n') {
        next = source[i + 1];
        while (next === ' ' || next === '\t') next = source[++i + 1];
      } else if (next === '\r' && source[i + 1] === '\n') {
        next = source[++i + 1];
        while (next === ' ' || next === '\t') next = source[++i + 1];
      } else if (next === 'x' || next === 'u' || next === 'U') {
        const length = next === 'x' ? 2 : next === 'u' ? 4 : 8;
        const hex = source.substr(i + 1, length);
        let out: string;
        try {
          out = /^[0-9a-fA-F]+$/.test(hex) && hex.length === length ? String.fromCodePoint(parseInt(hex, 16)) : source.substr(i - 1, length + 2);
        } catch {
          out = source.substr(i - 1, length + 2);
        }
        b.make(out, base + at);
        i += length;
      } else {
        b.copy(source.substr(i - 1, 2), base + at);
      }
    } else if (ch === ' ' || ch === '\t') {
      const wsStart = i;
      let next = source[i + 1];
      while (next === ' ' || next === '\t') next = source[++i + 1];
      if (next !== '\n' && !(next === '\r' && source[i + 2] === '\n')) b.copy(source.slice(wsStart, i + 1), base + wsStart);
    } else {
      b.copy(ch, base + i);
    }
  }
}

function mapBlock(token: BlockToken): MappedScalar | null {
  const header = token.props[0];
  if (!header || header.type !== 'block-scalar-header') return null;
  const hs = header.source;
  const mode = hs[0];
  let explicitIndent = 0;
  let chomp = '';
  for (let i = 1; i < hs.length; i++) {
    const ch = hs[i]!;
    if (!chomp && (ch === '-' || ch === '+')) chomp = ch;
    else if (!explicitIndent && Number(ch)) explicitIndent = Number(ch);
  }
  let headerLength = hs.length;
  for (let i = 1; i < token.props.length; i++) {
    const t = token.props[i] as { source?: unknown };
    if (typeof t.source === 'string') headerLength += t.source.length;
  }
  const bodyStart = token.offset + headerLength;
  const source = token.source;
  const b = new Builder();
  // lines as [indent, content, offset of the line start]
  const lines: { indent: string; content: string; at: number }[] = [];
  if (source) {
    let at = 0;
    for (const raw of source.split('\n')) {
      const m = /^ */.exec(raw)![0];
      lines.push({ indent: m, content: raw.slice(m.length), at: bodyStart + at });
      at += raw.length + 1;
    }
  }
  // yaml's splitLines yields a trailing empty line for a source ending in '\n', as split does
  let chompStart = lines.length;
  for (let i = lines.length - 1; i >= 0; --i) {
    const c = lines[i]!.content;
    if (c === '' || c === '\r') chompStart = i;
    else break;
  }
  const end = bodyStart + source.length;
  if (chompStart === 0) {
    const value = chomp === '+' && lines.length > 0 ? '\n'.repeat(Math.max(1, lines.length - 1)) : '';
    b.make(value, bodyStart);
    return b.done(end);
  }
  let trimIndent = token.indent + explicitIndent;
  let contentStart = 0;
  for (let i = 0; i < chompStart; ++i) {
    const { indent, content } = lines[i]!;
    if (content === '' || content === '\r') {
      if (explicitIndent === 0 && indent.length > trimIndent) trimIndent = indent.length;
    } else {
      if (explicitIndent === 0) trimIndent = indent.length;
      contentStart = i;
      break;
    }
  }
  for (let i = lines.length - 1; i >= chompStart; --i) {
    if (lines[i]!.indent.length > trimIndent) chompStart = i + 1;
  }
  let sep = '';
  let sepAt = bodyStart;
  let prevMoreIndented = false;
  const lineEnd = (i: number): number => {
    const l = lines[i]!;
    return l.at + l.indent.length + l.content.length - (l.content.endsWith('\r') ? 1 : 0);
  };
  for (let i = 0; i < contentStart; ++i) {
    const l = lines[i]!;
    b.copy(l.indent.slice(trimIndent), l.at + trimIndent);
    b.make('\n', lineEnd(i));
  }
  for (let i = contentStart; i < chompStart; ++i) {
    const l = lines[i]!;
    let indent = l.indent;
    let content = l.content;
    if (content.endsWith('\r')) content = content.slice(0, -1);
    if (content && indent.length < trimIndent) indent = '';
    const indentAt = l.at + Math.min(trimIndent, l.indent.length);
    const contentAt = l.at + l.indent.length;
    const extra = indent.slice(trimIndent);
    if (mode !== '>') {
      b.make(sep, sepAt);
      b.copy(extra, indentAt);
      b.copy(content, contentAt);
      sep = '\n';
      sepAt = lineEnd(i);
    } else if (indent.length > trimIndent || content[0] === '\t') {
      if (sep === ' ') sep = '\n';
      else if (!prevMoreIndented && sep === '\n') sep = '\n\n';
      b.make(sep, sepAt);
      b.copy(extra, indentAt);
      b.copy(content, contentAt);
      sep = '\n';
      sepAt = lineEnd(i);
      prevMoreIndented = true;
    } else if (content === '') {
      if (sep === '\n') b.make('\n', sepAt);
      else sep = '\n';
    } else {
      b.make(sep, sepAt);
      b.copy(content, contentAt);
      sep = ' ';
      sepAt = lineEnd(i);
      prevMoreIndented = false;
    }
  }
  const lastContentEnd = chompStart > 0 ? lineEnd(chompStart - 1) : bodyStart;
  switch (chomp) {
    case '-':
      break;
    case '+':
      for (let i = chompStart; i < lines.length; ++i) {
        b.make('\n', i === chompStart ? lastContentEnd : lineEnd(i - 1));
        const l = lines[i]!;
        b.copy(l.indent.slice(trimIndent), l.at + trimIndent);
      }
      if (!b.value.endsWith('\n')) b.make('\n', lastContentEnd);
      break;
    default:
      b.make('\n', lastContentEnd);
  }
  return b.done(end);
}
