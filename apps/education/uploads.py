"""Bounded courseware uploads.

Django streams an upload to a temporary file in chunks (never the whole file in memory),
but reads the whole request before the view can look at the size. LimitedUploadHandler,
put first in request.upload_handlers by the view, counts the bytes of each file as they
arrive and skips the file once it passes rules.COURSEWARE_MAX_BYTES: the rest of it is
discarded, never stored, and the view reports it in Chinese (`too_big`)."""

import functools

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from . import rules


class LimitedUploadHandler(FileUploadHandler):
    def __init__(self, request=None, limit: int | None = None):
        super().__init__(request)
        self.limit = limit if limit is not None else rules.COURSEWARE_MAX_BYTES
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.too_big_uploads = [*getattr(self.request, "too_big_uploads", []), self.file_name]
            raise SkipFile()
        return raw_data  # passed on to Django's handlers (memory for small, a temp file for large)

    def file_complete(self, file_size):
        return None  # the next handler builds the UploadedFile


def bounded_upload(view):
    """Run `view` with LimitedUploadHandler in front (CSRF checked after the handler is in
    place, as Django requires for changing upload handlers)."""
    protected = csrf_protect(view)

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        request.too_big_uploads = []
        request.upload_handlers.insert(0, LimitedUploadHandler(request))
        return protected(request, *args, **kwargs)

    return wrapper
