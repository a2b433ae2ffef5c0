"""The studio's HTTP API and page as Starlette routes: JSON in and out, SSE for a job's events (docs/studio.md).

    app = build_app(studio)     # an ASGI app, wrapped in the Guard (Host, Origin, token)

Every error is `{"error": "dreamanim: error: <where>: <what> (<fix>)"}` with a 4xx status (and
`keys`: the preset keys it names, for the page's controls). Files are fetched by job id and
kind, frames by job id and number: no route takes a path.
"""
import json
import mimetypes
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import __version__, api
from ..errors import DreamanimError
from . import gallery, presets, uploads
from .context import Studio
from .guard import Guard
from .refs import RequestError, checked_id, refuse_path

STATIC = Path(__file__).parent / "static"
NO_STORE = {"cache-control": "no-store"}


def build_app(studio: Studio):
    s = studio

    async def page(request):
        return FileResponse(STATIC / "index.html", headers=NO_STORE)

    async def info(request):
        return JSONResponse({"version": __version__, "allow_plugins": s.settings.allow_plugins,
                             "upload_limit": s.settings.upload_limit, "osc": s.settings.osc,
                             "ready": s.jobs.ready.is_set(),
                             "samples": [{"ref": f"sample:{n}", "name": n, "kind": s.media.sample_kind(n),
                                          "thumbnail": f"/api/samples/{n}/thumbnail"
                                          if s.media.sample_kind(n) in ("image", "video") else None}
                                         for n in s.media.samples]})

    async def models(request):
        return JSONResponse(api.models())

    async def layers(request):
        model = request.path_params["model"]
        if model not in {m["name"] for m in api.models()}:
            raise RequestError(f"model {model!r}", "is not a model name", "GET /api/models lists them", status=404)
        return JSONResponse(await run_in_threadpool(api.layers, model))

    async def transforms(request):
        return JSONResponse(await run_in_threadpool(api.transforms))

    async def shipped(request):
        shipped = await run_in_threadpool(s.shipped)
        return JSONResponse([{**p, "thumbnail": f"/api/presets/{p['name']}/thumbnail"} for p in shipped])

    async def preset_thumbnail(request):
        name = request.path_params["name"]
        refuse_path(name, "preset")
        found = next((p for p in await run_in_threadpool(s.shipped) if p["name"] == name), None)
        source = found and gallery.preset_thumbnail_source(name, found["preset"], s.media)
        if source is None:
            raise RequestError(f"preset {name!r}", "has no thumbnail", "", status=404)
        return await _jpeg(source)

    async def sample_thumbnail(request):
        name = request.path_params["name"]
        refuse_path(name, "sample")
        if name not in s.media.samples or s.media.sample_kind(name) == "audio":
            raise RequestError(f"sample {name!r}", "is no bundled picture", "GET /api/info lists them", status=404)
        return await _jpeg(s.media.samples[name])

    async def upload(request):
        kind = request.query_params.get("kind", "image")
        name = request.query_params.get("name", "")
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > s.settings.upload_limit:  # before reading a byte
            raise RequestError(f"upload {kind}", f"is larger than the studio's upload limit of "
                               f"{s.settings.upload_limit / 2**20:g} MB",
                               "give a smaller file, or start the studio with --upload-limit MB", status=413)
        info = await uploads.receive(request.stream(), kind, name, s.media.uploads, s.settings.upload_limit,
                                     s.settings.allow_plugins)
        if kind in ("image", "video"):
            info["thumbnail"] = f"/api/uploads/{info['id']}/thumbnail"
        return JSONResponse(info, status_code=201)

    async def upload_thumbnail(request):
        uid = checked_id(request.path_params["id"], "upload")
        found = s.media.upload(uid)
        if found is None or found[1] not in ("image", "video"):
            raise RequestError(f"upload {uid}", "no such picture", "upload it again", status=404)
        return await _jpeg(found[0])

    async def convert(request):
        """A preset as YAML or JSON => both, and whether it is valid (the page's two-way sync)."""
        client = await _preset_of(request)
        body = {"preset": client, "yaml": presets.to_yaml(client)}
        try:  # (in a thread: the first check imports the model's layer list)
            await run_in_threadpool(presets.check, client, s.media, s.settings.allow_plugins)
        except DreamanimError as exc:
            return JSONResponse({**body, "ok": False, **_error_body(exc)}, status_code=_status(exc))
        return JSONResponse({**body, "ok": True})

    async def create_job(request):
        body = await _json(request)
        kind = body.get("kind", "preview")
        if kind not in ("preview", "render"):
            raise RequestError("job", f"kind {kind!r} is neither preview nor render", "kind: preview | render")
        every = body.get("every", 1)
        if not isinstance(every, int) or isinstance(every, bool) or not 1 <= every <= 100:
            raise RequestError("job: every", f"must be a whole number 1..100, got {every!r}", "e.g. every: 1")
        client = _client_preset(body)
        # nothing runs until the preset is right
        await run_in_threadpool(presets.check, client, s.media, s.settings.allow_plugins)
        data = presets.to_api(client, s.media, s.settings.allow_plugins)
        if kind == "preview":  # a preview ends in one GIF to loop; the full formats are the render's
            gif = (data.get("outputs") or {}).get("gif") if isinstance(data.get("outputs"), dict) else None
            data["outputs"] = {"gif": gif or {}}
        job = s.jobs.submit(kind, client, data, every)
        return JSONResponse(job.status(), status_code=201)

    async def list_jobs(request):
        return JSONResponse([job.status() for job in s.jobs.all.values()])

    def job_of(request):
        return s.jobs.get(checked_id(request.path_params["id"], "job"))

    async def job_status(request):
        return JSONResponse(job_of(request).status())

    async def job_preset(request):
        client = job_of(request).recorded_preset()
        return JSONResponse({"preset": client, "yaml": presets.to_yaml(client)})

    async def events(request):
        job = job_of(request)
        since = request.headers.get("last-event-id", request.query_params.get("since", "-1"))
        start = int(since) + 1 if since.lstrip("-").isdigit() else 0

        async def stream():
            yield "retry: 1000\n\n"
            async for event in job.log.follow(start):
                if event is None:
                    yield ": keep-alive\n\n"
                    continue
                number, kind, data = event
                yield f"id: {number}\nevent: {kind}\ndata: {json.dumps(data)}\n\n"
        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={**NO_STORE, "x-accel-buffering": "no"})

    async def steer(request):
        job = job_of(request)
        body = await _json(request)
        action = request.path_params["action"]
        if action == "set":  # (in a thread: the value is checked as --set would check it)
            change = await run_in_threadpool(job.steer, "set", body.get("key"), body.get("value"))
        else:
            change = await run_in_threadpool(job.steer, "pulse", body.get("key"),
                                             body.get("amount", body.get("value")), body.get("frames", 4))
        return JSONResponse(change)

    async def live(request):
        """Steer whatever is running (the preview first): what OSC does, for scripts."""
        job = s.jobs.live()
        if job is None:
            raise RequestError("live", "nothing is rendering", "start a preview first", status=409)
        request.path_params["id"] = job.id
        return await steer(request)

    async def control(request):
        job = job_of(request)
        await _json(request, required=False)
        action = request.path_params["action"]
        if action == "continue":
            s.jobs.restart(job)
        else:
            getattr(job, action)()
        return JSONResponse(job.status())

    async def frame(request):
        job = job_of(request)
        path = job.frames.get(request.path_params["i"])
        if path is None or not path.is_file():
            raise RequestError(f"job {job.id}: frame {request.path_params['i']}", "is not made yet",
                               "wait for its frame event", status=404)
        return FileResponse(path, media_type="image/png", headers={"cache-control": "max-age=3600"})

    async def file(request):
        job = job_of(request)
        kind = request.path_params["kind"]
        path = job.files().get(kind)
        if path is None:
            raise RequestError(f"job {job.id}: {kind}", "no such file (yet)",
                               f"the job's files: {', '.join(job.files()) or 'none yet'}", status=404)
        name = f"dreamanim-{job.kind}-{job.id}{''.join(Path(path).suffixes[-2:]) if kind == 'preset' else Path(path).suffix}"
        headers = dict(NO_STORE)
        if request.query_params.get("download"):
            headers["content-disposition"] = f'attachment; filename="{name}"'
        return FileResponse(path, media_type=mimetypes.guess_type(str(path))[0] or "application/octet-stream",
                            headers=headers)

    routes = [
        Route("/", page),
        Route("/api/info", info),
        Route("/api/models", models),
        Route("/api/layers/{model}", layers),
        Route("/api/transforms", transforms),
        Route("/api/presets", shipped),
        Route("/api/presets/{name}/thumbnail", preset_thumbnail),
        Route("/api/samples/{name}/thumbnail", sample_thumbnail),
        Route("/api/uploads", upload, methods=["POST"]),
        Route("/api/uploads/{id}/thumbnail", upload_thumbnail),
        Route("/api/preset", convert, methods=["POST"]),
        Route("/api/jobs", list_jobs, methods=["GET"]),
        Route("/api/jobs", create_job, methods=["POST"]),
        Route("/api/jobs/{id}", job_status),
        Route("/api/jobs/{id}/preset", job_preset),
        Route("/api/jobs/{id}/events", events),
        *[Route(f"/api/jobs/{{id}}/{action}", _with(action, steer), methods=["POST"]) for action in ("set", "pulse")],
        *[Route(f"/api/live/{action}", _with(action, live), methods=["POST"]) for action in ("set", "pulse")],
        *[Route(f"/api/jobs/{{id}}/{action}", _with(action, control), methods=["POST"])
          for action in ("pause", "resume", "stop", "continue")],
        Route("/api/jobs/{id}/frames/{i:int}", frame),
        Route("/api/jobs/{id}/files/{kind}", file),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={DreamanimError: _dreamanim_error,
                                                       HTTPException: _http_error})
    return Guard(app, s.settings.hosts, s.settings.token)


