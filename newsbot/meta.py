"""``request.meta`` keys newsbot components share (the spider sets the crawl context, the archive the provenance)."""

# crawl context, set by the rt_ar spider
DEPTH = "newsbot_depth"  # hops from the start URL
PARENT = "newsbot_parent"  # the page that led here
ROOT = "newsbot_root"  # the start URL this request descends from
MEMBERS_DEPTH = "newsbot_members_depth"  # story pages: depth of the articles they list

# provenance, set by the WARC writer (or by replay/resume from the archive they answer from)
PROVENANCE = "newsbot_warc"  # {"warc_file", "warc_record_id", "warc_offset"} of the response record
FETCHED_AT = "newsbot_fetched_at"  # WARC-Date of the response record
