"""All newsbot configuration, in one place.

Groups: project, politeness, components, output/archive, replay, coverage, reliability.
Within a group the enabling flag comes first. Components read these in ``from_crawler``;
nothing reads the environment. Override any of them with ``-s NAME=VALUE``.
"""

from newsbot import __version__

# --- Project -----------------------------------------------------------------
BOT_NAME = "newsbot"
SPIDER_MODULES = ["newsbot.spiders"]
NEWSPIDER_MODULE = "newsbot.spiders"
COMMANDS_MODULE = "newsbot.commands"
ADDONS = {
    "newsbot.addon.NewsbotAddon": 100,
    "newsbot.warc.addon.ReplayAddon": 200,
}
LOG_LEVEL = "INFO"
# Scrapy's messages, without building a DEBUG record for every page and item when LOG_LEVEL hides them.
LOG_FORMATTER = "newsbot.logformatter.LevelLogFormatter"
# No listening ports in an unattended crawler: no telnet console, no remote-control HTTP server.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# --- Politeness --------------------------------------------------------------
ROBOTSTXT_OBEY = True
# Protego's answers, without its ~0.05-0.09 ms a request of path normalization for paths no rule can match.
ROBOTSTXT_PARSER = "newsbot.downloadermiddlewares.robots.PrefixRobotParser"
# Who to contact about this crawler; goes into the User-Agent unless USER_AGENT is set.
NEWSBOT_CONTACT = "https://github.com/newsbot-archive/newsbot"
USER_AGENT = f"newsbot/{__version__} (research news archiver; +{NEWSBOT_CONTACT})"
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# Only arabic.rt.com (and its image host, when images are fetched) is ever requested.
NEWSBOT_ALLOWED_HOSTS = ["arabic.rt.com"]

# --- Crawl ---------------------------------------------------------------------
# Hops of related stories to follow from each start URL (spider argument ``depth`` overrides).
NEWSBOT_DEPTH = 1
# Scrapy's own DepthMiddleware counts story pages as hops; newsbot tracks depth itself.
DEPTH_LIMIT = 0

# --- Components ----------------------------------------------------------------
# Outputs of one response are handled one by one: our pipelines are synchronous, and Scrapy's
# default (100) starts 100 asyncio tasks per response, about 0.6 CPU ms a page (benchmarks/).
CONCURRENT_ITEMS = 1
# Scrapy re-parses a callback's source (inspect + ast) for every request to warn about
# `return value` in generators, since its cache is keyed by bound method; our callbacks are tested.
WARN_ON_GENERATOR_RETURN_VALUE = False
DOWNLOADER_MIDDLEWARES: dict[str, int] = {
    # Reliability (newsbot.downloadermiddlewares): allowlist first, failure recording below RetryMiddleware (550),
    # backoff around it, gzip/empty-body checks just before HttpCompressionMiddleware (590) decodes.
    "newsbot.downloadermiddlewares.allowed_hosts.AllowedHostsMiddleware": 40,
    "newsbot.downloadermiddlewares.failures.UnhandledFailuresMiddleware": 540,
    "newsbot.downloadermiddlewares.backoff.RetryBackoffMiddleware": 560,
    "newsbot.downloadermiddlewares.charset.CharsetMiddleware": 585,
    "newsbot.downloadermiddlewares.body_check.BodyCheckMiddleware": 595,
    # Scrapy's gzip decoding, with one zlib-ng call for a whole member (its own gunzip decides anything else)
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "newsbot.downloadermiddlewares.compression.ZlibNgHttpCompressionMiddleware": 590,
    # Reliability, resume (JOBDIR): pages this job already archived are answered from its WARC files.
    "newsbot.downloadermiddlewares.resume.ResumeFromArchiveMiddleware": 940,
    "newsbot.warc.middleware.WarcArchiveMiddleware": 950,  # raw side: every exchange as sent, before decoding
}
SPIDER_MIDDLEWARES: dict[str, int] = {}
ITEM_PIPELINES: dict[str, int] = {
    "newsbot.pipelines.resume.DropEmittedItemsPipeline": 100,  # Reliability, resume: no item written twice
}
EXTENSIONS: dict[str, int] = {
    "newsbot.extensions.items_file.ItemsFile": 500,
    "newsbot.warc.metadata.ArticleMetadataRecords": 520,
    "newsbot.warc.finalize.ArchiveFinalizer": 650,  # closes WARCs, writes index.cdxj (+ WACZ) before summaries
    # Reliability: failures.jsonl; health checks run before the summary that reports them.
    "newsbot.extensions.failures_file.FailuresFile": 510,
    "newsbot.extensions.health.HealthCheck": 700,
    "newsbot.extensions.summary.JobSummary": 710,
    "newsbot.extensions.jobdir_guard.JobdirGuard": 0,  # Reliability, resume: after a kill, restart from start URLs
    "newsbot.coverage.extension.CoverageExtension": 600,
}

