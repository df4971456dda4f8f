"""Notice numbers (缴款通知书编号) and receipt numbers (财政电子票据号) as the simulator makes them.

The real platform's formats are unconfirmed; the service must treat both as opaque strings. The
simulator's notice number has 20 digits: the tenant's region code (6), the issue day YYMMDD (6), a
sequence (7) and a Luhn check digit. Its receipt number is an 8-digit 票据代码 (the province's two
digits, the year's two, "0101") and a 10-digit 票据号码 (a sequence).
"""

from __future__ import annotations

from datetime import date


def luhn_digit(digits: str) -> str:
    """The Luhn check digit of a string of digits."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    """True when the last digit is the Luhn check digit of the others."""
    return number.isdigit() and len(number) > 1 and luhn_digit(number[:-1]) == number[-1]


def notice_number(tenant: str, day: date, sequence: int) -> str:
    """A 20-digit notice number: tenant, YYMMDD, 7-digit sequence, check digit."""
    body = f"{tenant}{day:%y%m%d}{sequence % 10_000_000:07d}"
    return body + luhn_digit(body)


def receipt_number(tenant: str, day: date, sequence: int) -> str:
    """An 18-digit 财政电子票据号: 8-digit 票据代码 and 10-digit 票据号码."""
    return f"{tenant[:2]}{day:%y}0101{sequence % 10_000_000_000:010d}"
