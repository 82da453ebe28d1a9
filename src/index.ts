/**
 * The ci-bgsafe library: lint GitLab CI/CD pipelines for background processes, and generate safe preambles.
 * In Node: files, the parser's WebAssembly and the generator's templates are read through the Node host.
 */
import { setHost } from './host.js';
import { nodeHost } from './node/host.js';

setHost(nodeHost);

export { lint, lintFile, guessExecutor, guessShell, type LintOptions, type FileResult } from './lint.js';
export { loadPipeline, type LoadOptions } from './gitlab/index.js';
export { RULES, findRule } from './rules/index.js';
export type { Rule, Report, RuleContext } from './rules/rule.js';
export type { RuleMeta } from './rules/types.js';
export { format, FORMATS, type LintReport, type FormatName, type FormatOptions } from './format/index.js';
export { loadConfig, findConfigFile, defaultConfig, type Config } from './config/index.js';
export { initShellParser } from './shell/parser.js';
export * from './types.js';
export { setHost, type Host, type FileInfo } from './host.js';
export type { GenSpec, ServiceSpec, GenerateOptions } from './gen/types.js';

/**
 * Generates a preamble. Asynchronous only in the library's API: the linter's fixes use the generator, so
 * it is loaded with the linter, not on demand.
 */
export async function generate(...args: Parameters<typeof import('./gen/index.js').generate>): Promise<string> {
  const gen = await import('./gen/index.js');
  return gen.generate(...args);
}
