/** A plain-text dump of a pipeline model: what each script line is and where it is written. */
import path from 'pathe';
import type { Pipeline, ScriptItem } from '../types.js';

export interface DumpOptions {
  /** Show file names relative to this folder. */
  relativeTo?: string;
}

/**
 * One block per job (name, position, image, tags, variables), then every line of every script item
 * with the `file:line:col` that `locate` gives for its first non-blank character; then diagnostics.
 */
export function dumpPipeline(pipeline: Pipeline, options: DumpOptions = {}): string {
  const show = (file: string): string =>
    options.relativeTo && file !== '-' ? path.relative(options.relativeTo, path.resolve(file)) : file;
  const out: string[] = [];
  if (pipeline.isComponent) out.push('component');
  for (const job of pipeline.jobs) {
    out.push(`job ${job.name} @ ${show(job.file)}:${job.line}:${job.column}`);
    if (job.image !== undefined) out.push(`  image: ${job.image}`);
    if (job.tags.length) out.push(`  tags: ${job.tags.join(', ')}`);
    const vars = Object.entries(job.variables);
    if (vars.length) out.push(`  variables: ${vars.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
    for (const section of ['before_script', 'script', 'after_script'] as const) {
      job[section].forEach((item, n) => {
        out.push(`  ${section}[${n}] ${item.scalar.style}`);
        for (const line of itemLines(item)) out.push(`    ${show(item.file)}:${line.pos} | ${line.text}`);
      });
    }
  }
  for (const d of pipeline.diagnostics) {
    out.push(`${d.severity} ${d.code} @ ${show(d.file)}:${d.line}:${d.column}: ${d.message}`);
  }
  return out.join('\n') + '\n';
}

function itemLines(item: ScriptItem): { pos: string; text: string }[] {
  const lines: { pos: string; text: string }[] = [];
  let start = 0;
  for (const text of item.text.split('\n')) {
    const lead = text.length - text.trimStart().length;
    const p = item.locate(start + (lead < text.length ? lead : 0));
    lines.push({ pos: `${p.line}:${p.column}`, text: JSON.stringify(text).slice(1, -1) });
    start += text.length + 1;
  }
  return lines;
}
