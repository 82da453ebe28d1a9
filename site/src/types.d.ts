declare module 'virtual:rule-docs' {
  const docs: Record<string, string>;
  export default docs;
}
declare module '*.ejs' {
  const text: string;
  export default text;
}
