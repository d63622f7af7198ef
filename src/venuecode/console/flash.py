"""Success messages after an action: the action redirects to `…?done=CODE`, and the page
shows the catalogue message for CODE. Only known codes show (anything else is ignored),
so a crafted link cannot put words on the page. Small and self-contained, for the lead
to fold into the general feedback mechanism.
"""

from __future__ import annotations

DONE: dict[str, str] = {
    "created": "The account was created.",
    "deactivated": "The account was deactivated and signed out on every device.",
    "activated": "The account was reactivated. It signs in afresh.",
    "signed_out": "The account was signed out on every device.",
    "password_set": "The new password was set and the account signed out on every device.",
    "key_revoked": "The API key was revoked. Pushes with it are refused from now on.",
}


def done_message(code: str | None) -> str | None:
    return DONE.get(code or "")
