"""The identity service: its use cases, one file each; each public method is one transaction."""

from __future__ import annotations

from ywtb.identity.legal_persons import LegalPersons
from ywtb.identity.organisation import Organisation
from ywtb.identity.persons import Persons
from ywtb.identity.principals import Principals
from ywtb.identity.staff import StaffAccounts

__all__ = ["IdentityService"]


class IdentityService(Organisation, StaffAccounts, Persons, LegalPersons, Principals):
    """Tenants, departments, staff, persons and legal persons."""
