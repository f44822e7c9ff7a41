"""The web desk (issue 14): the Sở Nội vụ's dashboard and every agency's own page.

    app.py        the application factory: create_app(runtime, clock=...)
    routes/       one router per page: agency (the personal link), auth, overview (Tổng quan),
                  plans (Kế hoạch), tasks (Nhiệm vụ), schedule (Lịch gửi), deliveries (Nhật ký
                  gửi), directory (Danh bạ), zalo (the webhook's reserved place)
    deps.py       dependencies: database session, clock, signed-in officer, agency of a token
    links.py      agencies' personal links (HMAC over a stored nonce); no web framework inside
    secret.py     NHACVIEC_WEB_SECRET, or one generated into the data directory
    security.py   CSRF tokens, the login rate limit
    users.py      officers' accounts (Argon2id)
    evidence.py   evidence files checked by content and stored under generated names
    cache.py      pages computed from the whole database, kept while it has not changed
    server.py     uvicorn: `nhacviec web`, and inside `nhacviec run`

Templates: `templates/web/`; static assets: `engine/web/static/`. The pages hold no domain logic:
they call `engine.tracking.records`, `engine.tracking.plan_store`, `engine.tracking` and the status
table.
"""
