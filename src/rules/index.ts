/** The rule registry: every rule, in id order. Explicit, nothing auto-discovered. */
import type { Rule } from './rule.js';

export const RULES: Rule[] = [];