# --- Output and archive --------------------------------------------------------
# Each crawl writes into ARCHIVE_DIR/<job id>/: items.jsonl, WARC files, indexes, summaries.
ARCHIVE_DIR = "archive"
NEWSBOT_ITEMS_FILE_ENABLED = True
FEED_EXPORT_ENCODING = "utf-8"
# WARC archive (newsbot.warc): every HTTP exchange as request + response records, WARC 1.1.
NEWSBOT_WARC_ENABLED = True
# Files: <prefix>-<job id>-<serial 5 digits>.warc.gz, rotated before they would pass this size.
NEWSBOT_WARC_PREFIX = "newsbot"
NEWSBOT_WARC_MAX_BYTES = 1_000_000_000
# Per-record gzip level. Measured on the replica's pages (benchmarks/warc_gzip_levels.py): 6 costs 0.87-0.94x
# the CPU of warcio's default 9 for +0.1% bytes; 1 halves it again but adds ~12-15%. Deflated with zlib-ng:
# on 55 KB synthetic pages level 6 costs 0.60 ms a page (zlib: 1.31) for +1% bytes; 3 costs 0.36 for +5.6%.
# Payloads sent compressed (Content-Encoding gzip/br..., JPEG, video) are stored in their member (level 0)
# whatever this says: 0.02 ms a record instead of 0.20 for +0.3% bytes.
NEWSBOT_WARC_GZIP_LEVEL = 6
# Unchanged payloads (same digest, this job or earlier jobs in ARCHIVE_DIR) become revisit records.
NEWSBOT_WARC_REVISITS = True
NEWSBOT_WARC_DIGEST_DB = "digests.sqlite"  # in ARCHIVE_DIR, shared by all jobs
NEWSBOT_WARC_CDXJ = True  # index.cdxj of the job's WARC files (pywb's format): lines kept as records are written, sorted at close
ARCHIVE_WACZ = False  # -s ARCHIVE_WACZ=1: also package the job as <job id>.wacz at close
# HTTP/1.1 handler that keeps the raw status line, header lines and request bytes for the WARC.
DOWNLOAD_HANDLERS = {
    "http": "newsbot.warc.transport.WireCaptureDownloadHandler",
    "https": "newsbot.warc.transport.WireCaptureDownloadHandler",
}

# --- Replay --------------------------------------------------------------------
# Replay mode: answer every request from this WARC/WACZ file or folder, never the network
# (spider argument -a replay=PATH sets it; see newsbot.warc.addon). None = live crawl.
NEWSBOT_REPLAY = None
# Capture time to replay (-a replay_at=): 14-digit WARC timestamp or ISO 8601; nearest capture wins.
# None = the newest capture of each URL.
NEWSBOT_REPLAY_AT = None
# Parallel requests while replaying (offline: nothing to be polite to).
NEWSBOT_REPLAY_CONCURRENCY = 16
# Seconds between progress lines (a live line on stderr when it is a terminal, else the log); 0 = off.
NEWSBOT_REPLAY_PROGRESS_INTERVAL = 10.0

# --- Coverage monitor ------------------------------------------------------------
# Record every crawl (runs, articles, related edges, story pages, failures) into an SQLite store
# and re-fetch follow-ups known from earlier runs of the same roots (newsbot.coverage).
NEWSBOT_COVERAGE_ENABLED = True
# The SQLite file; empty = <ARCHIVE_DIR>/newsbot.sqlite (read by `newsbot coverage ARCHIVE_DIR`).
NEWSBOT_COVERAGE_DB = ""
# Seconds a write waits for a lock held by a concurrent crawl into the same store.
NEWSBOT_COVERAGE_BUSY_TIMEOUT = 30.0
# When the crawl is idle, fetch the roots' follow-ups known from earlier runs (at max depth: no new hops).
NEWSBOT_COVERAGE_REFETCH = True

