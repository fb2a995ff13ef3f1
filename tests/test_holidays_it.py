"""clustbudget.holidays_it computes Italy's national holidays without the `holidays` package:
the same days as that package, every year it computes."""

from datetime import date

from holidays import country_holidays

from clustbudget.holidays_it import FIRST_YEAR, LAST_YEAR, easter, national_holidays


def test_every_computed_year_is_the_holidays_package_calendar():
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        assert national_holidays(year) == frozenset(country_holidays("IT", years=year)), year


def test_years_outside_are_asked_of_the_package():
    # 1985: no Epifania (L. 54/1977, restored from 1986); 1999: Republic Day on June's first Sunday
    assert date(1985, 1, 6) not in national_holidays(1985)
    assert date(1999, 6, 6) in national_holidays(1999)
    assert national_holidays(2100) == frozenset(country_holidays("IT", years=2100))


def test_easter_known_dates():
    # from the Roman calendar: 2021-04-04, 2024-03-31, 2038-04-25 (latest), 2008-03-23 (early)
    assert [easter(y) for y in (2021, 2024, 2038, 2008)] == [
        date(2021, 4, 4),
        date(2024, 3, 31),
        date(2038, 4, 25),
        date(2008, 3, 23),
    ]


def test_san_francesco_from_2026_and_unity_day_on_novembers_first_sunday():
    assert date(2025, 10, 4) not in national_holidays(2025)
    assert date(2026, 10, 4) in national_holidays(2026)
    assert date(2026, 11, 1) in national_holidays(2026)  # a Sunday: Ognissanti and unity day
    assert date(2021, 11, 7) in national_holidays(2021)
