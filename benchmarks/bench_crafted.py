"""Crafted plan files (issue 18, point 6) through the real command: time and peak memory of each,
against the same command reading an honest plan of the same format in the same run.

Plain Python: `python benchmarks/bench_crafted.py [--memory-mb 4096] [--source DIR]`. Every run
is `python -m engine.cli plan parse FILE --json` (`agency list` for the agency directory) in a
child process whose address space is capped (RLIMIT_AS), so that a file that would take
gigabytes ends in a MemoryError instead of taking the machine. `--source DIR` runs the command
from another checkout (an older commit, to measure "before"). The peer is the honest file of
the same kind: the ratios (CPU time, peak memory) say what a crafted file costs over an
ordinary one; CPU time, unlike the wall clock, does not depend on how busy the machine is.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import crafted_files as C  # noqa: E402

Case = tuple[str, str, Callable[[], bytes], str]  # label, file name, builder, peer label

CASES: list[Case] = [
    ("xlsx: dimension + merge A1:XFD1048576", "kh.xlsx", C.xlsx_whole_sheet_merged, "xlsx"),
    ("xlsx: merged A1:ZZ20000", "kh.xlsx", C.xlsx_merged_zz20000, "xlsx"),
    ("xlsx: a value in XFD1048576", "kh.xlsx", C.xlsx_far_cell, "xlsx"),
    ("xlsx: 1,000,000 rows", "kh.xlsx", C.xlsx_million_rows, "xlsx"),
    ("xlsx: entity bomb (shared strings)", "kh.xlsx", C.xlsx_entity_bomb, "xlsx"),
    ("xlsx: external entity (XXE)", "kh.xlsx", C.xlsx_external_entity, "xlsx"),
    ("docx: 5,000,000 paragraphs", "kh.docx", C.docx_paragraphs, "docx"),
    ("docx: cell spanning 2e9 columns", "kh.docx", C.docx_wide_span, "docx"),
    ("docx: 25,000 table rows", "kh.docx", C.docx_table_rows, "docx"),
    ("docx: entity bomb", "kh.docx", C.docx_entity_bomb, "docx"),
    ("docx: 300 MB image part", "kh.docx", C.docx_zip_bomb, "docx"),
    ("csv: 200 KB field", "kh.csv", C.csv_long_field, "csv"),
    ("csv: 2,000,000 rows", "kh.csv", C.csv_many_rows, "csv"),
    ("txt: 5,000,000 lines", "kh.txt", C.text_many_lines, "txt"),
    ("yaml: review nested 10,000 deep", "kh.yaml", C.yaml_nested, "yaml"),
    ("yaml: review of aliases (10^9)", "kh.yaml", C.yaml_aliases, "yaml"),
    ("yaml: review of 2,000,000 empty tasks", "kh.yaml", C.yaml_flat, "yaml"),
    ("yaml: agency directory nested", "agencies.yaml", C.agencies_nested, "agencies"),
]


def honest(kind: str) -> tuple[str, bytes]:
    seed = (ROOT / "config" / "demo_plan_2025.txt").read_bytes()
    return {
        "xlsx": ("kh.xlsx", C.plan_xlsx()), "docx": ("kh.docx", C.plan_docx()),
        "csv": ("kh.csv", "\n".join(",".join(map(str, row)) for row in
                                    (C.TITLE, C.HEADER, C.TASK)).encode() + b"\n"),
        "txt": ("kh.txt", seed),
        "yaml": ("kh.yaml", seed),  # parsed into a review file by `main`
        "agencies": ("agencies.yaml", (ROOT / "config" / "agencies.yaml").read_bytes()),
    }[kind]


def command(name: str, kind: str) -> tuple[list[str], dict[str, str]]:
    if kind == "agencies":
        return ["agency", "list"], {"NHACVIEC_AGENCIES": name}
    return ["plan", "parse", name, "--json"], {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memory-mb", type=int, default=4096)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--source", type=Path, default=None,
                        help="run the command from this checkout instead of this one")
    parser.add_argument("--only", default="", help="run the cases whose label holds this")
    opts = parser.parse_args()
    path = str(opts.source.resolve()) if opts.source else None
    print(f"cap {opts.memory_mb} MB (RLIMIT_AS), timeout {opts.timeout:.0f} s, "
          f"source {opts.source or ROOT}\n")
    print(f"{'case':40} {'disk':>8} {'exit':>4} {'wall':>8} {'CPU':>8} {'peak':>8} "
          f"{'x peer t':>8} {'x peer m':>8}  first line of standard error")
    peers: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)

        def run(name: str, data: bytes, kind: str):  # noqa: ANN202
            (cwd / name).write_bytes(data)
            args, env = command(name, kind)
            return C.run_limited(args, cwd, memory_mb=opts.memory_mb, timeout=opts.timeout,
                                 env=env, pythonpath=path)

        for label, name, build, kind in CASES:
            if opts.only not in label:
                continue
            if kind not in peers:
                peer_name, peer_data = honest(kind)
                if kind == "yaml":  # the seed plan's own review file
                    (cwd / "seed.txt").write_bytes(peer_data)
                    made = C.run_limited(["plan", "parse", "seed.txt", "--yaml"], cwd,
                                         memory_mb=opts.memory_mb, pythonpath=path)
                    peer_data = made.stdout.encode()
                peers[kind] = run(peer_name, peer_data, kind)
                p = peers[kind]
                print(f"{'(peer) honest ' + kind:40} {len(peer_data) / 1024:6.0f}KB "
                      f"{p.returncode:4} {p.seconds:7.2f}s {p.cpu:7.2f}s {p.peak_mb:6.0f}MB")
            data = build()
            r = run(name, data, kind)
            p = peers[kind]
            first = (r.lines[0] if r.lines else "")[:110]
            if r.timed_out:
                first = f"(killed after {opts.timeout:.0f} s) " + first
            print(f"{label:40} {len(data) / 1024:6.0f}KB {r.returncode:4} {r.seconds:7.2f}s "
                  f"{r.cpu:7.2f}s {r.peak_mb:6.0f}MB {r.cpu / p.cpu:7.1f}x "
                  f"{r.peak_mb / p.peak_mb:7.1f}x  {first}", flush=True)


if __name__ == "__main__":
    main()
