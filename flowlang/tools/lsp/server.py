"""`flowlang lsp`: the language server (pygls, JSON-RPC over stdio).

Each open buffer is checked a moment after the last change (`debounce`, 0.3 s; initializationOptions
`{"debounce": seconds}` changes it) exactly as `flowlang check` would, with its imports and OpenAPI
documents; the diagnostics of imported files that are not open are published too. Requests other than
completion wait for a pending check, so that they answer about the text as it is; completion answers at
once from the last analysis that parsed (after a buffer's first check).
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from flowlang.loader import Sources
from flowlang.tools.lsp import features, logs
from flowlang.tools.lsp.analysis import Analysis, analyze
from flowlang.tools.lsp.completion import complete
from flowlang.tools.lsp.index import Occurrence

DEBOUNCE = 0.3


class FlowServer(LanguageServer):
    """The server's state: the sources it knows, and the last analyses of each open buffer."""

    def __init__(self) -> None:
        super().__init__("flowlang", "0.1.0", text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.sources = Sources(cache=True)
        self.debounce = DEBOUNCE
        self.latest: dict[str, Analysis] = {}  # uri -> the last analysis
        self.good: dict[str, Analysis] = {}  # uri -> the last analysis whose own text parsed
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.published: dict[str, set[str]] = {}  # uri -> other uris it published diagnostics for
        self.lock = asyncio.Lock()

    def path_of(self, uri: str) -> str:
        return os.path.abspath(to_fs_path(uri) or uri)

    def text_of(self, uri: str) -> str:
        return self.workspace.get_text_document(uri).source

    # ---------------------------------------------------------- checking

    def schedule(self, uri: str, delay: float) -> None:
        task = self.pending.get(uri)
        if task is not None and not task.done():
            task.cancel()
        self.pending[uri] = asyncio.ensure_future(self._check_later(uri, delay))

    async def _check_later(self, uri: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        async with self.lock:
            text = self.text_of(uri)
            path = self.path_of(uri)
            loop = asyncio.get_running_loop()
            try:
                analysis = await loop.run_in_executor(None, analyze, path, text, self.sources)
            except Exception as exc:  # a bug: say so in the editor's log, and keep serving
                self.window_log_message(lsp.LogMessageParams(lsp.MessageType.Error,
                                                             f"flowlang: checking {path} failed: {exc!r}"))
                return
        self.latest[uri] = analysis
        if analysis.parsed:
            self.good[uri] = analysis
        self.publish(uri, analysis)

    def publish(self, uri: str, analysis: Analysis) -> None:
        grouped = features.diagnostics_by_file(analysis)
        own = grouped.pop(analysis.path, [])
        version = self.workspace.get_text_document(uri).version
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, own, version))
        open_uris = set(self.workspace.text_documents)
        others = {features.uri_of(file): diags for file, diags in grouped.items()}
        others = {u: d for u, d in others.items() if u not in open_uris}
        for stale in self.published.get(uri, set()) - set(others):
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(stale, []))
        for other, diags in others.items():
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(other, diags))
        self.published[uri] = set(others)

    def dependents(self, uri: str) -> list[str]:
        """The other open buffers whose last analysis loaded `uri`'s file."""
        path = self.path_of(uri)
        return [u for u, a in self.latest.items() if u != uri and path in a.project.programs]

    async def current(self, uri: str) -> Analysis | None:
        """The analysis of the text as it is now (waiting for a pending check), the last good one if it
        does not parse."""
        task = self.pending.get(uri)
        if task is not None and not task.done():
            try:
                await asyncio.shield(task)
            except asyncio.CancelledError:
                pass
        latest = self.latest.get(uri)
        return latest if latest is not None and latest.parsed else self.good.get(uri)

    async def occurrence(self, uri: str, position: lsp.Position) -> tuple[Analysis, Occurrence] | None:
        analysis = await self.current(uri)
        if analysis is None or analysis.index is None:
            return None
        line, column = features.from_lsp(analysis.text.split("\n"), position)
        occ = analysis.index.at(line, column)
        return (analysis, occ) if occ is not None else None


server = FlowServer()


def _settings(params: lsp.InitializeParams) -> None:
    options: Any = params.initialization_options
    if isinstance(options, dict) and isinstance(options.get("debounce"), int | float):
        server.debounce = max(0.0, float(options["debounce"]))


