"""Each issuing department's W3C identity: a did:web under the platform's public address, its DID document
and the address of its status list.

did:web:<host>[:<path>]:api:v1:licence:issuers:<credit code> resolves (did:web method) to
https://<host>[/<path>]/api/v1/licence/issuers/<credit code>/did.json, which the gateway serves.
"""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit

from ywtb.common.codes.credit_code import credit_code_valid

ISSUERS_PATH = ("api", "v1", "licence", "issuers")
DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


class IssuerDids:
    """did:web identifiers of the departments, derived from the platform's public base URL."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("the credential base URL must be an http(s) URL")
        self.base_url = base_url.rstrip("/")
        path = [quote(unquote(segment), safe="") for segment in parts.path.split("/") if segment]
        self._prefix = ":".join(["did:web", quote(parts.netloc, safe=""), *path, *ISSUERS_PATH]) + ":"

    def did(self, dept: str) -> str:
        """The department's DID."""
        return self._prefix + dept

    def dept_of(self, did: str) -> str | None:
        """The department whose DID this is, or None when it is not one of ours."""
        if not did.startswith(self._prefix):
            return None
        dept = did[len(self._prefix) :]
        return dept if credit_code_valid(dept) else None

    def status_list_url(self, dept: str) -> str:
        """Where the department's BitstringStatusListCredential is published."""
        return f"{self.base_url}/{'/'.join(ISSUERS_PATH)}/{dept}/credentials/status-list"

    def dept_of_status_list(self, url: str) -> str | None:
        """The department whose status list this URL is, or None when it is not one of ours."""
        prefix, suffix = f"{self.base_url}/{'/'.join(ISSUERS_PATH)}/", "/credentials/status-list"
        if not url.startswith(prefix) or not url.endswith(suffix):
            return None
        dept = url[len(prefix) : -len(suffix)]
        return dept if credit_code_valid(dept) else None

    def document(self, dept: str, public_key_multibase: str) -> dict[str, object]:
        """The department's DID document: one Multikey for assertions (credentials it issues)."""
        did = self.did(dept)
        method = f"{did}#{public_key_multibase}"
        return {
            "@context": DID_CONTEXTS,
            "id": did,
            "verificationMethod": [
                {
                    "id": method,
                    "type": "Multikey",
                    "controller": did,
                    "publicKeyMultibase": public_key_multibase,
                }
            ],
            "assertionMethod": [method],
        }

    def method(self, dept: str, public_key_multibase: str) -> str:
        """The id of the department's verification method."""
        return f"{self.did(dept)}#{public_key_multibase}"
