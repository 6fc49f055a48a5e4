"""FastAPI service: routers, request/response schemas, auth dependencies; serves frontend_static/."""
