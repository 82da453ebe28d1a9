/** Renders the EJS templates of templates/gen/, as the host gives them (src/host.ts). */
import ejs from 'ejs';
import { host } from '../host.js';

export function packageVersion(): string {
  return host().version();
}

/**
 * Renders templates/gen/NAME with `data`; its includes are templates/gen/ files too, given by the host.
 * No `filename`: with one, ejs would look for each include on disk before asking the includer.
 */
export function renderTemplate(name: string, data: Record<string, unknown>): string {
  return ejs.render(host().template(name), data, {
    async: false,
    cache: false,
    includer: (original: string) => ({ template: host().template(original) }),
  });
}
