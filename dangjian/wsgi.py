import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings.dev")
application = get_wsgi_application()

# Refuse to serve a database whose personal data the configured keys cannot read (a
# backup restored without its keys): runserver and gunicorn both load this module.
from apps.core.keycheck import verify_or_refuse  # noqa: E402

verify_or_refuse()
