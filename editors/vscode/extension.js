// Starts `ci-bgsafe lsp` for YAML files; the server itself decides which are GitLab CI/CD files.
const { workspace } = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

exports.activate = async function activate() {
  const config = workspace.getConfiguration('ci-bgsafe');
  const [command, ...args] = config.get('command', ['ci-bgsafe', 'lsp']);
  client = new LanguageClient(
    'ci-bgsafe',
    'ci-bgsafe',
    { command, args, transport: TransportKind.stdio },
    {
      documentSelector: [{ scheme: 'file', language: 'yaml' }],
      initializationOptions: { debounceMs: config.get('debounceMs', 200) },
    },
  );
  await client.start();
};

exports.deactivate = function deactivate() {
  return client?.stop();
};
