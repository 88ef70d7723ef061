// The flowlang extension: starts `flowlang lsp` (pip install 'flowlang[lsp]') and connects VS Code to it.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("flowlang");
  const command = config.get("server.command", "flowlang");
  const args = config.get("server.args", ["lsp"]);
  // TransportKind.stdio: the client adds --stdio, which `flowlang lsp` accepts.
  const run = { command, args, transport: TransportKind.stdio };
  const serverOptions = { run, debug: run };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "flowlang" }, { scheme: "untitled", language: "flowlang" }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.{flow,json,yaml,yml}") },
  };
  client = new LanguageClient("flowlang", "flowlang", serverOptions, clientOptions);
  client.start().catch((error) => {
    vscode.window.showErrorMessage(
      `flowlang: could not start "${command} ${args.join(" ")}" (${error.message}). ` +
        "Install it with pip install 'flowlang[lsp]', or set flowlang.server.command.",
    );
  });
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
