"""Django's own account messages, listed so that Sarv's Persian catalogue translates them.

Django's Persian catalogue lacks some of these (the short-password message) and
words others informally or with «رمز عبور», where Sarv uses «گذرواژه». Catalogues in
LOCALE_PATHS take precedence over Django's, so translating the same message ids
in locale/fa is enough; this module only makes makemessages extract them.
Nothing imports it.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

PASSWORD_VALIDATION = (
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        1,
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("This password is entirely numeric."),
    gettext_noop("Your password can’t be entirely numeric."),
)

SIGN_IN = (
    gettext_noop(
        "Please enter a correct %(username)s and password. Note that both fields may be case-sensitive."
    ),
    gettext_noop("This account is inactive."),
)
