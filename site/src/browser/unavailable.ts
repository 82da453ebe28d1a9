/** Node modules that code on the page only names in branches for Node (web-tree-sitter's loader). */
const fail = (): never => {
  throw new Error('not available in the browser');
};
export default new Proxy({}, { get: fail });
export const createRequire = fail;
export const fileURLToPath = fail;
export const readFile = fail;
