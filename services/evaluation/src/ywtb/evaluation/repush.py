"""对账 on demand: `python -m ywtb.evaluation.repush [YYYY-MM-DD]` (default yesterday) re-queues what the province
lacks of that day's ratings, then pushes the queue once; settings from YWTB_EVALUATION_* as the service's."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta

from ywtb.common.calendar import local_date
from ywtb.common.clock import utc_now
from ywtb.common.logs import configure_logging
from ywtb.common.runtime import database_for
from ywtb.common.settings import load_settings_or_exit
from ywtb.evaluation.config import EvaluationSettings
from ywtb.evaluation.province import HttpProvincialRatingsPlatform
from ywtb.evaluation.pushes import RatingPushes


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected YYYY-MM-DD") from None
    if day > local_date(utc_now()):
        raise argparse.ArgumentTypeError("a day to come has no ratings")
    return day


def main(argv: list[str] | None = None) -> int:
    """Reconcile one day with the province and push; exit 2 without a province URL or on a bad setting."""
    parser = argparse.ArgumentParser(prog="python -m ywtb.evaluation.repush", description=__doc__)
    parser.add_argument("day", nargs="?", type=_day, default=local_date(utc_now()) - timedelta(days=1))
    args = parser.parse_args(argv)
    settings = load_settings_or_exit(EvaluationSettings)
    configure_logging("ywtb-evaluation-repush", settings.log_level)
    if not settings.province_url:
        print("YWTB_EVALUATION_PROVINCE_URL is not set: no province to reconcile with", file=sys.stderr)
        return 2
    db = database_for(settings, "ywtb.evaluation")
    key = settings.province_key.get_secret_value()
    try:
        with HttpProvincialRatingsPlatform(
            settings.province_url, key, timeout_s=settings.province_timeout_s
        ) as p:
            pushes = RatingPushes(db, p)
            requeued = pushes.repush_round(args.day)
            sent = pushes.push_round()
            counts = pushes.counts()
    finally:
        db.dispose()
    print(f"{args.day}: {requeued} re-queued, {sent} pushed; queue {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
