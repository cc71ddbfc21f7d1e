#!/usr/bin/python3
"""A FUSE passthrough that loses whatever was not fsynced, as a power cut does.

    /usr/bin/python3 test/fuse/lossy_fs.py BACKING MOUNTPOINT [--fsync-ms 10]

Each file's writes and size changes stay in this process's memory (pages over
the backing file) until an fsync/fdatasync of that file writes them to the
backing file and fsyncs it; reads see the pages over the backing data, as a
page cache would. A file created since the last fsync of it or of its
directory is volatile too. Everything else (mkdir, rmdir, unlink, rename,
chmod) reaches the backing directory at once: durable at once, a limit (a real
cut can undo an unlink or rename whose directory was not fsynced). No links,
symlinks, xattrs or fallocate (ENOSYS; glibc emulates posix_fallocate).

Control, one line on stdin, one answer line on stdout (the harness waits for it):
  cut [KEEP SEED]  power cut: every unsynced page is dropped (KEEP: each reaches
                   the disk with that probability, a torn write-back), and from
                   then on the disk is gone (writes, fsyncs, creates: EIO)
  sync             write everything back, as sync(1) (before a clean unmount)
  stats            counters as JSON: fsyncs per file name, writes, waits
Stdout says "ready" once mounted. Unmounting without a cut keeps everything
(a clean shutdown). The harness remounts after a cut with a fresh process, so
that no kernel page cache holds the dropped data.

Not direct_io: SQLite mmaps its -shm file, which needs the page cache. With
--fsync-ms every fsync takes at least that long, one at a time (one disk).
"""
import errno
import json
import os
import random
import subprocess
import sys
import threading
import time

import fusepy
from pages import Pending  # the script's folder is on sys.path


