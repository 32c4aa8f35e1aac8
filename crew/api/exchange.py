"""POST /api/auth/exchange: a magic-link code for an access token (the app's way in, as
/m/<code> is the pages')."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from charterops.throttling import AnonRateThrottle

from ..magic_links import MagicLinkRefused, SignInThrottled, magic_link_exchange
from ..signin import client_ip


class ExchangeThrottle(AnonRateThrottle):
    """Per address, stricter than the rest of the API (codes are short)."""

    scope = "exchange"

    def get_cache_key(self, request: Request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


class ExchangeIn(serializers.Serializer):
    code = serializers.CharField(max_length=64, help_text="The code of a magic link (8 characters).")


class ExchangeOut(serializers.Serializer):
    token = serializers.CharField(help_text="Send as Authorization: Bearer <token>.")
    expires_at = serializers.DateTimeField()


class ExchangeApi(APIView):
    """Trade a magic-link code for a JWT: the app's way in, as /m/<code> is the pages'."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ExchangeThrottle]

    def get_authenticate_header(self, request: Request) -> str:
        # A refused code answers 401, which names the scheme the token is then used with.
        return 'Bearer realm="crew"'

    @extend_schema(
        request=ExchangeIn,
        responses={200: ExchangeOut},
        auth=[],
        summary="Exchange a magic-link code for an access token",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        incoming = ExchangeIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            _, token, expires_at = magic_link_exchange(code=incoming.validated_data["code"], ip=client_ip(request))
        except MagicLinkRefused as refused:
            # A code that cannot sign in is a refused credential, whatever the reason.
            raise AuthenticationFailed(refused.message) from refused
        except SignInThrottled as throttled:
            raise Throttled(wait=throttled.retry_after, detail=throttled.message) from throttled
        return Response(ExchangeOut({"token": token, "expires_at": expires_at}).data)
