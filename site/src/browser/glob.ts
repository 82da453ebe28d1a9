/** No files to match in the page. */
export const globSync = (): string[] => [];
export const isDynamicPattern = (p: string): boolean => /[*?[\]{}()!]/.test(p);