class LossyFS:
    use_ns = True

    def __init__(self, root, mountpoint, fsync_ms):
        self.root = root
        self.mountpoint = mountpoint
        self.fsync_s = fsync_ms / 1000
        self.mu = threading.RLock()  # not "lock": fusepy would take it for the POSIX lock operation
        self.disk = threading.Lock()  # one flush at a time, as one disk
        self.pending = {}  # backing inode -> Pending
        self.fresh = {}  # path -> backing inode: created, neither it nor its directory fsynced since
        self.off = False
        self.stats = {'writes': 0, 'write_bytes': 0, 'fsyncs': 0, 'fsync_wait_ms': 0.0, 'by_name': {}}

    def __call__(self, op, *args):
        if not hasattr(self, op):
            raise fusepy.FuseOSError(errno.ENOSYS)
        return getattr(self, op)(*args)

    def _p(self, path):
        return os.path.join(self.root, path.lstrip('/'))

    def _live(self):
        if self.off:
            raise fusepy.FuseOSError(errno.EIO)  # after the cut the disk answers nothing

    def _pending(self, ino, path, fd=None):
        pend = self.pending.get(ino)
        if pend is None:
            own = os.dup(fd) if fd is not None else os.open(self._p(path), os.O_RDWR)
            pend = self.pending[ino] = Pending(own, os.path.basename(path or '?'))
        return pend

    def _flush(self, fd, name):
        """The disk's part of an fsync: the real one, then the wait (outside self.mu)."""
        t0 = time.monotonic()
        os.fsync(fd)
        left = self.fsync_s - (time.monotonic() - t0)
        if left > 0:
            time.sleep(left)
        with self.mu:
            s = self.stats
            s['fsyncs'] += 1
            s['fsync_wait_ms'] += (time.monotonic() - t0) * 1000
            s['by_name'][name] = s['by_name'].get(name, 0) + 1

    # --- control -------------------------------------------------------------

    def cut(self, keep=0.0, seed=0):
        rnd = random.Random(seed)
        with self.mu:
            self.off = True
            files, pages, kept, names = len(self.pending), 0, 0, {}
            for pend in self.pending.values():
                n, k = pend.apply(keep, rnd)
                pages, kept = pages + n, kept + k
                names[pend.name] = names.get(pend.name, 0) + n - k
            self.pending.clear()
            removed = 0
            for path, ino in self.fresh.items():
                try:
                    if os.lstat(self._p(path)).st_ino == ino and rnd.random() >= keep:
                        os.unlink(self._p(path))
                        removed += 1
                except FileNotFoundError:
                    pass
            self.fresh.clear()
        return {'files': files, 'pages': pages, 'pages_kept': kept, 'created_removed': removed, 'lost_pages_by_name': names}

    def sync_all(self):
        with self.mu:
            n = len(self.pending)
            for pend in self.pending.values():
                pend.apply()
            self.pending.clear()
            self.fresh.clear()
            os.sync()
        return {'files': n}

    def destroy(self, path):
        if not self.off:
            self.sync_all()  # unmounted without a cut: a clean shutdown keeps what was written

    def init(self, path):
        reply('ready')

    # --- metadata: passthrough, durable at once (except create) -------------

    def getattr(self, path, fh=None):
        st = os.fstat(fh) if fh is not None else os.lstat(self._p(path))
        keys = ('st_mode', 'st_nlink', 'st_uid', 'st_gid', 'st_size', 'st_atime_ns', 'st_mtime_ns', 'st_ctime_ns')
        d = {k.replace('_ns', ''): getattr(st, k) for k in keys}
        with self.mu:
            pend = self.pending.get(st.st_ino)
            if pend is not None:
                d['st_size'] = pend.size
        d['st_blocks'] = (d['st_size'] + 511) // 512
        return d

    def readdir(self, path, fh):
        return ['.', '..'] + os.listdir(self._p(path))

    def access(self, path, amode):
        if not os.access(self._p(path), amode):
            raise fusepy.FuseOSError(errno.EACCES)

    def statfs(self, path):
        v = os.statvfs(self._p(path))
        keys = ('f_bavail', 'f_bfree', 'f_blocks', 'f_bsize', 'f_favail', 'f_ffree', 'f_files', 'f_flag', 'f_frsize', 'f_namemax')
        return {k: getattr(v, k) for k in keys}

    def readlink(self, path):
        return os.readlink(self._p(path))

    def unlink(self, path):
        self._live()
        with self.mu:
            st = os.lstat(self._p(path))
            os.unlink(self._p(path))
            self.fresh.pop(path, None)
            if st.st_nlink == 1 and st.st_ino in self.pending:
                self.pending.pop(st.st_ino).drop()

    def rename(self, old, new):
        self._live()
        with self.mu:
            try:
                st = os.lstat(self._p(new))
                if st.st_nlink == 1 and st.st_ino in self.pending:
                    self.pending.pop(st.st_ino).drop()  # replaced: its pages go with it
            except FileNotFoundError:
                pass
            os.rename(self._p(old), self._p(new))
            self.fresh.pop(new, None)
            for p in [p for p in self.fresh if p == old or p.startswith(old + '/')]:
                self.fresh[new + p[len(old):]] = self.fresh.pop(p)

    def utimens(self, path, times=None):
        self._live()
        if times is None:
            os.utime(self._p(path))
        else:
            os.utime(self._p(path), ns=times)

    # --- files ---------------------------------------------------------------

    def create(self, path, mode, fi=None):
        self._live()
        with self.mu:
            try:
                fd = os.open(self._p(path), os.O_RDWR | os.O_CREAT | os.O_EXCL, mode)
            except FileExistsError:
                return os.open(self._p(path), os.O_RDWR)  # lost a race: not new, not volatile
            self.fresh[path] = os.fstat(fd).st_ino
            return fd

    def open(self, path, flags):
        if flags & os.O_TRUNC:
            self._live()
        # Read-write, never O_APPEND: only write-back writes to it, at the page's offset.
        fd = os.open(self._p(path), os.O_RDWR)
        if flags & os.O_TRUNC:
            self.truncate(path, 0, fd)
        return fd

    def read(self, path, size, offset, fh):
        with self.mu:
            pend = self.pending.get(os.fstat(fh).st_ino)
            return os.pread(fh, size, offset) if pend is None else pend.read(size, offset)

    def write(self, path, data, offset, fh):
        self._live()
        with self.mu:
            self._pending(os.fstat(fh).st_ino, path, fd=fh).write(data, offset)
            self.stats['writes'] += 1
            self.stats['write_bytes'] += len(data)
            return len(data)

    def truncate(self, path, length, fh=None):
        self._live()
        with self.mu:
            ino = os.fstat(fh).st_ino if fh is not None else os.lstat(self._p(path)).st_ino
            self._pending(ino, path, fd=fh).truncate(length)

    def fsync(self, path, datasync, fh):
        self._live()
        with self.disk:
            with self.mu:
                self._live()
                ino = os.fstat(fh).st_ino
                if ino in self.pending:
                    self.pending.pop(ino).apply()
                for p in [p for p, i in self.fresh.items() if i == ino]:
                    del self.fresh[p]
            self._flush(fh, os.path.basename(path or '?'))

    def fsyncdir(self, path, datasync, fh):
        self._live()
        with self.disk:
            with self.mu:
                parent = path.rstrip('/') or '/'
                for p in [p for p in self.fresh if (os.path.dirname(p) or '/') == parent]:
                    del self.fresh[p]
            fd = os.open(self._p(path), os.O_RDONLY | os.O_DIRECTORY)
            try:
                self._flush(fd, os.path.basename(parent) + '/')
            finally:
                os.close(fd)

    def flush(self, path, fh):
        return 0  # close() promises nothing about durability

    def release(self, path, fh):
        os.close(fh)


