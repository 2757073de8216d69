"""A pure-Python ext4 writer for the sample laptop's Linux partition (no mke2fs, no mount).

The layout follows the kernel's "ext4 Data Structures and Algorithms" documentation
(docs.kernel.org/filesystems/ext4/): §4.1 super block, §4.4 block group descriptors, §3.x
bitmaps and inode table, §4.6 index nodes (inodes) with §4.6.3 extent trees in `i_block`,
§4.3.1 linear directories of `ext4_dir_entry_2`. It is the file system `mke2fs -t ext4 -b 4096
-O ^has_journal,^metadata_csum,^64bit,^flex_bg,^resize_inode` makes, with the same feature
set (ext_attr dir_index filetype extent sparse_super large_file huge_file dir_nlink
extra_isize), filled with files the way the kernel leaves them:

- one block group of 4096-byte blocks (so at most 128 MiB): block 0 holds the super block at
  byte 1024, block 1 the group descriptor table, blocks 2 and 3 the block and inode bitmaps
  (padding bits past the group's end set), then the inode table (256-byte inodes, one inode
  per 4 KiB of space as mke2fs's "small" profile), then data;
- reserved inodes 1-10, the root directory (inode 2) and lost+found (inode 11, four blocks
  pre-allocated as mke2fs does), both owned by root; the tree's directories (0755) and files
  (0644) are owned by uid/gid 1000;
- every file and directory is one contiguous extent (a depth-0 tree in the inode); file times
  (atime, ctime, mtime, crtime) are `FsFile.mtime`, directory times and the super block's
  mkfs/write/mount/check times are `when`; no journal, no checksums, state clean.

A deleted file (`FsFile.deleted`) is left as the kernel's unlink + evict leaves it: its
directory entry is merged into the previous entry's `rec_len` (its name bytes stay in that
slack, so The Sleuth Kit lists it as deleted; kernels since 2021 zero the name, see xfstests
ext4/048, older ones and e2fsprogs do not), and its inode has links_count 0, dtime and ctime
= `when`, size 0, no blocks and an empty extent tree (ext4_evict_inode sets i_size to 0 and
truncates; ext4_truncate also sets mtime to `when` when the file had blocks). Its blocks and
inode are free in the bitmaps and counts. The bytes stay in the freed blocks, as on a real
disk, but nothing points to them any more: the content is NOT recoverable through the file
system, only by carving the unallocated space.
"""

from __future__ import annotations

import calendar
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from uuid import UUID, uuid5

from triage_app.sample.fsmodel import FsFile, FsTree

BLOCK = 4096
INODE_SIZE = 256
INODE_RATIO = 4096  # bytes of space per inode (mke2fs.conf "small")
BLOCKS_PER_GROUP = 8 * BLOCK  # one bitmap block
ROOT_INO = 2
LPF_INO = 11  # s_first_ino: the first non-reserved inode
LPF_BLOCKS = 4  # mke2fs grows lost+found to 16 KiB
GDT_AT, BLOCK_BITMAP_AT, INODE_BITMAP_AT, ITABLE_AT = 1, 2, 3, 4
OWNER = 1000

S_IFDIR, S_IFREG = 0o040000, 0o100000
FT_REG, FT_DIR = 1, 2
EXTENTS_FL = 0x80000
EXTENT_MAGIC = 0xF30A
BG_INODE_ZEROED = 0x4
COMPAT = 0x0008 | 0x0020  # ext_attr, dir_index
INCOMPAT = 0x0002 | 0x0040  # filetype, extent
RO_COMPAT = 0x0001 | 0x0002 | 0x0008 | 0x0020 | 0x0040  # sparse_super .. extra_isize
EXTRA_ISIZE = 32


@dataclass(frozen=True)
class _Entry:
    """One `ext4_dir_entry_2` (§4.3.1)."""

    name: bytes
    ino: int
    ftype: int
    deleted: bool = False

    @property
    def size(self) -> int:
        return (8 + len(self.name) + 3) // 4 * 4


