"""What a running flow needs, shared by the interpreter and inlined into compiled modules.

Nothing here imports the rest of flowlang: the code generator copies these modules as they are.
"""
