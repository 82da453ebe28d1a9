import type { RuleMeta } from './types.js';

export interface Rule {
  meta: RuleMeta;
}
