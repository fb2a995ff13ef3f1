"""clustbudget: budgets and cost reports of Clust-ER (POR/PR FESR) projects, checked to the cent.

The library is usable without the command line::

    from clustbudget.pipeline import check_budget
    result = check_budget("budgets/clust-er-health-2020-2022.yaml")
    result.figures.total        # Decimal('200000.00')
"""

__version__ = "0.1.0"
