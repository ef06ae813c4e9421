"""tomtat's HTTP service: `create_app(settings)` builds the FastAPI application."""
