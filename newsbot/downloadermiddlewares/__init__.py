"""newsbot's downloader middlewares: host allowlist, retry backoff, body checks, failure recording."""