def _with(action: str, handler):
    """One route per action (/set, /pause ...), each an explicit path: handler(request) told which."""
    async def endpoint(request):
        request.path_params["action"] = action
        return await handler(request)
    return endpoint


async def _jpeg(path: Path) -> Response:
    data = await run_in_threadpool(gallery.thumbnail, path, path.stat().st_mtime)
    return Response(data, media_type="image/jpeg",
                    headers={"cache-control": "max-age=3600"})


async def _json(request: Request, required: bool = True) -> dict:
    """The request's JSON object. Only application/json is taken: a cross-site form cannot send it
    without a preflight the studio never answers."""
    raw = await request.body()
    if not raw and not required:
        return {}
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise RequestError("request", "the body must be JSON (Content-Type: application/json)",
                           "send the request with a JSON body", status=415)
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RequestError("request", f"the body is not JSON: {exc}", "send a JSON object") from None
    if not isinstance(body, dict):
        raise RequestError("request", "the body must be a JSON object", "send {...}")
    return body


async def _preset_of(request: Request) -> dict:
    """A preset sent as {"preset": {...}} / {"yaml": "..."} JSON, or as a YAML body (text/yaml)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    if kind in ("text/yaml", "application/yaml", "application/x-yaml", "text/plain"):
        return presets.from_yaml((await request.body()).decode("utf-8", "replace"))
    return _client_preset(await _json(request))


def _client_preset(body: dict) -> dict:
    if "yaml" in body:
        return presets.from_yaml(body["yaml"])
    if isinstance(body.get("preset"), dict):
        return body["preset"]
    raise RequestError("request", "names no preset", 'send {"preset": {...}} or {"yaml": "..."}')


def _status(exc: DreamanimError) -> int:
    return getattr(exc, "status", 400)


def _error_body(exc: DreamanimError) -> dict:
    return {"error": f"dreamanim: error: {exc.line()}", "keys": getattr(exc, "keys", None)
            or presets.error_keys(exc)}


async def _dreamanim_error(request, exc: DreamanimError):
    return JSONResponse(_error_body(exc), status_code=_status(exc))


async def _http_error(request, exc: HTTPException):
    what = {404: "no such page or API route", 405: "this method is not allowed here"}.get(exc.status_code, exc.detail)
    return JSONResponse({"error": f"dreamanim: error: {request.url.path}: {what} (see docs/studio.md)"},
                        status_code=exc.status_code)
