"""The development front door (what nginx does in docker-compose): serves the built SPA and routes
/api/<service>/… to the service's own port, streaming responses so SSE progress works.

    python infra/devproxy.py --port 8000 --dist frontend/dist
"""
import argparse
import os
from pathlib import Path

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

UPSTREAMS = {
    "registry": os.environ.get("GOVWATCH_REGISTRY_URL", "http://127.0.0.1:8001"),
    "checker": os.environ.get("GOVWATCH_CHECKER_URL", "http://127.0.0.1:8002"),
    "reporting": os.environ.get("GOVWATCH_REPORTING_URL", "http://127.0.0.1:8003"),
}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "host", "content-length"}


def build(dist: Path) -> Starlette:
    client = httpx.AsyncClient(timeout=httpx.Timeout(60, read=None))

    async def proxy(request: Request) -> Response:
        service, rest = request.path_params["service"], request.path_params["rest"]
        if service not in UPSTREAMS:
            return JSONResponse({"detail": {"code": "not_found", "message": f"unknown service {service}"}}, 404)
        url = httpx.URL(f"{UPSTREAMS[service]}/{rest}", query=request.url.query.encode())
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP | {"x-forwarded-for"}]
        # The browser's address (what nginx sends in a deployment): login throttling counts per address.
        headers.append(("x-forwarded-for", request.client.host if request.client else "unknown"))
        upstream = client.build_request(request.method, url, headers=headers, content=request.stream())
        try:
            response = await client.send(upstream, stream=True)
        except httpx.HTTPError as exc:
            return JSONResponse({"detail": {"code": "upstream_unavailable",
                                            "message": f"{service} 服务不可用: {exc.__class__.__name__}"}}, 502)
        out_headers = {k: v for k, v in response.headers.items() if k.lower() not in HOP_BY_HOP}
        return StreamingResponse(response.aiter_raw(), status_code=response.status_code, headers=out_headers,
                                 background=BackgroundTask(response.aclose))

    async def spa(request: Request) -> Response:
        path = (dist / request.path_params.get("path", "")).resolve()
        if path.is_file() and dist.resolve() in path.parents:
            return FileResponse(path)
        index = dist / "index.html"
        if not index.exists():
            return Response("前端尚未构建 (run npm run build in frontend/)", 503)
        return FileResponse(index)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return Starlette(routes=[Route("/api/{service}/{rest:path}", proxy, methods=methods),
                             Route("/{path:path}", spa)])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--dist", type=Path, default=Path(__file__).resolve().parents[1] / "frontend" / "dist")
    args = parser.parse_args()
    uvicorn.run(build(args.dist), host="127.0.0.1", port=args.port, log_level="warning")
