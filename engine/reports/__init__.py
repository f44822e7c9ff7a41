"""Period reports (báo cáo định kỳ CCHC), the PAR Index projection and calendar feeds.

    counting    the one pass over a plan's deadlines, duties, completions and reports at a day
    period      per-agency sums, ranks, the JSON of contract section 9; `build_report`
    par_index   the scoring table (config/par_index.toml) and "what it would take"
    xlsx        the workbook: summary with a native bar chart, a sheet per status, evidence
    docx        the draft report in the administrative style, for the officer to finish
    ical        an agency's calendar feed (contract section 10)
    latest      the latest period a digest links to
"""
