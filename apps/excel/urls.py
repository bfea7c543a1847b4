from django.urls import path

from . import lists, views

app_name = "excel"
urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/template/", views.template_download, name="template"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("import/<int:pk>/commit/", views.import_commit, name="import_commit"),
    path("import/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("import/<int:pk>/report/", views.import_report, name="import_report"),
    path("export/members/", views.export_members, name="export_members"),
    path("export/orgs/", views.export_orgs, name="export_orgs"),
    path("exports/", views.exports_page, name="exports"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("exports/<int:pk>/cancel/", views.export_cancel, name="export_cancel"),
    # One URL per registered list screen (apps.excel.lists): /excel/export/<name>/?<the
    # page's query string>. The name is fixed in each pattern, not a URL parameter.
    *(path(f"export/{e.name}/", views.export_list, {"name": e.name}, name=f"export_{e.name}") for e in lists.all_entries()),
]
