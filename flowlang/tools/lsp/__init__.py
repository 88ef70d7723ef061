"""The language server (`flowlang lsp`, in the `flowlang[lsp]` extra): analysis, index, completion, features,
and the pygls server that serves them over stdio."""
