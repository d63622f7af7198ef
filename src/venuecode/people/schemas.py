from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from venuecode.people.models import User


class SmsCodeRequest(BaseModel):
    phone: str = Field(max_length=20)


class LoginRequest(BaseModel):
    phone: str = Field(max_length=20)
    code: str = Field(min_length=4, max_length=8)


class PasswordRequest(BaseModel):
    password: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    second_factor_required: bool = False


class IdentityRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    id_number: str = Field(max_length=32)
    name: str = Field(min_length=1, max_length=30)


class DeskBindingRequest(BaseModel):
    """A service desk binding: staff checked the ID card of the account's holder in person."""

    model_config = ConfigDict(str_strip_whitespace=True)

    phone: str = Field(max_length=20, description="The account's mobile number")
    id_number: str = Field(max_length=32)
    name: str = Field(min_length=1, max_length=30)
    reason: str = Field(min_length=1, max_length=200,
                        description="What was checked, e.g. the ID card at the desk")


class DeskBindingOut(BaseModel):
    user_id: int
    id_number_masked: str
    name_masked: str
    released_user_id: int | None


class MeOut(BaseModel):
    id: int
    phone: str
    role: str
    display_name: str
    identity_bound: bool
    name_masked: str | None
    id_number_masked: str | None


# --- HTML forms (FastAPI `Form()` models); `title` is the label the page shows ---------


class PhoneForm(BaseModel):
    phone: str = Field(title="Mobile number")
    next: str = "/"  # hidden: where to go once signed in
    resend: bool = False  # hidden: sent again from the code page (its 重新发送 button)


class CodeForm(BaseModel):
    phone: str = Field(title="Mobile number")
    code: str = Field(title="Code")
    next: str = "/"


class PasswordForm(BaseModel):
    password: str = Field(title="Password")
    next: str = "/"


class IdentityForm(BaseModel):
    id_number: str = Field(title="ID number")
    name: str = Field(title="Name")
    next: str = "/"


class AccountOut(BaseModel):
    """An account as a system admin manages it."""

    id: int
    phone: str
    role: str
    active: bool

    @classmethod
    def of(cls, user: User) -> AccountOut:
        return cls(id=user.id, phone=user.phone, role=user.role, active=user.active)
