"""The product's URLconf plus /bench/bare/ — the lower bound for HTTP throughput (the
same middleware stack, no database work). Only `bench.settings_bench` selects it."""

from django.http import JsonResponse
from django.urls import path

from dangjian.urls import urlpatterns as product_urlpatterns


def bare(request):
    return JsonResponse({"ok": True, "results": []})


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *product_urlpatterns]
