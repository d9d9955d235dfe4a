"""One module per lecture document: its entries in document order, with document-specific code.

Each module cites its document by file name (see `mlp_ref.registry.SOURCES`) and transcribes its
formulas and numbers verbatim; nothing here reads the documents at run time.
"""