@server.feature(lsp.INITIALIZE)
def initialize(ls: FlowServer, params: lsp.InitializeParams) -> None:
    _settings(params)


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_open_or_save(ls: FlowServer, params: lsp.DidOpenTextDocumentParams | lsp.DidSaveTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, 0)  # at once: the file was opened, or others see it on disk now


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: FlowServer, params: lsp.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.sources.texts[os.path.realpath(ls.path_of(uri))] = ls.text_of(uri)
    ls.schedule(uri, ls.debounce)
    for other in ls.dependents(uri):
        ls.schedule(other, ls.debounce)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: FlowServer, params: lsp.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    task = ls.pending.pop(uri, None)
    if task is not None:
        task.cancel()
    ls.sources.texts.pop(os.path.realpath(ls.path_of(uri)), None)
    for gone in (ls.latest, ls.good):
        gone.pop(uri, None)
    for other in ls.published.pop(uri, set()) | {uri}:
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(other, []))


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
async def hover(ls: FlowServer, params: lsp.HoverParams) -> lsp.Hover | None:
    found = await ls.occurrence(params.text_document.uri, params.position)
    if found is None:
        return None
    analysis, occ = found
    text = features.hover_text(analysis, occ)
    if not text:
        return None
    lines = analysis.text.split("\n")
    return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, text), features.range_of(lines, occ.span))


@server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
async def definition(ls: FlowServer, params: lsp.DefinitionParams) -> list[lsp.Location] | None:
    found = await ls.occurrence(params.text_document.uri, params.position)
    return features.definition(*found) if found else None


@server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
async def references(ls: FlowServer, params: lsp.ReferenceParams) -> list[lsp.Location] | None:
    found = await ls.occurrence(params.text_document.uri, params.position)
    return features.references(*found, params.context.include_declaration) if found else None


@server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
async def prepare_rename(ls: FlowServer, params: lsp.PrepareRenameParams) -> lsp.Range | None:
    found = await ls.occurrence(params.text_document.uri, params.position)
    if found is None or found[1].kind not in features.RENAMABLE:
        return None
    return features.range_of(found[0].text.split("\n"), found[1].span)


@server.feature(lsp.TEXT_DOCUMENT_RENAME)
async def rename(ls: FlowServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
    found = await ls.occurrence(params.text_document.uri, params.position)
    return features.rename(*found, params.new_name) if found else None  # a ValueError is the error reply


@server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=[".", "(", ",", "{", " "]))
async def completion(ls: FlowServer, params: lsp.CompletionParams) -> lsp.CompletionList:
    uri = params.text_document.uri
    if uri not in ls.good:  # just opened: wait for its first check (later, the last good one answers at once)
        await ls.current(uri)
    text = ls.text_of(uri)
    line, column = features.from_lsp(text.split("\n"), params.position)
    items = complete(ls.good.get(uri), text, line, column)
    return lsp.CompletionList(is_incomplete=False, items=items)


@server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
async def document_symbol(ls: FlowServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
    analysis = await ls.current(params.text_document.uri)
    if analysis is None or analysis.program is None:
        return []
    return features.document_symbols(analysis.text.split("\n"), analysis.program)


@server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: FlowServer, params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit] | None:
    from flowlang.tools.fmt import FormatError, format_text

    uri = params.text_document.uri
    text = ls.text_of(uri)
    try:
        result = format_text(text, ls.path_of(uri))
    except FormatError as exc:
        ls.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Error, f"flowlang fmt: {exc}"))
        return None
    if result.diagnostics or not result.changed:
        return [] if not result.diagnostics else None
    lines = text.split("\n")
    end = lsp.Position(len(lines) - 1, len(lines[-1].encode("utf-16-le")) // 2)
    return [lsp.TextEdit(lsp.Range(lsp.Position(0, 0), end), result.new)]


@server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
def code_action(ls: FlowServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    uri = params.text_document.uri
    return features.quick_fixes(uri, ls.text_of(uri).split("\n"), params.context.diagnostics)


def serve(debug: bool = False) -> None:
    """Serve one editor over stdin and stdout until it says exit (pygls's log: one line a record on stderr,
    tracebacks too with `debug`)."""
    logs.install(debug)
    server.start_io()
