"""The WARC archive: what a crawl writes (records, writer, middleware, metadata, digest index,
CDXJ index, WACZ packaging) and, in ``replay``/``reader``, how archives are read back.
"""
