/** Where a statement's stdout and stderr go: followed through its redirections and pipelines. */
import type { Node } from '../parser.js';
import type { Stream } from './model.js';
import { staticTextOf } from './text.js';

/** Follows a statement's redirections, in order, to see where its stdout and stderr end up. */
export function outputStreams(
  stmt: Node,
  outer: Record<string, Stream> = { '1': 'job', '2': 'job' },
): { stdout: Stream; stderr: Stream } {
  const fds: Record<string, Stream> = { ...outer };
  let body = stmt;
  if (stmt.type === 'redirected_statement') {
    for (const r of stmt.childrenForFieldName('redirect')) if (r) applyRedirect(r, fds);
    body = stmt.childForFieldName('body') ?? stmt;
  }
  if (body.type === 'pipeline') {
    // The last element writes the pipeline's stdout; every element writes its own stderr.
    const elements = body.namedChildren.filter((c): c is Node => !!c);
    const streams = elements.map((el) => outputStreams(el, fds));
    const last = streams[streams.length - 1] ?? { stdout: fds['1']!, stderr: fds['2']! };
    return { stdout: last.stdout, stderr: streams.some((s) => s.stderr === 'job') ? 'job' : last.stderr };
  }
  return { stdout: fds['1']!, stderr: fds['2']! };
}

function applyRedirect(r: Node, fds: Record<string, Stream>): void {
  if (r.type !== 'file_redirect') return;
  let op = '';
  let fd: string | undefined;
  for (const c of r.children) {
    if (!c) continue;
    if (c.type === 'file_descriptor') fd = c.text;
    else if (!c.isNamed) op = c.type;
  }
  const dest = r.childForFieldName('destination');
  const destText = dest ? staticTextOf(dest) ?? dest.text : '';
  const target: Stream = destText === '/dev/null' ? 'null' : 'file';
  switch (op) {
    case '>':
    case '>>':
    case '>|':
      fds[fd ?? '1'] = target;
      break;
    case '&>':
    case '&>>':
      fds['1'] = target;
      fds['2'] = target;
      break;
    case '>&':
    case '<&': {
      const from = fd ?? '1';
      if (destText === '-') fds[from] = 'closed';
      else if (/^\d+$/.test(destText)) fds[from] = fds[destText] ?? 'file';
      else if (op === '>&' && fd === undefined) {
        // `>& file`: both streams to a file (csh style, accepted by bash)
        fds['1'] = target;
        fds['2'] = target;
      }
      break;
    }
    case '>&-':
    case '<&-':
      fds[fd ?? '1'] = 'closed';
      break;
    default:
      break;
  }
}
