/**
 * A GitLab CI/CD component, read the way GitLab reads one: two YAML documents (a `spec:` header, then
 * the configuration), the header's inputs checked, and `$[[ inputs.NAME ]]` blocks interpolated in
 * the parsed configuration (keys and values):
 *
 *   - a block that is a whole scalar takes the input's value with its type (array, boolean, number);
 *   - a block inside a longer string is written as text (an array as `["a", "b"]`, GitLab's rendering).
 *
 * Interpolation functions (`$[[ inputs.x | expand_vars ]]`) are not supported and are reported.
 */
import { readFileSync } from 'node:fs';
import AjvModule from 'ajv';
import { parseAllDocuments, visit, isMap, type Document, type Scalar } from 'yaml';

const Ajv = AjvModule.default;

export type InputType = 'string' | 'number' | 'boolean' | 'array';
export type InputValue = string | number | boolean | unknown[];

export interface InputSpec {
  type?: InputType;
  default?: InputValue;
  description?: string;
  options?: InputValue[];
  regex?: string;
}

export interface Component {
  file: string;
  text: string;
  inputs: Record<string, InputSpec>;
  /** The header as plain data. */
  header: unknown;
  /** The configuration document (not interpolated). */
  body: Document.Parsed;
}

/** Shape of a component header: only the keys GitLab documents for `spec:inputs`. */
export const HEADER_SCHEMA = {
  type: 'object',
  required: ['spec'],
  additionalProperties: false,
  properties: {
    spec: {
      type: 'object',
      required: ['inputs'],
      additionalProperties: false,
      properties: {
        inputs: {
          type: 'object',
          propertyNames: { pattern: '^[A-Za-z0-9_-]{1,50}$' },
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            properties: {
              type: { enum: ['string', 'number', 'boolean', 'array'] },
              default: {},
              description: { type: 'string', minLength: 1, maxLength: 1024 },
              options: { type: 'array', minItems: 1, maxItems: 50 },
              regex: { type: 'string', minLength: 1 },
            },
          },
        },
      },
    },
  },
} as const;

const validateHeaderShape = new Ajv({ allErrors: true, strict: true }).compile(HEADER_SCHEMA);

function typeOf(v: unknown): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
}

