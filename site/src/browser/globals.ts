/** What the core asks of Node's globals, in the page: a working folder and a byte count. */
export const process = { cwd: (): string => '/', env: {} as Record<string, string | undefined>, platform: 'browser' };
export const Buffer = { byteLength: (s: string): number => new TextEncoder().encode(s).length };