@dataclass
class _Node:
    """An inode of the image with the content its extent points at."""

    ino: int
    mode: int
    uid: int
    content: bytes
    mtime: datetime
    links: int = 1
    deleted_at: datetime | None = None
    start: int = 0  # first block, set when blocks are allocated

    @property
    def nblocks(self) -> int:
        return -(-len(self.content) // BLOCK)

    @property
    def live(self) -> bool:
        return self.deleted_at is None


@dataclass(frozen=True)
class _Geometry:
    blocks: int
    inodes: int

    @property
    def data_start(self) -> int:
        return ITABLE_AT + self.inodes * INODE_SIZE // BLOCK


def build_ext4(tree: FsTree, *, size_bytes: int, label: str, uuid: UUID, when: datetime) -> bytes:
    """An ext4 image of exactly `size_bytes` bytes holding `tree` (see the module docstring).

    Raises ValueError when the tree does not fit, a name is invalid or longer than 255
    bytes, a live path repeats, or the label is longer than 16 UTF-8 bytes.
    """
    name = label.encode()
    if len(name) > 16:
        raise ValueError(f"ext4 volume label is at most 16 bytes: {label!r}")
    if not 0 <= _seconds(when) < 2**40:
        raise ValueError(f"the super block cannot hold the time {when}")
    nodes = _plan(tree, when)
    geo = _geometry(size_bytes, len(nodes))
    _allocate(nodes, geo)
    image = bytearray(size_bytes)
    for node in nodes:
        image[node.start * BLOCK : node.start * BLOCK + len(node.content)] = node.content
    _write_metadata(image, geo, nodes, name, uuid, when)
    return bytes(image)


def _geometry(size_bytes: int, nodes: int) -> _Geometry:
    blocks = size_bytes // BLOCK
    if blocks > BLOCKS_PER_GROUP:
        raise ValueError(f"{size_bytes} bytes needs more than one block group (max 128 MiB)")
    per_block = BLOCK // INODE_SIZE
    inodes = max(size_bytes // INODE_RATIO, LPF_INO + nodes)
    return _Geometry(blocks, -(-inodes // per_block) * per_block)


def _allocate(nodes: list[_Node], geo: _Geometry) -> None:
    """Contiguous allocation in inode order, deleted files included (their blocks are
    freed afterwards, as if they had been written then unlinked)."""
    cursor = geo.data_start
    for node in nodes:
        node.start = cursor if node.nblocks else 0
        cursor += node.nblocks
    if geo.inodes > BLOCKS_PER_GROUP:
        raise ValueError(f"{geo.inodes} inodes do not fit one block group's bitmap")
    if cursor > geo.blocks:
        raise ValueError(f"the tree needs {cursor} blocks of {BLOCK} bytes, {geo.blocks} fit")


def _plan(tree: FsTree, when: datetime) -> list[_Node]:
    """Inodes in number order: root, lost+found, the directories, then the files."""
    dirs = [d for d in tree.directories() if d != "/"]
    ino_of = {"/": ROOT_INO} | {d: LPF_INO + 1 + i for i, d in enumerate(dirs)}
    children: dict[str, list[_Entry]] = {d: [] for d in ino_of}
    children["/"].append(_Entry(b"lost+found", LPF_INO, FT_DIR))
    for d in dirs:
        children[_parent(d)].append(_Entry(_name(d), ino_of[d], FT_DIR))
    files: list[_Node] = []
    for f in tree.files:
        ino, name = LPF_INO + 1 + len(dirs) + len(files), _name(f.path)
        children[_parent(f.path)].append(_Entry(name, ino, FT_REG, f.deleted))
        files.append(_file_node(f, ino, when))
    _check_unique(children)
    lost_found = _dir_blocks(_dot(LPF_INO, ROOT_INO), LPF_BLOCKS)
    nodes = [
        _dir_node(ROOT_INO, ROOT_INO, children["/"], when, uid=0),
        _Node(LPF_INO, S_IFDIR | 0o700, 0, lost_found, when, links=2),
    ]
    for d in dirs:
        nodes.append(_dir_node(ino_of[d], ino_of[_parent(d)], children[d], when, uid=OWNER))
    return nodes + files


def _parent(path: str) -> str:
    return str(PurePosixPath(path).parent)


def _name(path: str) -> bytes:
    pure = PurePosixPath(path)
    name = pure.name.encode()
    if not pure.is_absolute() or not name or pure.name in (".", "..") or len(name) > 255:
        raise ValueError(f"not a valid ext4 path: {path!r}")
    return name


def _check_unique(children: dict[str, list[_Entry]]) -> None:
    for parent, entries in children.items():
        names = [e.name for e in entries if not e.deleted]
        if len(names) != len(set(names)):
            raise ValueError(f"a name repeats in {parent!r}")


def _file_node(f: FsFile, ino: int, when: datetime) -> _Node:
    deleted_at = when if f.deleted else None
    return _Node(ino, S_IFREG | 0o644, OWNER, f.data, f.mtime, deleted_at=deleted_at)


def _dot(ino: int, parent: int) -> list[_Entry]:
    return [_Entry(b".", ino, FT_DIR), _Entry(b"..", parent, FT_DIR)]


def _dir_node(ino: int, parent: int, entries: list[_Entry], when: datetime, uid: int) -> _Node:
    """A directory: links are '.', its name in the parent and each subdirectory's '..'."""
    links = 2 + sum(1 for e in entries if e.ftype == FT_DIR)
    content = _dir_blocks(_dot(ino, parent) + entries, 1)
    return _Node(ino, S_IFDIR | 0o755, uid, content, when, links)


def _dir_blocks(entries: list[_Entry], min_blocks: int) -> bytes:
    """Entries packed into blocks (an entry never crosses a block, §4.3.1); blocks past the
    entries hold one empty entry (inode 0) spanning the block, as mke2fs's lost+found."""
    blocks: list[list[_Entry]] = [[]]
    used = 0
    for entry in entries:
        if used + entry.size > BLOCK:
            blocks.append([])
            used = 0
        blocks[-1].append(entry)
        used += entry.size
    blocks += [[] for _ in range(min_blocks - len(blocks))]
    return b"".join(_dir_block(b) for b in blocks)


def _dir_block(entries: list[_Entry]) -> bytes:
    """One directory block. A deleted entry is unlinked as ext4_generic_delete_entry does:
    the previous entry's rec_len grows over it, or, first in its block, its inode becomes 0."""
    buf = bytearray(BLOCK)
    if not entries:
        struct.pack_into("<IHBB", buf, 0, 0, BLOCK, 0, 0)
        return bytes(buf)
    offsets = [sum(e.size for e in entries[:i]) for i in range(len(entries))]
    rec_lens = [e.size for e in entries]
    rec_lens[-1] = BLOCK - offsets[-1]
    shown = rec_lens.copy()
    visible = 0
    for i, entry in enumerate(entries):
        if entry.deleted and i > 0:
            shown[visible] += rec_lens[i]
        else:
            visible = i
    for i, entry in enumerate(entries):
        ino = 0 if entry.deleted and i == 0 else entry.ino
        rec_len = rec_lens[i] if entry.deleted and i > 0 else shown[i]
        hdr = struct.pack("<IHBB", ino, rec_len, len(entry.name), entry.ftype)
        buf[offsets[i] : offsets[i] + 8 + len(entry.name)] = hdr + entry.name
    return bytes(buf)


def _write_metadata(
    image: bytearray, geo: _Geometry, nodes: list[_Node], label: bytes, uuid: UUID, when: datetime
) -> None:
    live = [n for n in nodes if n.live]
    used_blocks = [range(geo.data_start)] + [range(n.start, n.start + n.nblocks) for n in live]
    # Bit n is inode n + 1; the reserved inodes 1-10 are in use whether written or not.
    used_inodes = [range(LPF_INO - 1)] + [range(n.ino - 1, n.ino) for n in live if n.ino >= LPF_INO]
    free_blocks = geo.blocks - sum(len(r) for r in used_blocks)
    free_inodes = geo.inodes - sum(len(r) for r in used_inodes)
    dirs = sum(1 for n in live if n.mode & S_IFDIR)
    sb = _superblock(geo, free_blocks, free_inodes, label, uuid, when)
    image[1024:2048] = sb
    gd = struct.pack(
        "<IIIHHHHIHHHH", BLOCK_BITMAP_AT, INODE_BITMAP_AT, ITABLE_AT, free_blocks, free_inodes,
        dirs, BG_INODE_ZEROED, 0, 0, 0, 0, 0,
    )  # fmt: skip
    image[GDT_AT * BLOCK : GDT_AT * BLOCK + len(gd)] = gd
    _put_block(image, BLOCK_BITMAP_AT, _bitmap(used_blocks, geo.blocks))
    _put_block(image, INODE_BITMAP_AT, _bitmap(used_inodes, geo.inodes))
    table = ITABLE_AT * BLOCK
    image[table : table + INODE_SIZE] = _bad_blocks_inode(when)
    for node in nodes:
        at = table + (node.ino - 1) * INODE_SIZE
        image[at : at + INODE_SIZE] = _inode(node)


def _put_block(image: bytearray, block: int, data: bytes) -> None:
    image[block * BLOCK : block * BLOCK + len(data)] = data


def _bitmap(used: Iterable[range], valid: int) -> bytes:
    """A one-block bitmap (bit n is byte n//8, bit n%8): the used ranges, and every bit past
    the group's `valid` items set, as e2fsck expects of the padding."""
    bits = ((1 << (8 * BLOCK - valid)) - 1) << valid
    for r in used:
        bits |= ((1 << len(r)) - 1) << r.start
    return bits.to_bytes(BLOCK, "little")


def _superblock(
    geo: _Geometry, free_blocks: int, free_inodes: int, label: bytes, uuid: UUID, when: datetime
) -> bytes:
    """The super block (§4.1 table), with mke2fs's defaults for what the tree does not set."""
    t = _seconds(when)
    fields: list[tuple[int, str, int | bytes]] = [
        (0x00, "I", geo.inodes), (0x04, "I", geo.blocks), (0x08, "I", geo.blocks * 5 // 100),
        (0x0C, "I", free_blocks), (0x10, "I", free_inodes), (0x14, "I", 0),  # first data block
        (0x18, "I", 2), (0x1C, "I", 2),  # log2(block size) - 10, cluster = block
        (0x20, "I", BLOCKS_PER_GROUP), (0x24, "I", BLOCKS_PER_GROUP), (0x28, "I", geo.inodes),
        (0x2C, "I", t & 0xFFFFFFFF), (0x30, "I", t & 0xFFFFFFFF),  # mount, write time
        (0x34, "H", 1), (0x36, "H", 0xFFFF),  # mounted once; no mount-count check
        (0x38, "H", 0xEF53), (0x3A, "H", 1), (0x3C, "H", 1),  # magic, clean, errors=continue
        (0x40, "I", t & 0xFFFFFFFF), (0x4C, "I", 1),  # last check; dynamic revision
        (0x54, "I", LPF_INO), (0x58, "H", INODE_SIZE),
        (0x5C, "I", COMPAT), (0x60, "I", INCOMPAT), (0x64, "I", RO_COMPAT),
        (0x68, "16s", uuid.bytes), (0x78, "16s", label),
        (0xEC, "16s", uuid5(uuid, "ext4 s_hash_seed").bytes), (0xFC, "B", 1),  # half_md4
        (0x100, "I", 0x000C), (0x108, "I", t & 0xFFFFFFFF),  # user_xattr,acl; mkfs time
        (0x15C, "H", EXTRA_ISIZE), (0x15E, "H", EXTRA_ISIZE), (0x160, "I", 1),  # signed hash
        (0x248, "I", geo.data_start),  # overhead: super block .. inode table
        (0x274, "B", t >> 32), (0x275, "B", t >> 32), (0x276, "B", t >> 32), (0x277, "B", t >> 32),
    ]  # fmt: skip
    buf = bytearray(1024)
    for offset, fmt, value in fields:
        struct.pack_into("<" + fmt, buf, offset, value)
    return bytes(buf)


def _seconds(dt: datetime) -> int:
    """Seconds since 1970 UTC; a naive datetime is taken as UTC (never the local zone)."""
    return calendar.timegm(dt.utctimetuple())


def _time(dt: datetime) -> tuple[int, int]:
    """(seconds field, *_extra field): the extra field's low 2 bits extend the signed 32-bit
    seconds by epochs of 2^32 s, the other 30 bits hold nanoseconds (§4.6.1.1)."""
    s = _seconds(dt)
    return s & 0xFFFFFFFF, ((s + 2**31) >> 32) & 3 | (dt.microsecond * 1000) << 2


def _extents(node: _Node) -> bytes:
    """`i_block`: a depth-0 extent tree (§4.6.3) with one extent, or none; an unlinked
    inode keeps the emptied header and zeroed slots ext4_ext_remove_space leaves."""
    live = node.live and node.nblocks > 0
    header = struct.pack("<HHHHI", EXTENT_MAGIC, 1 if live else 0, 4, 0, 0)
    extent = struct.pack("<IHHI", 0, node.nblocks, 0, node.start) if live else b""
    return (header + extent).ljust(60, b"\0")


def _inode(node: _Node) -> bytes:
    """A 256-byte inode (§4.6.1): mode, owner, size, times, link count, blocks, extents."""
    size = len(node.content) if node.live else 0
    blocks = node.nblocks * (BLOCK // 512) if node.live else 0
    links = node.links if node.live else 0
    created = _time(node.mtime)
    mtime = ctime = created
    dtime = 0
    if node.deleted_at is not None:
        ctime = _time(node.deleted_at)
        mtime = ctime if node.nblocks else created
        dtime = ctime[0]
    base = struct.pack(
        "<HHIIIIIHHII4x60sIIII12x", node.mode, node.uid, size & 0xFFFFFFFF, created[0],
        ctime[0], mtime[0], dtime, node.uid, links, blocks, EXTENTS_FL, _extents(node), 0, 0,
        size >> 32, 0,
    )  # fmt: skip
    extra = struct.pack(
        "<HHIIIIIII", EXTRA_ISIZE, 0, ctime[1], mtime[1], created[1], created[0], created[1], 0, 0
    )
    return (base + extra).ljust(INODE_SIZE, b"\0")


def _bad_blocks_inode(when: datetime) -> bytes:
    """Inode 1 as mke2fs writes it: no bad blocks, only its three times set."""
    t = _seconds(when) & 0xFFFFFFFF
    return struct.pack("<8xIII", t, t, t).ljust(INODE_SIZE, b"\0")
