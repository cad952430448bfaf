"""The benchmark harness runs end to end (tiny sizes; the real run is `journal bench`)."""

from __future__ import annotations

from journal.storage import benchmark


def test_the_benchmark_compares_all_three_engines_side_by_side(tmp_path):
    lines = []
    result = benchmark.run(sizes=(200,), reps=3, json_reps=2, cold_reps=1, out=lines.append,
                           workdir=tmp_path)
    text = "\n".join(lines)
    assert set(result[200]) == {"journal", "sqlite", "jsonstorage"}
    for engine in result[200].values():
        assert all(engine[k] > 0 for k in ("save", "update", "open", "filter", "cold", "rss"))
    assert "journal/sqlite" in text and "targets:" in text
    assert result[200]["jsonstorage"]["reps"] == 2


def test_the_three_engines_agree_on_what_the_filter_finds(tmp_path):
    data = benchmark.make_dataset(400)
    counts = set()
    for engine in (benchmark.JournalEngine(), benchmark.SQLiteEngine(),
                   benchmark.JSONStorageEngine()):
        folder = tmp_path / engine.name
        engine.build(folder, data)
        engine.open(folder)
        counts.add((engine.filter("lezen", "pauze", "2020-01-01", "2022-12-31"),
                    engine.open_trajectory(data["trajectories"][3]["id"])))
        engine.close()
    assert len(counts) == 1
    (found, opened), = counts
    assert found > 0 and opened == benchmark.PER_TRAJECTORY
