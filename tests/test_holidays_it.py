"""clustbudget.holidays_it asks Italy's national holidays of the `holidays` package."""

from datetime import date

from clustbudget.holidays_it import national_holidays


def test_known_holidays_and_working_days():
    # Easter Monday 2021 (5 April), Liberation Day, Epiphany; an ordinary Tuesday is not one
    days = national_holidays(2021)
    assert {date(2021, 4, 5), date(2021, 4, 25), date(2021, 1, 6)} <= days
    assert date(2021, 4, 6) not in days
    # 1985: no Epifania (L. 54/1977, restored from 1986)
    assert date(1985, 1, 6) not in national_holidays(1985)


def test_san_francesco_from_2026_as_the_package_follows_the_law():
    assert date(2025, 10, 4) not in national_holidays(2025)
    assert date(2026, 10, 4) in national_holidays(2026)
