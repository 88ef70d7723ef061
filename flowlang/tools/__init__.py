"""The editor side of flowlang: tools that read flows without running them (graph: flowcharts; fmt: the
canonical layout; highlight: classed HTML; lsp: the language server)."""
