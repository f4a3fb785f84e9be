"""GET /api/me: who the bearer token belongs to, so a screen can sign in and offer what the role allows."""

from __future__ import annotations

from fastapi import APIRouter

from service.auth.schemas import PrincipalRead
from service.deps import CurrentUser
from service.errors import error_response

router = APIRouter(prefix="/api", tags=["auth"])


@router.get("/me", response_model=PrincipalRead, responses=error_response(401, "missing or invalid bearer token"))
def read_me(principal: CurrentUser) -> PrincipalRead:
    return PrincipalRead(name=principal.name, role=principal.role.value, business_unit=principal.business_unit)
