"""How much of a plan file is read before it is refused, and the one line that says so.

A province's yearly plan has 50 to 300 tasks; `benchmarks/bench_parse.py` reads 2,000. Every
limit below is ten times or more what such a plan needs, and each is checked BEFORE the work it
bounds (issue 18: a 5 KB .xlsx merging a whole sheet asked for 12 GB, a 530 KB .docx of five
million paragraphs for 2.7 GB). A file over a limit is refused with one Vietnamese line
(`core.errors.InputError`, exit status 2) ending in `HINT`; nothing is read further.
"""

from __future__ import annotations

MB = 1024 * 1024
HINT = "một kế hoạch chỉ có vài trăm dòng; hãy kiểm tra lại tệp"  # ends every refusal

MAX_ROWS = 20_000  # rows of a task table: sheet rows, .docx table rows, .csv records
MAX_COLUMNS = 100  # grid columns of a table (a plan's has 4 to 10)
MAX_CELLS = 500_000  # grid cells of one sheet, .csv file or .docx (rows x columns)
MAX_LINES = 200_000  # lines of a text extract (the 2,000-task one has 2,300)
MAX_MERGES = 50_000  # merged ranges of one sheet

MAX_MEMBERS = 2_000  # parts of a .docx/.xlsx archive (Word writes 10 to 30)
MAX_UNPACKED = 100 * MB  # every part together, unpacked (a 2,000-task .docx: 2.2 MB)
MAX_XML_PART = 32 * MB  # one XML part, unpacked (the 2,000-task .docx body: 1.4 MB)
MAX_ELEMENTS = 1_500_000  # elements of one XML part (the same body: 69,000)


def number(n: int) -> str:
    """20000 as Vietnamese writes it: 20.000."""
    return f"{n:,}".replace(",", ".")

