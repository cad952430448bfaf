"""The benchmark's report: medians side by side, ratios to SQLite, and the targets."""

from __future__ import annotations


def format_time(seconds: float) -> str:
    """Return ``seconds`` in s, ms or µs, whichever reads best."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.0f} µs"


def print_results(n: int, result: dict, out) -> None:
    """Print one size's results (see :func:`.measure.run`) through ``out``."""
    base = result["sqlite"]
    names = list(result)
    head = f"{'operation':<10}" + "".join(f"{name:>14}" for name in names) + \
        "".join(f"{name + '/sqlite':>20}" for name in names if name != "sqlite")
    out(head)
    for key in ("save", "update", "open", "filter", "cold", "cold_cpu"):
        row = f"{key:<10}" + "".join(f"{format_time(result[name][key]):>14}" for name in names)
        row += "".join(f"{result[name][key] / base[key]:>19.2f}x" for name in names
                       if name != "sqlite")
        out(row)
    out(f"{'disk':<10}" + "".join(f"{result[name]['disk'] / 1e6:>11.1f} MB" for name in names))
    out(f"{'peak RSS':<10}" + "".join(f"{result[name]['rss'] / 1e6:>11.1f} MB" for name in names))
    out(f"{'RSS/disk':<10}" + "".join(
        f"{result[name]['rss'] / max(result[name]['disk'], 1):>13.1f}x" for name in names))
    out("reps: " + ", ".join(f"{name} {result[name]['reps']}" for name in names))
    j = result["journal"]
    out(f"journal app cold start (imports + create_app + first read): {format_time(j['app'])} "
        f"(CPU {format_time(j['app_cpu'])}), peak RSS {j['app_rss'] / 1e6:.1f} MB ({j['app_rss'] / max(j['disk'], 1):.1f}x disk)")
    checks = [
        ("save <= 1.5x SQLite", j["save"] <= 1.5 * base["save"]),
        ("update <= 1.5x SQLite", j["update"] <= 1.5 * base["update"]),
        ("open <= 3x SQLite", j["open"] <= 3 * base["open"]),
        ("filter <= 3x SQLite", j["filter"] <= 3 * base["filter"]),
        ("app cold start < 2 s", j["app"] < 2.0),
        ("peak RSS < 4x disk", j["app_rss"] < 4 * j["disk"]),
    ]
    out("targets: " + "; ".join(f"{name} {'OK' if ok else 'MISSED'}" for name, ok in checks))
