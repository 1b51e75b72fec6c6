"""API token authentication: django-rest-knox's, one query a request.

knox's `TokenAuthentication` reads, on every request, all the signed-in user's other tokens to
delete the expired ones (`_cleanup_token`): a second query per API call, and one that grows with
the number of sign-ins. Here a request reads only its own token (with its user, one query) and
deletes it when it has expired; the user's other expired tokens are deleted when they sign in
again (`accounts.api.TokenView`). Tokens are not refreshed on use (REST_KNOX AUTO_REFRESH off:
no UPDATE per request; a token lives 8 hours from the sign-in)."""

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth
from knox.signals import token_expired


class TokenAuthentication(auth.TokenAuthentication):
    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


def delete_expired_tokens(user) -> int:
    """The user's expired tokens (at sign-in)."""
    return user.auth_token_set.filter(expiry__lt=timezone.now()).delete()[0]


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of knox's authentication, for this subclass (same name)."""

    target_class = "accounts.tokens.TokenAuthentication"
