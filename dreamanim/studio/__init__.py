"""The studio: a local web app and HTTP API that runs previews and renders through dreamanim.api as jobs.

    dreamanim studio [--port N] [--open] [--osc PORT]  =>  http://127.0.0.1:N/ (docs/studio.md)

A client of api.py only (plus dreamanim.errors). Nothing here runs at import: the server, the
folder and the model are made when `command.run` starts them.
"""
