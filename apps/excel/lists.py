"""The list exports, as the excel app consumes them: every list screen that offers
“导出Excel” is registered by its own app (apps/<app>/exports.py, imported in the app's
AppConfig.ready()) in apps.core.registry.lists; this module only reads that registry.

An entry names the screen's own selector — `rows(user, params)`, the very function the
page's view calls with its query string (request.GET) — so the export holds exactly the
rows of the screen, all pages of them, in the screen's order and scope (every selector
goes through the one scoping mechanism; an ?org= outside the user's scope is a 404 where
the page's is, and finds nothing more than the page otherwise). `prepare(chunk)` adds
what the page adds after its query, with a fixed number of queries per chunk. Columns
(apps.excel.generic) show personal data masked only.

The one export view (/excel/export/<name>/?<the page's query string>, URL name
"excel:export_<name>") writes small lists at once and larger ones
(> services.SYNC_EXPORT_MAX_ROWS) as background ExportJobs; both write the access log.
Put the button on the page with {% load list_exports %}{% export_button "<name>" %}."""

from apps.core.registry import ListExport, lists

__all__ = ["ListExport", "all_entries", "get", "register"]


def register(entry: ListExport) -> ListExport:
    return lists.register(entry)


def get(name: str) -> ListExport:
    return lists.get(name)


def all_entries() -> list[ListExport]:
    return lists.all()
