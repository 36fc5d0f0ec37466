"""Sign-in that ignores the case of the username.

Phones capitalise the first letter of a field, and people type names as they
see them in directories («Sara.Rezaei»). The settings pages already reject a
username that differs from an existing one only in case, so a case-insensitive
lookup finds at most one account.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


class CaseInsensitiveModelBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        user_model = get_user_model()
        matches = list(user_model._default_manager.filter(username__iexact=username.strip())[:2])
        if len(matches) != 1:
            # Run the hasher anyway, so an unknown username takes as long as a wrong password.
            user_model().set_password(password)
            return None
        user = matches[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
