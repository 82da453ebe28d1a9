/** The shape of a precompiled ajv validator (see scripts/compile-schemas.mjs). */
export interface ValidationError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

export interface ValidateFunction {
  (data: unknown): boolean;
  errors?: ValidationError[] | null;
}

/** Turns ajv errors into short readable lines: `/rules/BG001: must be equal to one of the allowed values (error, warning, info, off)`. */
export function describeErrors(errors: ValidationError[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const where = e.instancePath || '(top level)';
    let detail = e.message ?? e.keyword;
    if (e.keyword === 'enum' && Array.isArray(e.params.allowedValues)) {
      detail += ` (${(e.params.allowedValues as unknown[]).join(', ')})`;
    } else if (e.keyword === 'additionalProperties' && typeof e.params.additionalProperty === 'string') {
      detail = `unknown key "${e.params.additionalProperty}"`;
    }
    return `${where}: ${detail}`;
  });
}
