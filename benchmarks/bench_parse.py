"""Parsing a generated 2,000-task plan: .txt (PDF extract with page-break debris) and .docx
(merged cells), plus the same table as .xlsx and .csv, each against a peer in the same run.

Plain Python: `python benchmarks/bench_parse.py [--tasks N]`. For each format, the full
`read_plan` (sniffing, reader, builder: agencies, timing) and the reader alone are timed (best of
three rounds), then peak Python memory is measured in a separate round under tracemalloc (which
slows what it watches, hence apart). The peers read the same file in the plainest way their
library offers, without any of our work: the ratio says what our reading costs on top.

- .txt  vs splitting the lines on tabs (`str.split`), the floor of any text reader;
- .docx vs python-docx's own `Document(path)` and `cell.text` for every row of every table;
- .xlsx vs openpyxl's `load_workbook` (full, as merged cells need) and `iter_rows(values_only)`;
- .csv  vs `csv.reader` over the same text.
"""

from __future__ import annotations

import argparse
import csv
import io
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import docx  # noqa: E402
import openpyxl  # noqa: E402

from engine.directory.agencies import Directory  # noqa: E402
from engine.intake.docx_reader import read_docx  # noqa: E402
from engine.intake.reader import read_plan  # noqa: E402
from engine.intake.sheet_reader import read_csv_text, read_xlsx  # noqa: E402
from engine.intake.text_reader import read_text  # noqa: E402
from rules import WorkingCalendar  # noqa: E402

SEED = ROOT / "config" / "demo_plan_2025.txt"
HEADER = ["Nhiệm vụ chung", "Nhiệm vụ cụ thể", "Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp",
          "Thời gian thực hiện"]
LEADS = ["Sở Nội vụ", "Sở Tư pháp", "Văn phòng UBND tỉnh", "Sở Thông tin và Truyền thông",
         "Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Y tế", "Sở Giáo dục và Đào tạo"]
SUPPORTS = ["Các sở, ban, ngành tỉnh; UBND cấp huyện", "Sở Nội vụ; Văn phòng UBND tỉnh",
            "- Công an tỉnh; - Sở Thông tin và Truyền thông", "Các cơ quan có liên quan"]
TIMINGS = ["Quý I/2025", "Trong quý III/2025", "Tháng 10/2025", "Thường xuyên", "Hàng quý",
           "Trong năm 2025", "Trước ngày 15/3/2025", "Chậm nhất ngày 24/11/2025",
           "Theo Kế hoạch số 156/KH-UBND ngày 30/10/2022 của UBND tỉnh",
           "Tối đa 05 ngày làm việc (kể từ khi UBND tỉnh công bố Quyết định)"]
GROUPS = 20
CHILDREN = 4  # each parent task has this many children


def tasks(n: int) -> list[tuple[str, str, str, str, str, str, str]]:
    """(group, code, title, product, lead, support, timing), parents before their children."""
    out = []
    per_group = n // GROUPS
    for g in range(GROUPS):
        group = f"Nhóm nhiệm vụ số {g + 1}"
        top = 0
        while sum(1 for t in out if t[0] == group) < per_group:
            top += 1
            i = len(out)
            out.append((group, str(top), f"Xây dựng và triển khai nội dung {i} về cải cách "
                        "hành chính của tỉnh trong năm 2025", "Báo cáo kết quả thực hiện",
                        LEADS[i % len(LEADS)], SUPPORTS[i % len(SUPPORTS)], ""))
            for c in range(1, CHILDREN + 1):
                if sum(1 for t in out if t[0] == group) >= per_group:
                    break
                j = len(out)
                out.append((group, f"{top}.{c}", f"Thực hiện phần việc {j} thuộc nhiệm vụ {top}",
                            "Kế hoạch của UBND tỉnh", "", "", TIMINGS[j % len(TIMINGS)]))
    return out


