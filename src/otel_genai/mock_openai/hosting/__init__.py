"""Hosting: uvicorn on a pre-bound socket, a background-thread server for tests, and request recording."""