/** Problems of a header: its shape, then each default against its type, options and regex. Empty when fine. */
export function headerProblems(header: unknown): string[] {
  if (!validateHeaderShape(header)) {
    return (validateHeaderShape.errors ?? []).map((e) => `header${e.instancePath}: ${e.message ?? e.keyword}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
  }
  const problems: string[] = [];
  const inputs = (header as { spec: { inputs: Record<string, InputSpec> } }).spec.inputs;
  for (const [name, spec] of Object.entries(inputs)) {
    const type = spec.type ?? 'string';
    if (spec.regex !== undefined) {
      if (type !== 'string') problems.push(`${name}: regex is only allowed for string inputs`);
      try {
        new RegExp(spec.regex);
      } catch (e) {
        problems.push(`${name}: bad regex ${spec.regex}: ${(e as Error).message}`);
      }
    }
    for (const o of spec.options ?? []) {
      if (typeOf(o) !== type) problems.push(`${name}: option ${JSON.stringify(o)} is not a ${type}`);
    }
    if (spec.default !== undefined) {
      const p = valueProblem(name, spec, spec.default, 'default');
      if (p) problems.push(p);
    }
    if (spec.description === undefined) problems.push(`${name}: no description`);
  }
  return problems;
}

function valueProblem(name: string, spec: InputSpec, value: unknown, what: string): string | null {
  const type = spec.type ?? 'string';
  if (typeOf(value) !== type) return `\`${name}\` input: ${what} ${JSON.stringify(value)} is not a ${type}`;
  if (spec.options && !spec.options.some((o) => JSON.stringify(o) === JSON.stringify(value))) {
    return `\`${name}\` input: ${what} \`${String(value)}\` cannot be used because it is not in the list of allowed options`;
  }
  if (spec.regex !== undefined && typeof value === 'string' && !new RegExp(spec.regex).test(value)) {
    return `\`${name}\` input: ${what} \`${value}\` does not match required RegEx pattern \`${spec.regex}\``;
  }
  return null;
}

/** Parses a component file; throws when it is not two documents with a `spec:` header. */
export function parseComponent(text: string, file = '<component>'): Component {
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true });
  if (!Array.isArray(docs)) throw new Error(`${file}: not YAML documents`);
  for (const d of docs) {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0]!.message}`);
  }
  if (docs.length !== 2) throw new Error(`${file}: a component has two YAML documents (spec header, ---, configuration); found ${docs.length}`);
  const [head, body] = docs as [Document.Parsed, Document.Parsed];
  const header: unknown = head.toJS();
  if (!isMap(head.contents) || !head.has('spec')) throw new Error(`${file}: the first document is not a spec: header`);
  const problems = headerProblems(header);
  if (problems.length > 0) throw new Error(`${file}: ${problems.join('; ')}`);
  const inputs = (header as { spec: { inputs: Record<string, InputSpec> } }).spec.inputs;
  return { file, text, inputs, header, body };
}

export function readComponent(path: string, display = path): Component {
  return parseComponent(readFileSync(path, 'utf8'), display);
}

/** The effective inputs: given values checked against the header, defaults for the rest. */
export function resolveInputs(component: Component, given: Record<string, unknown> = {}): Record<string, InputValue> {
  const out: Record<string, InputValue> = {};
  for (const name of Object.keys(given)) {
    if (!(name in component.inputs)) throw new Error(`${component.file}: unknown input name provided: \`${name}\``);
  }
  for (const [name, spec] of Object.entries(component.inputs)) {
    const value = name in given ? given[name] : spec.default;
    if (value === undefined) throw new Error(`${component.file}: \`${name}\` input: required value has not been provided`);
    const p = valueProblem(name, spec, value, 'provided value');
    if (p) throw new Error(`${component.file}: ${p}`);
    out[name] = value as InputValue;
  }
  return out;
}

const BLOCK = /\$\[\[\s*(.*?)\s*\]\]/g;

/** How GitLab writes a value into a longer string. */
export function inputText(v: InputValue): string {
  if (Array.isArray(v)) return `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
  return String(v);
}

function lookup(component: Component, values: Record<string, InputValue>, expr: string): InputValue {
  const m = /^inputs\.([A-Za-z0-9_-]+)$/.exec(expr);
  if (!m) throw new Error(`${component.file}: unsupported interpolation \`$[[ ${expr} ]]\` (only $[[ inputs.NAME ]])`);
  const name = m[1]!;
  if (!(name in values)) throw new Error(`${component.file}: unknown interpolation key: \`${name}\``);
  return values[name]!;
}

/** Names of the inputs used in the configuration document. */
export function usedInputs(component: Component): Set<string> {
  const used = new Set<string>();
  for (const m of String(component.body).matchAll(BLOCK)) {
    const n = /^inputs\.([A-Za-z0-9_-]+)$/.exec(m[1]!);
    if (n) used.add(n[1]!);
  }
  return used;
}

/** The configuration document with every `$[[ inputs.NAME ]]` replaced, as YAML text. */
export function interpolate(component: Component, given: Record<string, unknown> = {}): string {
  const values = resolveInputs(component, given);
  const doc = component.body.clone();
  visit(doc, {
    Scalar(key, node: Scalar) {
      if (typeof node.value !== 'string' || !node.value.includes('$[[')) return undefined;
      const s = node.value;
      const whole = /^\$\[\[\s*(.*?)\s*\]\]$/.exec(s);
      if (whole && key !== 'key') {
        const v = lookup(component, values, whole[1]!);
        if (typeof v === 'string') {
          node.value = v;
          return undefined;
        }
        return doc.createNode(v);
      }
      node.value = s.replace(BLOCK, (_m, expr: string) => inputText(lookup(component, values, expr)));
      return undefined;
    },
  });
  const text = doc.toString({ lineWidth: 0 });
  if (text.includes('$[[')) throw new Error(`${component.file}: an interpolation block was left after interpolation`);
  return text;
}