def write_txt(rows, path: Path) -> None:
    seed = SEED.read_text(encoding="utf-8")
    body = seed[: seed.index("Nhiệm vụ chung\t")]
    lines = [body.rstrip("\n"), "\t".join(HEADER)]
    last_group = None
    for k, (group, code, title, product, lead, support, timing) in enumerate(rows):
        label = group if group != last_group else ""
        last_group = group
        if k and k % 37 == 0:  # a page break: blank lines, the title's tail on its own row
            head, tail = title.rsplit(" ", 3)[0], " ".join(title.rsplit(" ", 3)[1:])
            lines.append(f"{label}\t{code}. {head}\t{product}\t{lead}\t{support}\t{timing}")
            lines += ["", "", "", f"\t{tail}\t\t\t\t"]
        else:
            lines.append(f"{label}\t{code}. {title}\t{product}\t{lead}\t{support}\t{timing}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_docx(rows, path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("KẾ HOẠCH")
    d.add_paragraph("Thực hiện cải cách hành chính năm 2025")
    table = d.add_table(rows=len(rows) + 1, cols=6)
    flat = table._cells  # one pass; row.cells per row would make this quadratic
    grid = [flat[i * 6 : (i + 1) * 6] for i in range(len(rows) + 1)]
    for c, text in enumerate(HEADER):
        grid[0][c].text = text
    spans = []  # (column, first row, last row) of vertical merges
    for cells, (group, code, title, product, lead, support, timing) in zip(
            grid[1:], rows, strict=True):
        for c, text in enumerate((group, f"{code}. {title}", product, lead, support, timing)):
            cells[c].text = text
    # The group column merged over each group; each parent's lead over its children.
    start = 0
    for k in range(1, len(rows) + 1):
        if k == len(rows) or rows[k][0] != rows[start][0]:
            spans.append((0, start + 1, k))
            start = k
    for k, row in enumerate(rows):
        if "." not in row[1]:
            end = k
            while end + 1 < len(rows) and rows[end + 1][1].startswith(row[1] + "."):
                end += 1
            if end > k:
                spans.append((3, k + 1, end + 1))
    for col, first, last in spans:
        keep = grid[first][col].text
        for r in range(first + 1, last + 1):
            grid[r][col].text = ""
        grid[first][col].merge(grid[last][col]).text = keep
    d.save(path)


def write_sheets(rows, xlsx: Path, csv_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Kế hoạch số 196/KH-UBND ngày 23/12/2024 thực hiện cải cách hành chính năm 2025"])
    ws.append(HEADER)
    for group, code, title, product, lead, support, timing in rows:
        ws.append([group, f"{code}. {title}", product, lead, support, timing])
    wb.save(xlsx)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["Kế hoạch thực hiện cải cách hành chính năm 2025"])
    writer.writerow(HEADER)
    for group, code, title, product, lead, support, timing in rows:
        writer.writerow([group, f"{code}. {title}", product, lead, support, timing])
    csv_path.write_text(buf.getvalue(), encoding="utf-8")


# --- peers ---------------------------------------------------------------------------------------
def peer_txt(path: Path) -> int:
    return sum(len(line.split("\t")) for line in path.read_text(encoding="utf-8").splitlines())


def peer_docx_load(path: Path) -> int:
    return len(docx.Document(path).tables)


def peer_docx_cells(path: Path) -> int:
    return sum(len(c.text) for t in docx.Document(path).tables for r in t.rows for c in r.cells)


def peer_xlsx(path: Path) -> int:
    ws = openpyxl.load_workbook(path, data_only=True).active
    return sum(1 for row in ws.iter_rows(values_only=True) for v in row if v)


def peer_csv(path: Path) -> int:
    return sum(len(r) for r in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def best(fn: Callable[[], object], rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_mb(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=2000)
    n = parser.parse_args().tasks
    rows = tasks(n)
    t0 = time.perf_counter()
    directory, calendar = Directory.bundled(), WorkingCalendar.default()
    print(f"directory + calendar: {time.perf_counter() - t0:.2f} s (once per command, not below)")
    with tempfile.TemporaryDirectory() as tmp:
        paths = {ext: Path(tmp) / f"plan{ext}" for ext in (".txt", ".docx", ".xlsx", ".csv")}
        t0 = time.perf_counter()
        write_txt(rows, paths[".txt"])
        write_docx(rows, paths[".docx"])
        write_sheets(rows, paths[".xlsx"], paths[".csv"])
        print(f"generating the four files: {time.perf_counter() - t0:.1f} s")
        readers = {
            ".txt": lambda p: read_text(p.read_text(encoding="utf-8"), p.name),
            ".docx": lambda p: read_docx(p, p.name),
            ".xlsx": lambda p: read_xlsx(p, p.name),
            ".csv": lambda p: read_csv_text(p.read_text(encoding="utf-8"), p.name),
        }
        peers = {".txt": ("str.split", peer_txt), ".docx": ("python-docx load", peer_docx_load),
                 ".xlsx": ("openpyxl", peer_xlsx), ".csv": ("csv.reader", peer_csv)}
        print(f"{len(rows)} tasks ({sum(1 for r in rows if '.' in r[1])} leaves), "
              f"{GROUPS} groups\n")
        print(f"{'format':6} {'size':>8} {'parse':>8} {'reader':>8} {'peak':>8}   peer"
              f"{'':14} {'peer s':>7} {'reader/peer':>11}")
        for ext, path in paths.items():
            def parse(path=path):  # noqa: ANN202
                return read_plan(path, directory=directory, calendar=calendar, year=2025)
            plan = parse()
            leaves = len(plan.leaves())
            assert len(plan.tasks) == len(rows), (ext, len(plan.tasks))
            full = best(parse)
            reader = best(lambda path=path, ext=ext: readers[ext](path))
            peer_name, peer = peers[ext]
            peer_s = best(lambda path=path, peer=peer: peer(path))
            memory = peak_mb(parse)
            print(f"{ext:6} {path.stat().st_size / 1024:6.0f}KB {full:7.2f}s {reader:7.2f}s "
                  f"{memory:6.1f}MB   {peer_name:18} {peer_s:6.3f}s {reader / peer_s:10.1f}x"
                  f"   ({leaves} leaves)")
        # python-docx's row.cells walks the table for every row: quadratic, hence one round.
        naive = best(lambda: peer_docx_cells(paths[".docx"]), rounds=1)
        ours = best(lambda: read_docx(paths[".docx"], "plan.docx"))
        print(f"\n.docx: python-docx Document + row.cells for every row: {naive:.2f} s; our "
              f"reader {ours:.2f} s ({naive / ours:.0f}x faster: merges read from the XML in one "
              "pass)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak RSS (ru_maxrss): {rss:.0f} MB")


if __name__ == "__main__":
    main()
