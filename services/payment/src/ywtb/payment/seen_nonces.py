"""The callbacks' seen nonces in the payment database, so that every replica refuses a replay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ywtb.common.clock import Clock, Clocked, utc, utc_now
from ywtb.common.db import Database
from ywtb.common.signed_http.nonces import NonceStore
from ywtb.payment.models import SeenNonce


class DatabaseNonceStore(Clocked, NonceStore):
    """The NonceStore of ywtb.common.signed_http on the service's own database, shared by its replicas."""

    def __init__(self, db: Database, *, clock: Clock = utc_now) -> None:
        self.db = db
        self.clock = clock

    def remember(self, nonce: str, ttl_s: float) -> bool:
        """True when the nonce is new (it is now remembered for ttl_s), False when seen within its ttl."""
        now = self.now()
        try:
            with self.db.transaction() as session:
                seen = session.scalar(select(SeenNonce).where(SeenNonce.nonce == nonce).with_for_update())
                if seen is not None and utc(seen.expires_at) > now:
                    return False
                if seen is not None:
                    session.delete(seen)
                    session.flush()
                session.add(SeenNonce(nonce=nonce, expires_at=now + timedelta(seconds=ttl_s)))
        except IntegrityError:  # another replica remembered it first
            return False
        return True

    def purge(self) -> int:
        """Forget the nonces past their time; how many."""
        with self.db.transaction() as session:
            result = session.execute(delete(SeenNonce).where(SeenNonce.expires_at <= self.now()))
            return int(getattr(result, "rowcount", 0) or 0)
