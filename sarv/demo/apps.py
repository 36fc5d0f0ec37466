from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The Persian demo organisation that `make run` loads; no models of its own."""

    name = "sarv.demo"
    label = "demo"
    verbose_name = "Demo data"
