// Starts ReDoc on /redoc (a file, not an inline script: the Content-Security-Policy allows no inline script).
Redoc.init("/openapi.json", { hideDownloadButton: false }, document.getElementById("redoc"));
