"""The Zalo channel (Zalo Bot Platform): the HTTP client, the notifier, the bot.

    client.py     typed client on httpx: timeouts, retries, 429, the token never printed
    limits.py     the pacing the client keeps (the figures it assumes are there)
    text.py       plain text cut under 2,000 characters at line boundaries, parts numbered
    render.py     OutgoingMessage -> the plain-text parts (templates/zalo/*.txt.j2)
    notifier.py   ZaloNotifier, behind the Notifier protocol
    commands.py   what a chat wrote -> a command (slash or Vietnamese words)
    bot.py        the bot: answers commands, through the BotBackend the Telegram bot uses
    receive.py    long polling, and the webhook handler the web desk mounts
"""
