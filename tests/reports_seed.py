"""The seed plan (Kế hoạch 196/KH-UBND, 2025) walked through the first quarter of 2025 by the real
engine functions, for the period-report tests. Completions on time, late, early and missing;
report submissions on time, late and missing. Every date and number below is from the plan's
appendix and the 2025 civil-service calendar, by hand (see `test_reports_seed.py`)."""

from __future__ import annotations

from engine.tracking.lookup import find_task
from engine.tracking.records import complete_task, submit_report
from tests.plan_factory import D, runtime, store_seed

# (task as the CLI names it, lead agency, completed on, document number)
COMPLETIONS = (
    ("Cải cách TTHC/1.1", "vp-ubnd", "2025-01-20", "12/BC-VP"),      # due 24/01: on time
    ("Cải cách TTHC/2.1", "vp-ubnd", "2025-02-05", "15/KH-VP"),      # due 24/01: late
    ("phát triển chính quyền số/1", "so-khcn", "2025-03-10", "20/BC-SKHCN"),  # due 18/03
    ("Cải cách TTHC/1.2", "vp-ubnd", "2025-03-17", "25/BC-VP"),      # due 18/03: on time
    ("Cải cách thủ tục/1.1", "so-tu-phap", "2025-03-31", "31/KH-STP"),  # due 31/03: the day
    ("phát triển chính quyền số/2.1.1", "so-y-te", "2025-03-28", "30/BC-SYT"),  # due 31/03
)
# Not completed: Công tác chỉ đạo điều hành/2 (Sở Nội vụ, 28/02), Cải cách TTHC/6 (Văn phòng
# UBND tỉnh and Sở Khoa học và Công nghệ, 18/03), and the rest due 31/03.
REPORTS = (  # Quý I reports, due 18/03/2025
    ("so-tu-phap", "2025-03-14", "30/BC-STP"),  # on time
    ("vp-ubnd", "2025-03-17", "40/BC-VP"),      # on time
    ("so-noi-vu", "2025-03-20", "41/BC-SNV"),   # late
)


def walk(url: str):  # noqa: ANN201 - tests.plan_factory.Runtime
    rt = runtime(url)
    with rt.session() as s:
        summary = store_seed(s, rt)
        for name, agency, on, doc in COMPLETIONS:
            complete_task(s, find_task(s, name, plan_id=summary.plan_id), agency, rt.planner,
                          on=D(on), today=D(on), document_no=doc)
        for agency, on, doc in REPORTS:
            submit_report(s, summary.plan_id, agency, "Quý I", on=D(on), document_no=doc)
        s.commit()
    return rt
