"""One file's unsynced state in lossy_fs.py: what a page cache would hold.

Whole 4 KB pages over the backing file, the file's size, and its lowest size
since the last sync (`floor`): backing bytes at or past the floor read as
zeros, because a truncation cut them off. The backing file is not touched
until `apply`, which an fsync calls (and a torn power cut, for some pages).
"""
import os

PAGE = 4096


class Pending:
    __slots__ = ('fd', 'name', 'pages', 'size', 'floor')

    def __init__(self, fd, name):
        self.fd = fd  # our own descriptor: write-back works after the caller closed the file
        self.name = name  # for the cut's report
        self.pages = {}  # page index -> bytearray(PAGE)
        self.size = self.floor = os.fstat(fd).st_size

    def _page(self, idx):
        page = self.pages.get(idx)
        if page is None:
            start = idx * PAGE
            have = max(0, min(PAGE, self.floor - start))
            page = bytearray(os.pread(self.fd, have, start) if have else b'')
            page.extend(bytes(PAGE - len(page)))
            self.pages[idx] = page
        return page

    def read(self, size, offset):
        end = min(offset + size, self.size)
        out = bytearray()
        pos = offset
        while pos < end:
            idx = pos // PAGE
            n = min(end, (idx + 1) * PAGE) - pos
            page = self.pages.get(idx)
            if page is not None:
                at = pos - idx * PAGE
                out += page[at : at + n]
            else:
                have = max(0, min(n, self.floor - pos))
                chunk = os.pread(self.fd, have, pos) if have else b''
                out += chunk + bytes(n - len(chunk))  # past the floor: truncated, zeros
            pos += n
        return bytes(out)

    def write(self, data, offset):
        pos, end = offset, offset + len(data)
        while pos < end:
            idx = pos // PAGE
            n = min(end, (idx + 1) * PAGE) - pos
            at = pos - idx * PAGE
            self._page(idx)[at : at + n] = data[pos - offset : pos - offset + n]
            pos += n
        self.size = max(self.size, end)

    def truncate(self, length):
        if length < self.size:
            for idx in [i for i in self.pages if i * PAGE >= length]:
                del self.pages[idx]
            tail = self.pages.get(length // PAGE)
            if tail is not None:
                at = length % PAGE
                tail[at:] = bytes(PAGE - at)
            self.floor = min(self.floor, length)
        self.size = length

    def apply(self, keep=1.0, rnd=None):
        """Writes the pages to the backing file, or with `rnd` each page (and the
        size change) with probability `keep`: what a torn write-back leaves.
        Closes our descriptor; the caller fsyncs. Returns (pages, pages written)."""
        chance = lambda: rnd is None or rnd.random() < keep  # noqa: E731
        written = 0
        try:
            sized = chance()
            if sized and self.floor < os.fstat(self.fd).st_size:
                os.ftruncate(self.fd, self.floor)
            # Without its size change, nothing past the old end becomes visible.
            limit = self.size if sized else os.fstat(self.fd).st_size
            for idx, page in sorted(self.pages.items()):
                n = min(PAGE, limit - idx * PAGE)
                if n > 0 and chance():
                    os.pwrite(self.fd, bytes(page[:n]), idx * PAGE)
                    written += 1
            if sized and os.fstat(self.fd).st_size != self.size:
                os.ftruncate(self.fd, self.size)
        finally:
            os.close(self.fd)
        return len(self.pages), written

    def drop(self):
        os.close(self.fd)
