from notifications.tests.conftest import smtp_server  # noqa: F401  (the real SMTP fixture)
