"""`python -m capsched …` is the `capsched` command (app/cli/main.py); the code lives in app/, solver/ and api/."""
