"""Version of the extraction rules; stored in every item so re-extraction can be targeted."""

EXTRACTOR_VERSION = "4"
