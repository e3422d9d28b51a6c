"""The web surface (``pufa web``): the public chat at ``/`` and the bureau's console under ``/console/``.

Server-rendered pages (Starlette + Jinja2, no script needed); every page calls the services the CLI and
the bot use and only parses input and renders what they return.
"""
