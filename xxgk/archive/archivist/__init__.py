"""A crawl's archivist: a process of its own that stores every capture's bytes in the archive,
then writes the capture to the crawl's capture log, and records it in the crawl's WARC files.

A line in the capture log means the capture's bytes are durable: the log is the archivist's
ledger, written by nobody else. Storing is system calls (file writes, file-system syncs,
uploads) and compression. In the crawling process they would take the reactor thread's time,
and a worker thread would wait for the GIL after each system call; in a process of their own
they run beside the crawl, on another core, while the crawl only writes each capture down a
pipe and goes on.

- `wire`: the frames the crawl sends and the answers it gets;
- `server`: the archivist process (`python -m xxgk.archive.archivist.server`);
- `client`: the crawl's side, `Archivist`, which starts the process and feeds it.
"""
