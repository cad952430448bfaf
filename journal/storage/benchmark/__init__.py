"""``journal bench``: the storage engine side by side with SQLite and TinyDB's JSONStorage.

For each size it builds three synthetic instances with the same realistic
documents (pupils, trajectories, entries with Markdown and rendered HTML)
and measures, interleaved in one process so machine noise hits all engines
alike, the median of:

* ``save``: saving a new entry durably;
* ``update``: updating an entry (read, keep the old version, write);
* ``open``: opening a trajectory with its entries;
* ``filter``: the school-wide filter (entries by focus area, tag and date range);
* ``cold``: cold start on the instance in a fresh process (open + first read);
* ``rss``: that process's peak memory, against the data's size on disk.

The journal side goes through the real repositories (:class:`Store`);
SQLite uses WAL with ``synchronous=FULL`` and indexes on every queried field;
JSONStorage is TinyDB's default. Run ``python bench/storage_bench.py --help``.

The package, by job: :mod:`.dataset` (the synthetic documents), :mod:`.engines`
(the same logical work on the journal, SQLite and JSONStorage), :mod:`.measure`
(the interleaved runs, cold starts in fresh processes, the crash drill) and
:mod:`.report` (the table and the targets).
"""

from .dataset import FOCUS
from .dataset import KINDS
from .dataset import PER_TRAJECTORY
from .dataset import TAGS
from .dataset import WORDS
from .dataset import make_dataset
from .dataset import make_entry
from .engines import JournalEngine
from .engines import JSONStorageEngine
from .engines import SQLiteEngine
from .measure import crash_drill
from .measure import run

__all__ = ["FOCUS", "KINDS", "PER_TRAJECTORY", "TAGS", "WORDS", "JSONStorageEngine",
           "JournalEngine", "SQLiteEngine", "crash_drill", "make_dataset", "make_entry", "run"]