# --- Reliability -----------------------------------------------------------------
# Transient faults. A page is lost only if all 1 + RETRY_TIMES attempts fail: at a 15% fault
# rate that is 0.15**7, about 2 in a million pages.
RETRY_ENABLED = True
RETRY_TIMES = 6
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Backoff before each retry (newsbot.downloadermiddlewares.backoff): BASE * 2**(n-1) seconds, +-50% jitter,
# at most BACKOFF_MAX; a Retry-After header is honoured up to RETRY_AFTER_MAX seconds.
NEWSBOT_RETRY_BACKOFF_ENABLED = True
NEWSBOT_RETRY_BACKOFF_BASE = 1.0
NEWSBOT_RETRY_BACKOFF_MAX = 60.0
NEWSBOT_RETRY_AFTER_MAX = 120.0
# Article pages are small and the site answers in well under a second; a stalled connection
# is retried after this many seconds instead of Scrapy's 180.
DOWNLOAD_TIMEOUT = 30
# A body shorter than its Content-Length is an error (retried), never a silently shortened page.
DOWNLOAD_FAIL_ON_DATALOSS = True
# Retry gzip bodies that do not decode to their end, and empty 200 bodies (newsbot.downloadermiddlewares.body_check).
NEWSBOT_BODY_CHECK_ENABLED = True
NEWSBOT_RETRY_EMPTY_BODY = True
# Decode pages whose declared charset (or its absence) does not match their bytes with the <meta>
# charset, UTF-8, or this legacy Arabic charset (newsbot.downloadermiddlewares.charset).
NEWSBOT_CHARSET_CHECK_ENABLED = True
NEWSBOT_FALLBACK_ENCODING = "windows-1256"
# Pages are ~100 KB; anything over this is not an article (recorded as a failure, the crawl goes on).
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
# Redirect chains longer than this are given up (and recorded); loops back to a seen URL are recorded at once.
REDIRECT_MAX_TIMES = 10

# Security: every request, redirect target and retry goes to one of NEWSBOT_ALLOWED_HOSTS (exact host
# names), plus NEWSBOT_IMAGE_HOSTS when images are fetched; anything else is dropped and recorded.
NEWSBOT_ALLOWED_HOSTS_ENABLED = True
NEWSBOT_IMAGE_HOSTS = ["cdni.rt.com"]
NEWSBOT_FETCH_IMAGES = False

# failures.jsonl in the job folder: one JSON line per failed fetch or extraction.
NEWSBOT_FAILURES_FILE_ENABLED = True
# summary.json in the job folder, written at close.
NEWSBOT_SUMMARY_ENABLED = True

# Resume (-s JOBDIR=DIR): the job continues in the same folder. After a kill (no clean stop), Scrapy's queue and
# seen-set in JOBDIR are set aside and the crawl restarts from its start URLs (newsbot.extensions.jobdir_guard);
# pages already in the job's WARC files are answered from there, not fetched again (a torn last record is cut off
# and fetched again; newsbot.downloadermiddlewares.resume); items already in items.jsonl are dropped
# (newsbot.pipelines.resume). Off: Scrapy's own JOBDIR behaviour only.
NEWSBOT_RESUME_ENABLED = True

# Crawl health checks at close (newsbot.monitors.health, spidermon); results go into summary.json.
NEWSBOT_HEALTH_ENABLED = True
# A failed health check makes `scrapy crawl` exit with status 3 (for cron).
NEWSBOT_STRICT = False
NEWSBOT_HEALTH_MIN_ITEMS = 1
# Share of items in which each field is present and not empty.
NEWSBOT_HEALTH_FIELD_COVERAGE = {"title": 0.99, "body_paragraphs": 0.99, "published": 0.99}
# Failed pages (fetch + extract failures) per distinct request.
NEWSBOT_HEALTH_MAX_ERROR_RATE = 0.05
# Retries per request sent; a 15% fault rate gives about 0.18.
NEWSBOT_HEALTH_MAX_RETRY_RATE = 0.5
NEWSBOT_HEALTH_FINISH_REASONS = ["finished"]
# Items extracted by the fallback extractor (a sign the site changed its templates).
NEWSBOT_HEALTH_MAX_FALLBACK = 0
