/** The rule registry: every rule, in id order. Explicit, nothing auto-discovered. */
import { BG001 } from './BG001.js';
import { BG002 } from './BG002.js';
import { BG003 } from './BG003.js';
import { BG004 } from './BG004.js';
import { BG005 } from './BG005.js';
import { BG006 } from './BG006.js';
import { BG007 } from './BG007.js';
import { BG008 } from './BG008.js';
import { BG009 } from './BG009.js';
import { BG010 } from './BG010.js';
import { BG011 } from './BG011.js';
import { BG012 } from './BG012.js';
import { BG013 } from './BG013.js';
import { BG014 } from './BG014.js';
import { BG015 } from './BG015.js';
import { BG101 } from './BG101.js';
import { BG102 } from './BG102.js';
import { BG103 } from './BG103.js';
import type { Rule } from './rule.js';

export const RULES: Rule[] = [
  BG001, BG002, BG003, BG004, BG005, BG006, BG007, BG008, BG009, BG010, BG011, BG012, BG013, BG014, BG015, BG101, BG102, BG103,
];

/** Finds a rule by id or name (case-insensitive id). */
export function findRule(idOrName: string): Rule | undefined {
  const key = idOrName.trim();
  return RULES.find((r) => r.meta.id === key.toUpperCase() || r.meta.name === key);
}
