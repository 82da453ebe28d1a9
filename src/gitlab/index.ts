/** The GitLab pipeline model: `.gitlab-ci.yml` (and its local includes) to jobs with exactly placed script items. */
export { loadPipeline, deepMerge, GLOBAL_KEYWORDS, MAX_EXTENDS_DEPTH, MAX_REFERENCE_DEPTH } from './load.js';
export type { LoadOptions } from './load.js';
export { dumpPipeline } from './dump.js';
export type { DumpOptions } from './dump.js';
export { YamlScriptItem } from './script-item.js';
export { mapScalarToken } from './scalar-map.js';
export type { MappedScalar } from './scalar-map.js';
export { MAX_ALIAS_EXPANSIONS } from './value.js';
export { SourceFile } from './source.js';
