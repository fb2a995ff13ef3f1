"""clustbudget.holidays_it asks Italy's national holidays of the `holidays` package."""

import subprocess
import sys
import textwrap
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


def test_italy_alone_gives_what_the_package_gives_and_leaves_the_package_as_it_was():
    # In a fresh process (pytest may have imported the whole package already): Italy's module
    # is imported alone (no other country's), the package's modules are taken out of
    # sys.modules again, and the years 1990-2060, holiday names in both languages, are those of
    # holidays.country_holidays("IT"), imported afterwards in the usual way.
    code = textwrap.dedent(
        """
        import sys

        asked = []

        class Record:  # a finder that finds nothing: it only notes what is imported
            def find_spec(self, name, path=None, target=None):
                asked.append(name)

        sys.meta_path.insert(0, Record())
        from clustbudget import holidays_it
        from clustbudget.rules.days import holiday_name

        mine = {y: holidays_it.national_holidays(y) for y in range(1990, 2061)}
        assert isinstance(holidays_it.italy(), type), holidays_it.italy()
        countries = [m for m in asked if m.startswith("holidays.countries")]
        assert countries == ["holidays.countries.italy"], countries
        loaded = [m for m in sys.modules if m == "holidays" or m.startswith("holidays.")]
        assert loaded == [], loaded
        named = {lang: dict(holidays_it.italy()(years=2026, language=lang)) for lang in ("it_IT", "en_US")}
        christmas = holiday_name(__import__("datetime").date(2026, 12, 25))

        import holidays

        for y, days in mine.items():
            assert days == frozenset(holidays.country_holidays("IT", years=y)), y
        for lang, names in named.items():
            assert names == dict(holidays.country_holidays("IT", years=2026, language=lang)), lang
        assert christmas.texts == {"it": "Natale", "en": "Christmas Day"}, christmas.texts
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
