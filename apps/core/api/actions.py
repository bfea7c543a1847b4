"""The shape every domain's API write repeats, written once: the object looked up in the
caller's scope (404 outside it, as on the web), the request body validated by a serializer
(a 400 naming the field), the service called with the actor (its ValidationError /
ScopeError become 400/403/404 in apps.core.api.exceptions), the result answered through a
serializer. General: no domain knowledge; the viewset names the model, the serializers
and the service."""

from collections.abc import Callable

from rest_framework import serializers, status
from rest_framework.response import Response

from apps.core.scoping import get_in_scope


def _rendered(reply, result):
    """`reply` is a serializer class (its data for the result) or a function of the
    result giving the data."""
    if isinstance(reply, type) and issubclass(reply, serializers.BaseSerializer):
        return reply(result).data
    return reply(result)


class ServiceActions:
    """Mixed into a viewset (before the DRF classes): the steps of a write as methods."""

    def body(self, serializer_class, **kwargs) -> dict:
        """The request body through `serializer_class`, as a new dict (400 when invalid)."""
        ser = serializer_class(data=self.request.data, **kwargs)
        ser.is_valid(raise_exception=True)
        return dict(ser.validated_data)

    def in_scope(self, model, pk, action: str = "change"):
        """One object (`model` is a model or a queryset) the caller may `action`; outside
        that scope it does not exist (404)."""
        queryset = model.objects.all() if isinstance(model, type) else model
        return get_in_scope(queryset, self.request.user, action, pk=pk)

    def reply(self, reply, result, *, created: bool = False) -> Response:
        return Response(_rendered(reply, result), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def act_on(
        self,
        model,
        pk,
        write: Callable[[object, dict], object],
        *,
        using,
        reply,
        action: str = "change",
        created: bool = False,
    ) -> Response:
        """A detail action: the object in the caller's `action` scope, the body through
        `using`, write(obj, data) (a service taking actor=request.user), the result through
        `reply` (200, or 201 when it `created` a record)."""
        obj = self.in_scope(model, pk, action)
        return self.reply(reply, write(obj, self.body(using)), created=created)
