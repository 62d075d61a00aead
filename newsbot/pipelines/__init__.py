"""newsbot's item pipelines: what may pass to the job's items file."""
