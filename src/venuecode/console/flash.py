"""Success messages after an action: the action redirects to `…?done=CODE`, and the page
shows the catalogue message for CODE. Only known codes show (anything else is ignored),
so a crafted link cannot put words on the page. Small and self-contained, for the lead
to fold into the general feedback mechanism.
"""

from __future__ import annotations

from venuecode.msgid import N_

DONE: dict[str, str] = {
    "created": N_("The account was created."),
    "deactivated": N_("The account was deactivated and signed out on every device."),
    "activated": N_("The account was reactivated. It signs in afresh."),
    "signed_out": N_("The account was signed out on every device."),
    "password_set": N_("The new password was set and the account signed out on every device."),
    "key_revoked": N_("The API key was revoked. Pushes with it are refused from now on."),
}


def done_message(code: str | None) -> str | None:
    return DONE.get(code or "")