def _passthrough(fn):
    def op(self, path, *args):
        self._live()
        return fn(self._p(path), *args)

    return op


for _name, _fn in {'mkdir': os.mkdir, 'rmdir': os.rmdir, 'chmod': os.chmod, 'chown': os.chown}.items():
    setattr(LossyFS, _name, _passthrough(_fn))  # durable at once

OUT = threading.Lock()


def reply(line):
    with OUT:
        sys.stdout.write(line + '\n')
        sys.stdout.flush()


def control(fs):
    for line in sys.stdin:
        words = line.split()
        try:
            if not words:
                continue
            if words[0] == 'cut':
                keep = float(words[1]) if len(words) > 1 else 0.0
                seed = int(words[2]) if len(words) > 2 else 0
                reply('cut ' + json.dumps(fs.cut(keep, seed)))
            elif words[0] == 'sync':
                reply('sync ' + json.dumps(fs.sync_all()))
            elif words[0] == 'stats':
                with fs.mu:
                    reply('stats ' + json.dumps(fs.stats))
            else:
                reply('error unknown command ' + words[0])
        except Exception as e:  # an answer, always: the harness waits for one
            reply('error ' + repr(e))
    # stdin closed: the harness is gone. Cut and unmount, leaving no mount behind.
    fs.cut()
    subprocess.run(['umount', '-l', fs.mountpoint], stderr=subprocess.DEVNULL)


def main():
    args = sys.argv[1:]
    fsync_ms = 0.0
    if '--fsync-ms' in args:
        i = args.index('--fsync-ms')
        fsync_ms = float(args[i + 1])
        del args[i : i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    root, mnt = (os.path.abspath(a) for a in args)
    fs = LossyFS(root, mnt, fsync_ms)
    threading.Thread(target=control, args=(fs,), daemon=True).start()
    # big_writes: up to 128 KB per write request instead of 4 KB (libfuse 2).
    fusepy.FUSE(fs, mnt, foreground=True, big_writes=True, max_write=131072, fsname='lossyfs', subtype='lossyfs')


if __name__ == '__main__':
    main()
